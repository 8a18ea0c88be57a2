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
  /** Simulated charger (connectors, EV battery, …); the clock is the runner's. */
  readonly charger?: Omit<SimulatedChargerOptions, 'clock'>;
  /** How the CSMS answers BootNotification (default: Accepted, heartbeat every hour). */
  readonly boot?: BootPolicy;
  /** Known cards: uid → status; unknown cards are Invalid. Default: every card is Accepted. */
  readonly cards?: Readonly<Record<string, 'Accepted' | 'Blocked' | 'Expired' | 'Invalid'>>;
  /** Wait for the charger to be booted and report its statuses before the body (default true). */
  readonly waitForBoot?: boolean;
}

export type ScenarioBody = (t: ScenarioContext) => Promise<void>;

export interface ScenarioDefinition {
  readonly kind: 'evse-scenario';
  readonly name: string;
  readonly body: ScenarioBody;
  readonly options: ScenarioOptions;
  /** Where it was loaded from (set by the loader). */
  file?: string;
}

export function scenario(name: string, body: ScenarioBody): ScenarioDefinition;
export function scenario(name: string, options: ScenarioOptions, body: ScenarioBody): ScenarioDefinition;
export function scenario(name: string, a: ScenarioBody | ScenarioOptions, b?: ScenarioBody): ScenarioDefinition {
  const body = typeof a === 'function' ? a : b;
  const options = typeof a === 'function' ? {} : a;
  if (typeof name !== 'string' || name.trim() === '') throw new TypeError('scenario(name, body): name must be a non-empty string');
  if (typeof body !== 'function') throw new TypeError(`scenario '${name}': the body must be an async function (t) => { … }`);
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
