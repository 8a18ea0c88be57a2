/**
 * The scenario definition: `export default scenario('rfid start/stop', async (t) => { … })`.
 * The body drives a charger through {@link ScenarioContext} (see context.ts); the runner
 * (run.ts) supplies the simulated hardware, the embedded CSMS and virtual time.
 */
import type { ScenarioContext } from './context.js';
import { parseTariff } from '../csms/CsmsTariff.js';
import { CHARGE_POINT_ID, MAX_SCENARIO_CHARGERS, OCPP_VERSIONS, type ScenarioOptions } from './scenarioOptions.js';

// The kit's vocabulary, also from here (the modules of the kit import them where they are defined).
export { ScenarioFailure, ScenarioUsageError } from './errors.js';
export { CHARGE_POINT_ID, MAX_SCENARIO_CHARGERS, type ScenarioChargerOptions, type ScenarioOptions } from './scenarioOptions.js';

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
  const firmware = options?.charger?.firmware;
  if (firmware !== undefined && (typeof firmware !== 'string' || firmware === '' || firmware.length > 50 || /\s/.test(firmware))) {
    throw new TypeError(`scenario '${name}': options.charger.firmware must be the running firmware version, 1..50 characters without spaces (e.g. '1.0.0'), got ${JSON.stringify(firmware)}`);
  }
  if (options?.tariff !== undefined) {
    try {
      parseTariff(options.tariff);
    } catch (err) {
      throw new TypeError(`scenario '${name}': options.tariff.${(err as Error).message}`);
    }
  }
  const only = options?.onlyOcpp;
  if (only !== undefined && (typeof only !== 'object' || only === null || !OCPP_VERSIONS.includes(only.version) || typeof only.reason !== 'string' || only.reason.trim() === '')) {
    throw new TypeError(`scenario '${name}': options.onlyOcpp must be { version: '1.6' or '2.0.1', reason: why the scenario is for that version only }, got ${JSON.stringify(only)}`);
  }
  return { kind: 'evse-scenario', name, body, options: options ?? {} };
}

export function isScenarioDefinition(value: unknown): value is ScenarioDefinition {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'evse-scenario';
}
