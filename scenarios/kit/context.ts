/**
 * The vocabulary a scenario uses, `t.*`, in the charger's language. `t.ev`, `t.rfid`, `t.csms`,
 * `t.fault` and `t.expect` act on the first charger; `t.charger(n)` gives the same for charger n
 * of a multi-charger site. Every step checks its arguments (a bad one throws a
 * ScenarioUsageError naming the step) and is written to the timeline; expectations throw a
 * ScenarioFailure with what was expected and what was found.
 */
import type { OcppVersion } from '../../agent/ocpp/ProtocolFace.js';
import { csmsSteps, realWaitRefusal, type CsmsSteps } from './csmsSteps.js';
import { evSteps, expectSteps, faultSteps, rfidSteps, type EvSteps, type ExpectSteps, type FaultSteps } from './chargerSteps.js';
import type { Harness } from './harness.js';
import { ScenarioUsageError } from './errors.js';
import { atCallSite, guarded } from './stepNames.js';
import { stepTools } from './stepTools.js';
import { fileSteps, firmwareSteps, type FileSteps, type FirmwareSteps } from './maintenanceSteps.js';
import { parseDuration } from './words.js';

export { CONNECTOR_STATUSES } from './chargerSteps.js';
export type { ExpectCallOptions } from './csmsSteps.js';

/** One charger of the site and the world around it. */
export interface ChargerContext {
  /** Its charge point id. */
  readonly id: string;
  readonly ev: EvSteps;
  readonly rfid: { present(uid: string): Promise<void> };
  readonly csms: CsmsSteps;
  readonly fault: FaultSteps;
  readonly expect: ExpectSteps;
}

export interface ScenarioContext extends ChargerContext {
  /** Charger `n` (1-based) of a scenario declared with `{ chargers: N }`. */
  charger(n: number): ChargerContext;
  /** How many chargers the site has. */
  readonly chargers: number;
  /**
   * The OCPP version the chargers speak in this run ('1.6' or '2.0.1'), for the step a version-neutral
   * scenario must take differently on each (`if (t.ocppVersion === '2.0.1') …`).
   */
  readonly ocppVersion: OcppVersion;
  readonly clock: {
    /**
     * Lets time pass ('30s', '30m', '1h'): virtual time in one-second steps with I/O settled in
     * between, or, on the serial HAL or against an external CSMS, real time (refused above
     * the run's limit, `--max-wait`).
     */
    advance(duration: string | number): Promise<void>;
    /** Ms since the start (virtual time starts at 2026-01-01T00:00Z). */
    elapsed(): number;
    /** The time now as an ISO 8601 date-time (for date fields such as retrieveDateTime). */
    now(): string;
  };
  /** Adds a free-text line to the timeline. */
  note(text: string): void;
  /** The scenario's own HTTP server on 127.0.0.1: files the charger downloads, files it uploads. */
  readonly files: FileSteps;
  /** Firmware images for the simulator's installer and their signatures (`charger: { firmware: '1.0.0' }`). */
  readonly firmware: FirmwareSteps;
}

export function createContext(h: Harness): ScenarioContext {
  const contexts: ChargerContext[] = h.chargers.map((c) => {
    const k = stepTools(h, c);
    const at = c.index === 1 ? 't' : `t.charger(${c.index})`;
    const ns = <T extends object>(name: string, steps: T) => guarded(steps, `${at}.${name}`);
    const charger = { id: c.id, ev: ns('ev', evSteps(k)), rfid: ns('rfid', rfidSteps(k)), csms: ns('csms', csmsSteps(k)), fault: ns('fault', faultSteps(k)), expect: ns('expect', expectSteps(k)) };
    return guarded(charger, at);
  });
  const first = contexts[0]!;
  return guarded<ScenarioContext>({
    id: first.id,
    ev: first.ev,
    rfid: first.rfid,
    csms: first.csms,
    fault: first.fault,
    expect: first.expect,
    chargers: contexts.length,
    ocppVersion: h.ocppVersion,
    charger(n) {
      const c = Number.isInteger(n) ? contexts[n - 1] : undefined;
      if (!c) throw new ScenarioUsageError(`charger(${JSON.stringify(n)}): the site has charger(s) 1..${contexts.length}; declare more with scenario(name, { chargers: N }, …)${atCallSite()}`);
      return c;
    },
    clock: guarded({
      async advance(duration) {
        const ms = parseDuration(duration, 'clock.advance');
        if (!h.virtual && ms > h.maxRealWaitMs) throw new ScenarioUsageError(`clock.advance(${JSON.stringify(duration)}): ${realWaitRefusal(ms, h.maxRealWaitMs)}`);
        h.note('step', `${ms / 1000} s pass${h.virtual ? '' : ' (real time)'}`);
        await h.advance(ms);
        const multi = h.chargers.length > 1;
        for (const c of h.chargers) {
          for (let n = 1; n <= c.connectorCount; n++) {
            const wh = await c.energyWh(n);
            const more = c.rig.describe?.(n);
            h.note('energy', `${multi ? `${c.id} ` : ''}connector ${n}: ${(wh / 1000).toFixed(2)} kWh${more ? `, ${more}` : ''}`);
          }
        }
      },
      elapsed: () => h.clock.now() - h.start,
      now: () => new Date(h.clock.now()).toISOString(),
    } satisfies ScenarioContext['clock'], 't.clock'),
    note: (text) => h.note('note', text),
    files: guarded(fileSteps(h), 't.files'),
    firmware: guarded(firmwareSteps(h), 't.firmware'),
  }, 't');
}
