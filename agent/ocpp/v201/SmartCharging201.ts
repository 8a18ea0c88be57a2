/**
 * Smart charging in OCPP 2.0.1 words (use cases K01, K05, K08, K09, K10) over the one charging-limit
 * service (agent/chargingLimits/ChargingLimits.ts) the 1.6 SmartCharging handlers use: the same
 * profile store, rules, composite schedule and arbitration, so a profile set over either version
 * limits the same offer. Only the translation and the rules 2.0.1 adds are here: a TxProfile names
 * the transaction running on its EVSE (K01.FR.03, K01.FR.09), profiles are reported back with
 * ReportChargingProfiles after the answer (K09), and the EVSE is the shared connector.
 */
import type { Logger } from 'pino';
import type { ChargingLimits } from '../../chargingLimits/ChargingLimits.js';
import type { ChargingProfile, RateUnit } from '../../chargingLimits/chargingProfile.js';
import type {
  ChargingLimitSourceEnumType,
  ChargingProfileType,
  ClearChargingProfileRequest,
  CompositeScheduleType,
  GetChargingProfilesRequest,
  ReportChargingProfilesRequest,
} from '../../ocpp201/messages.js';
import type { OcppLink } from '../OcppLink.js';
import { call201 } from './call201.js';
import { externalProfile } from './ExternalLimits201.js';
import { compositeTo201, profileFrom201, profileTo201, purposeFrom201 } from './chargingProfile201.js';

export interface SmartCharging201Parts {
  log: Logger;
  limits: Pick<ChargingLimits, 'setProfile' | 'clearProfiles' | 'composite' | 'problemOf' | 'profiles' | 'localLimit'>;
  evseCount: number;
  /** The transaction running on an EVSE (its shared number), if any. */
  transactionOn(evseId: number): number | undefined;
  link: Pick<OcppLink, 'call'>;
}

export type Answer = { status: 'Accepted' } | { status: 'Rejected'; reasonCode: string; additionalInfo: string };

/** Profiles per ReportChargingProfiles: a CSMS's frame limit holds even with 24 periods each. */
const PROFILES_PER_REPORT = 4;

const rejected = (reasonCode: string, additionalInfo: string): Answer => ({ status: 'Rejected', reasonCode, additionalInfo: additionalInfo.slice(0, 512) });

export class SmartCharging201 {
  constructor(private readonly p: SmartCharging201Parts) {}

  /** SetChargingProfile (K01): Accepted once the profile is durable. */
  async set(evseId: number, request: ChargingProfileType): Promise<Answer> {
    if (!(Number.isInteger(evseId) && evseId >= 0 && evseId <= this.p.evseCount)) return rejected('UnknownEvse', `no EVSE ${evseId}`);
    const made = profileFrom201(request, evseId);
    if ('problem' in made) return this.refuse(request, rejected('UnsupportedParam', made.problem));
    const profile = made.profile;
    if (profile.purpose === 'Tx') {
      // K01.FR.03/09: a TxProfile is for the transaction running on its EVSE, named by its id.
      const running = evseId === 0 ? undefined : this.p.transactionOn(evseId);
      if (request.transactionId === undefined) return this.refuse(request, rejected('TxNotFound', 'a TxProfile names its transactionId'));
      if (running === undefined || profile.transactionId !== running) return this.refuse(request, rejected('TxNotFound', `transaction ${request.transactionId} does not run on EVSE ${evseId}`));
    }
    const answer = this.p.limits.setProfile(profile);
    if (!answer.accepted) return this.refuse(request, rejected('InvalidProfile', answer.reason));
    await answer.persisted;
    return { status: 'Accepted' };
  }

  /**
   * RequestStartTransaction's chargingProfile (F01.FR.08/09, K05): a TxProfile without a
   * transactionId, checked by the charger's rules now; the session service installs it on the EVSE
   * chosen before the session is authorized there.
   */
  remoteStartProfile(request: ChargingProfileType, evseId: number | undefined): { profile: ChargingProfile } | { problem: string } {
    if (request.chargingProfilePurpose !== 'TxProfile') return { problem: 'its chargingProfile is not a TxProfile' };
    if (request.transactionId !== undefined) return { problem: 'its chargingProfile names a transactionId' };
    const made = profileFrom201(request, evseId ?? 0);
    if ('problem' in made) return made;
    const problem = this.p.limits.problemOf({ ...made.profile, connectorId: evseId ?? 1 });
    return problem === undefined ? made : { problem };
  }

