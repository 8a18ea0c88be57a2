/**
 * The scenario definition: `export default scenario('rfid start/stop', async (t) => { … })`.
 * The body drives a charger through {@link ScenarioContext} (see context.ts); the runner
 * (run.ts) supplies the simulated hardware, the embedded CSMS and virtual time.
 */
import type { SimulatedChargerOptions } from '../../hal/sim/createSimulatedCharger.js';
import type { ConfigInput } from '../../agent/store/OcppConfiguration.js';
import type { BootPolicy } from '../csms/CsmsReplies.js';
import type { ScenarioContext } from './context.js';

export interface ScenarioOptions {
  /** OCPP configuration keys the charger starts with (e.g. `{ MeterValueSampleInterval: 60 }`). */
  readonly ocpp?: Record<string, ConfigInput>;
  /** Simulated charger (connectors, EV battery, …) and its capabilities; the clock is the runner's. */
  readonly charger?: ScenarioChargerOptions;
  /** How the CSMS answers BootNotification (default: Accepted, heartbeat every hour). */
  readonly boot?: BootPolicy;
  /** Known cards: uid → status; unknown cards are Invalid. Default: every card is Accepted. */
  readonly cards?: Readonly<Record<string, 'Accepted' | 'Blocked' | 'Expired' | 'Invalid'>>;
  /** Wait for the charger to be booted and report its statuses before the body (default true). */
  readonly waitForBoot?: boolean;
  /**
   * How many chargers the site has (default 1, at most 16): each a real Agent with its own
   * simulated hardware, all on the same CSMS; `t.charger(2)` drives the second one.
   */
  readonly chargers?: number;
  /** Charge point ids, one per charger (default `SCENARIO-CP1`, `SCENARIO-CP2`, …). `--id` overrides them. */
  readonly ids?: readonly string[];
}

/** The simulated hardware of each charger, and what the charger itself can do. */
export type ScenarioChargerOptions = Omit<SimulatedChargerOptions, 'clock'> & {
  /**
   * The charger can ventilate the parking space: an EV asking for ventilation (pilot state D) may
   * charge. Default false, as `chargePoint.ventilation`: D is refused (Faulted, contactor open).
   */
  readonly ventilation?: boolean;
};

/** What a charge point id may be (it ends the CSMS URL path). */
export const CHARGE_POINT_ID = /^(?!\.+$)[A-Za-z0-9*_=+@.-]{1,48}$/;

/** Most chargers one scenario may declare (each is a real agent; a site, not a fleet). */
export const MAX_SCENARIO_CHARGERS = 16;

export type ScenarioBody = (t: ScenarioContext) => Promise<void>;

export interface ScenarioDefinition {
  readonly kind: 'evse-scenario';
  readonly name: string;
  readonly body: ScenarioBody;
  readonly options: ScenarioOptions;
  /** Where it was loaded from (set by the loader). */
  file?: string;
  /**
   * Steps that need control of the CSMS (send, respondTo, disconnect …), as `where step`
   * (YAML: set by the loader with file:line). A run against an external CSMS refuses the
   * scenario before starting when this is not empty.
   */
  csmsControlSteps?: readonly string[];
}

export function scenario(name: string, body: ScenarioBody): ScenarioDefinition;
export function scenario(name: string, options: ScenarioOptions, body: ScenarioBody): ScenarioDefinition;
export function scenario(name: string, a: ScenarioBody | ScenarioOptions, b?: ScenarioBody): ScenarioDefinition {
  const body = typeof a === 'function' ? a : b;
  const options = typeof a === 'function' ? {} : a;
  if (typeof name !== 'string' || name.trim() === '') throw new TypeError('scenario(name, body): name must be a non-empty string');
  if (typeof body !== 'function') throw new TypeError(`scenario '${name}': the body must be an async function (t) => { … }`);
  const n = options?.chargers;
  if (n !== undefined && (!Number.isInteger(n) || n < 1 || n > MAX_SCENARIO_CHARGERS)) {
    throw new TypeError(`scenario '${name}': options.chargers must be an integer 1..${MAX_SCENARIO_CHARGERS}, got ${JSON.stringify(n)}`);
  }
  if (options?.ids !== undefined && (!Array.isArray(options.ids) || options.ids.length < (n ?? 1) || !options.ids.every((id) => typeof id === 'string' && CHARGE_POINT_ID.test(id)))) {
    throw new TypeError(`scenario '${name}': options.ids must list ${n ?? 1} charge point id(s) (1..48 of A-Z a-z 0-9 * _ = + @ . -), got ${JSON.stringify(options.ids)}`);
  }
  const ventilation = options?.charger?.ventilation;
  if (ventilation !== undefined && typeof ventilation !== 'boolean') {
    throw new TypeError(`scenario '${name}': options.charger.ventilation must be true or false, got ${JSON.stringify(ventilation)}`);
  }
  return { kind: 'evse-scenario', name, body, options: options ?? {} };
}

export function isScenarioDefinition(value: unknown): value is ScenarioDefinition {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'evse-scenario';
}

/** A failed expectation: which step, what was expected, what was found. */
export class ScenarioFailure extends Error {
  override readonly name = 'ScenarioFailure';
  constructor(
    readonly step: string,
    readonly expected: string,
    readonly actual: string,
    message?: string,
  ) {
    super(message ?? `${step}: expected ${expected}, got ${actual}`);
  }
}

/** A step used wrongly (unknown step, bad argument): a mistake in the scenario, not in the charger. */
export class ScenarioUsageError extends Error {
  override readonly name = 'ScenarioUsageError';
}
