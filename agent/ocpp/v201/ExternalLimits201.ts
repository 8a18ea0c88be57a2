/**
 * The charger's own external limit in OCPP 2.0.1 words (use case K12): the local energy manager's
 * limit (MQTT `set_current_limit`, the charging-limit service's `localLimit` source) is a limit an
 * external system set, not the CSMS. The CSMS is told of it with NotifyChargingLimit
 * (chargingLimitSource EMS, the schedule: that limit from when it was set) when it is set, and again
 * when it changes by more than SmartChargingCtrlr.LimitChangeSignificance against the one last told
 * (K12.FR.02); ClearedChargingLimit when it is removed. It is reported as a
 * ChargingStationExternalConstraints profile (GetChargingProfiles, chargingLimitSource EMS) and
 * caps the composite schedule (agent/chargingLimits does that for both versions).
 *
 * What the CSMS knows is kept per EVSE and brought in line with the limit in force: after every
 * change and after each Accepted registration, so a change made while the CSMS could not be reached
 * is told once it can (the latest state, not each step). One call at a time, in EVSE order.
 */
import type { Logger } from 'pino';
import type { ChargingLimits } from '../../chargingLimits/ChargingLimits.js';
import { significantChange } from '../../chargingLimits/limitChange.js';
import type { ChargingProfileType, ChargingScheduleType } from '../../ocpp201/messages.js';
import type { OcppConfiguration } from '../../store/OcppConfiguration.js';
import type { OcppLink } from '../OcppLink.js';
import { call201 } from './call201.js';

/**
 * The id of EVSE n's external-constraints profile (and of its schedule): far above the ids a CSMS
 * gives its own profiles, which live in the profile store beside it and never collide with it there.
 */
export const EXTERNAL_PROFILE_ID = 1_000_000_000;

export interface ExternalLimits201Parts {
  log: Logger;
  limits: Pick<ChargingLimits, 'localLimit'>;
  config: Pick<OcppConfiguration, 'getString'>;
  link: Pick<OcppLink, 'call' | 'isAccepted'>;
  evseCount: number;
}

/** The external limit on an EVSE as a schedule: that many A from when it was set, no end. */
export function externalSchedule(evseId: number, limit: { amps: number; since: number }): ChargingScheduleType {
  return {
    id: EXTERNAL_PROFILE_ID + evseId,
    startSchedule: new Date(limit.since).toISOString(),
    chargingRateUnit: 'A',
    chargingSchedulePeriod: [{ startPeriod: 0, limit: Math.floor(limit.amps * 10) / 10 }],
  };
}

/** The external limit on an EVSE as GetChargingProfiles reports it. */
export function externalProfile(evseId: number, limit: { amps: number; since: number }): ChargingProfileType {
  return {
    id: EXTERNAL_PROFILE_ID + evseId,
    stackLevel: 0,
    chargingProfilePurpose: 'ChargingStationExternalConstraints',
    chargingProfileKind: 'Absolute',
    chargingSchedule: [externalSchedule(evseId, limit)],
  };
}

export class ExternalLimits201 {
  /** The limit the CSMS was last told of per EVSE (index evseId - 1; undefined: none). Made on the first. */
  private told: (number | undefined)[] | undefined;
  private syncing: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(private readonly p: ExternalLimits201Parts) {}

  /** A limit changed somewhere, or the registration was Accepted: tell the CSMS what it does not know yet. */
  sync(): void {
    if (this.stopped) return;
    if (this.syncing) {
      this.again = true;
      return;
    }
    this.syncing = this.run().finally(() => {
      this.syncing = undefined;
      if (this.again) {
        this.again = false;
        this.sync();
      }
    });
  }

  /** Settles once nothing is being told (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.syncing) await this.syncing;
  }

  stop(): void {
    this.stopped = true;
  }

  private async run(): Promise<void> {
    for (let evseId = 1; evseId <= this.p.evseCount && !this.stopped; evseId++) {
      if (!this.p.link.isAccepted) return;
      const now = this.p.limits.localLimit(evseId);
      const told = this.told?.[evseId - 1];
      try {
        if (now === undefined) {
          if (told === undefined) continue;
          await call201(this.p.link, 'ClearedChargingLimit', { chargingLimitSource: 'EMS', evseId });
          this.told![evseId - 1] = undefined;
          this.p.log.info({ evse: evseId }, 'ClearedChargingLimit: the external limit was removed');
        } else {
          if (told !== undefined && !significantChange(told, now.amps, Number(this.p.config.getString('LimitChangeSignificance')))) continue;
          await call201(this.p.link, 'NotifyChargingLimit', { chargingLimit: { chargingLimitSource: 'EMS', isGridCritical: false }, evseId, chargingSchedule: [externalSchedule(evseId, now)] });
          (this.told ??= [])[evseId - 1] = now.amps;
          this.p.log.info({ evse: evseId, limitA: now.amps, ...(told !== undefined && { toldA: told }) }, 'NotifyChargingLimit: external limit');
        }
      } catch (err) {
        // Told again after the next Accepted registration (or the next change).
        this.p.log.warn({ err, evse: evseId }, 'external charging limit not told to the CSMS: again after the next registration');
        return;
      }
    }
  }
}