  /** ClearChargingProfile (K10): every criterion given must match (none: all); Unknown when none did. */
  async clear(request: ClearChargingProfileRequest): Promise<'Accepted' | 'Unknown'> {
    const c = request.chargingProfileCriteria;
    const purpose = c?.chargingProfilePurpose === undefined ? undefined : purposeFrom201(c.chargingProfilePurpose);
    // No profile of an external system's is kept here: nothing of that purpose to clear.
    if (c?.chargingProfilePurpose !== undefined && purpose === undefined) return 'Unknown';
    const { removed, persisted } = this.p.limits.clearProfiles({
      ...(request.chargingProfileId !== undefined && { id: request.chargingProfileId }),
      ...(c?.evseId !== undefined && { connectorId: c.evseId }),
      ...(purpose !== undefined && { purpose }),
      ...(c?.stackLevel !== undefined && { stackLevel: c.stackLevel }),
    });
    if (removed.length === 0) return 'Unknown';
    await persisted;
    return 'Accepted';
  }

  /**
   * GetChargingProfiles (K09): Accepted when a profile matches, then ReportChargingProfiles per EVSE
   * (0 first) and source, `tbc` on all but the last. The profiles the CSMS set are reported with
   * chargingLimitSource CSO; the local energy manager's limit on an EVSE as its
   * ChargingStationExternalConstraints profile with source EMS (ExternalLimits201.ts).
   */
  report(request: GetChargingProfilesRequest): 'Accepted' | 'NoProfiles' {
    const c = request.chargingProfile;
    const wants = (source: ChargingLimitSourceEnumType) => c.chargingLimitSource === undefined || c.chargingLimitSource.includes(source);
    const reports: ReportChargingProfilesRequest[] = [];
    const page = (evseId: number, source: ChargingLimitSourceEnumType, profiles: ChargingProfileType[]) => {
      for (let at = 0; at < profiles.length; at += PROFILES_PER_REPORT) {
        reports.push({ requestId: request.requestId, chargingLimitSource: source, evseId, chargingProfile: profiles.slice(at, at + PROFILES_PER_REPORT) as ReportChargingProfilesRequest['chargingProfile'], tbc: true });
      }
    };
    const purpose = c.chargingProfilePurpose === undefined ? undefined : purposeFrom201(c.chargingProfilePurpose);
    if (wants('CSO') && (c.chargingProfilePurpose === undefined || purpose !== undefined)) {
      const matching = this.p.limits.profiles.filter((p) =>
        (request.evseId === undefined || p.connectorId === request.evseId) &&
        (purpose === undefined || p.purpose === purpose) &&
        (c.stackLevel === undefined || p.stackLevel === c.stackLevel) &&
        (c.chargingProfileId === undefined || c.chargingProfileId.includes(p.id)));
      for (const evseId of [...new Set(matching.map((p) => p.connectorId))].sort((a, b) => a - b)) {
        page(evseId, 'CSO', matching.filter((p) => p.connectorId === evseId).map(profileTo201));
      }
    }
    if (wants('EMS') && (c.chargingProfilePurpose === undefined || c.chargingProfilePurpose === 'ChargingStationExternalConstraints') && (c.stackLevel === undefined || c.stackLevel === 0)) {
      for (let evseId = 1; evseId <= this.p.evseCount; evseId++) {
        const local = request.evseId === undefined || request.evseId === evseId ? this.p.limits.localLimit(evseId) : undefined;
        if (!local) continue;
        const profile = externalProfile(evseId, local);
        if (c.chargingProfileId === undefined || c.chargingProfileId.includes(profile.id)) page(evseId, 'EMS', [profile]);
      }
    }
    if (reports.length === 0) return 'NoProfiles';
    reports.at(-1)!.tbc = false;
    // After the answer is out.
    setImmediate(() => void this.sendReports(reports));
    return 'Accepted';
  }

  /** GetCompositeSchedule (K08): what the EVSE (0: the station's maximum) will follow from now. */
  composite(evseId: number, durationS: number, unit: RateUnit): CompositeScheduleType | undefined {
    if (!(Number.isInteger(evseId) && evseId >= 0 && evseId <= this.p.evseCount)) return undefined;
    const schedule = this.p.limits.composite(evseId, durationS, unit);
    return schedule && schedule.periods.length > 0 ? compositeTo201(evseId, schedule) : undefined;
  }

  private async sendReports(reports: ReportChargingProfilesRequest[]): Promise<void> {
    for (const report of reports) {
      try {
        await call201(this.p.link, 'ReportChargingProfiles', report);
      } catch (err) {
        this.p.log.warn({ err, requestId: report.requestId }, 'ReportChargingProfiles not delivered: report ended');
        return;
      }
    }
  }

  private refuse(request: ChargingProfileType, answer: Answer): Answer {
    if (answer.status === 'Rejected') this.p.log.info({ profileId: request.id, reason: answer.additionalInfo }, `SetChargingProfile rejected: ${answer.additionalInfo}`);
    return answer;
  }
}
