/**
 * The YAML steps: each one parses and checks its argument when the file is loaded (a bad
 * argument throws with a message the loader prefixes with file:line) and returns what runs it.
 */
import type { Ocpp16Action } from '../../agent/ocpp16/messages.js';
import type { InboundAction } from '../csms/CsmsReplies.js';
import { CONNECTOR_STATUSES, type ChargerContext, type ScenarioContext } from './context.js';
import { CHARGING_STATES } from './csmsSteps.js';
import { didYouMean, parseDuration } from './words.js';

/** Runs a step on a charger: `t` itself (charger 1) or `t.charger(n)` inside a `charger n:` block. */
export type StepRunner = (t: ChargerContext & Partial<Pick<ScenarioContext, 'clock' | 'note'>>) => Promise<unknown>;

interface StepSpec {
  readonly usage: string;
  /** Needs control of the CSMS (refused against an external CSMS). */
  readonly control?: true;
  parse(arg: unknown): StepRunner;
}

type Obj = Record<string, unknown>;

function connector(arg: unknown): number | undefined {
  if (arg === null || arg === undefined || arg === true) return undefined;
  if (typeof arg === 'number' && Number.isInteger(arg) && arg >= 1) return arg;
  throw new Error(`expected a connector number (1, 2, …), got ${JSON.stringify(arg)}`);
}

function object(arg: unknown, required: readonly string[], optional: readonly string[] = []): Obj {
  if (typeof arg !== 'object' || arg === null || Array.isArray(arg)) throw new Error(`expected a mapping with ${required.join(', ')}`);
  const known = [...required, ...optional];
  for (const k of Object.keys(arg)) if (!known.includes(k)) throw new Error(`unknown field '${k}'${didYouMean(k, known)}`);
  for (const k of required) if (!(k in arg)) throw new Error(`missing field '${k}'`);
  return arg as Obj;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], what: string): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new Error(`${what} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}${didYouMean(String(value), allowed)}`);
}

function text(value: unknown, what: string): string {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number') return String(value);
  throw new Error(`${what} must be text, got ${JSON.stringify(value)}`);
}

const evStep = (verb: 'plugIn' | 'unplug' | 'suspend' | 'resume'): StepSpec => ({
  usage: `- ${verb}: 1   (the connector number)`,
  parse(arg) {
    const n = connector(arg);
    return (t) => t.ev[verb](n);
  },
});

const fault = (kind: 'meter' | 'relay' | 'pilot' | 'tamper', modes: readonly string[]): StepSpec => ({
  usage: `- ${kind}Fault: ${modes[0]}   (or {mode: ${modes[0]}, connector: 1}; modes: ${modes.join(', ')})`,
  parse(arg) {
    const o = typeof arg === 'object' && arg !== null ? object(arg, ['mode'], ['connector']) : { mode: arg };
    const mode = oneOf(typeof o.mode === 'string' ? o.mode : String(o.mode), modes, 'mode');
    const n = connector(o.connector);
    return (t) => (t.fault[kind] as (m: string, c?: number) => Promise<void>)(mode, n);
  },
});

/**
 * `transactionId: last` anywhere in a payload or match: the id of the charger's latest transaction
 * (`t.csms.lastTransactionId()`), read when the step runs. The same YAML then names the transaction on
 * OCPP 1.6 (where this CSMS numbers them 1, 2, …) and on 2.0.1 (where the station names its own).
 */
const LAST_TRANSACTION = 'last';

function hasLastTransaction(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasLastTransaction);
  if (typeof value !== 'object' || value === null) return false;
  return Object.entries(value).some(([k, v]) => (k === 'transactionId' && v === LAST_TRANSACTION) || hasLastTransaction(v));
}

function withLastTransaction(value: unknown, id: () => number): unknown {
  if (Array.isArray(value)) return value.map((v) => withLastTransaction(v, id));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === 'transactionId' && v === LAST_TRANSACTION ? id() : withLastTransaction(v, id)]));
}

/** The payload or match as the step sends or compares it: `transactionId: last` resolved on the charger `t`. */
const resolved = (value: unknown, t: ChargerContext): unknown => (hasLastTransaction(value) ? withLastTransaction(value, () => t.csms.lastTransactionId()) : value);

/** Site-wide steps (advance, note) are not inside a `charger n:` block; the loader checks that. */
function needs<T>(value: T | undefined, step: string): T {
  if (value === undefined) throw new Error(`${step} acts on the whole site: put it outside the 'charger n:' block`);
  return value;
}

/** Steps that act on the whole site, not on one charger. */
export const SITE_STEPS = ['advance', 'note'];

export const STEPS: Record<string, StepSpec> = {
  plugIn: evStep('plugIn'),
  unplug: evStep('unplug'),
  suspend: evStep('suspend'),
  resume: evStep('resume'),
  setSoC: {
    usage: '- setSoC: 0.2   (or {soc: 0.2, connector: 1})',
    parse(arg) {
      const o = typeof arg === 'object' && arg !== null ? object(arg, ['soc'], ['connector']) : { soc: arg };
      if (typeof o.soc !== 'number' || o.soc < 0 || o.soc > 1) throw new Error(`soc must be 0..1, got ${JSON.stringify(o.soc)}`);
      const soc = o.soc;
      const n = connector(o.connector);
      return (t) => t.ev.setSoC(soc, n);
    },
  },
  present: {
    usage: '- present: 04A1B2C3   (the card uid, hex)',
    parse(arg) {
      const uid = text(arg, 'uid');
      if (!/^([0-9A-Fa-f]{2}){2,10}$/.test(uid)) throw new Error(`uid must be 2..10 bytes of hex (4..20 digits, even), got ${JSON.stringify(uid)} (quote it if YAML reads it as a number)`);
      return (t) => t.rfid.present(uid);
    },
  },
  advance: {
    usage: '- advance: 30m   (units s, m, h)',
    parse(arg) {
      const ms = parseDuration(arg, 'duration');
      return (t) => needs(t.clock, 'advance').advance(ms);
    },
  },
  expectStatus: {
    usage: '- expectStatus: {connector: 1, status: Charging, within: 10s}',
    parse(arg) {
      const o = object(arg, ['status'], ['connector', 'within']);
      const status = oneOf(o.status, CONNECTOR_STATUSES, 'status');
      const n = connector(o.connector) ?? 1;
      if (o.within !== undefined) parseDuration(o.within, 'within');
      const within = o.within as string | number | undefined;
      return (t) => t.expect.status(n, status, within === undefined ? {} : { within });
    },
  },
  expectEnergy: {
    usage: "- expectEnergy: {op: '>', value: 5, unit: kWh}",
    parse(arg) {
      const o = object(arg, ['op', 'value'], ['unit', 'connector']);
      const op = oneOf(o.op, ['>', '>=', '<', '<=', '=='] as const, 'op');
      if (typeof o.value !== 'number') throw new Error(`value must be a number, got ${JSON.stringify(o.value)}`);
      const value = o.value;
      const unit = o.unit === undefined ? 'kWh' : oneOf(o.unit, ['Wh', 'kWh'] as const, 'unit');
      const n = connector(o.connector);
      return (t) => t.expect.energy(op, value, unit, n);
    },
  },
  expectTransactions: {
    usage: '- expectTransactions: 1   (how many the CSMS recorded)',
    parse(arg) {
      if (typeof arg !== 'number' || !Number.isInteger(arg) || arg < 0) throw new Error(`expected a count, got ${JSON.stringify(arg)}`);
      return (t) => t.expect.transactions(arg);
    },
  },
  expectCall: {
    usage: '- expectCall: {action: StartTransaction, match: {connectorId: 1}, within: 1m}   (transactionId: last is the latest transaction)',
    parse(arg) {
      const o = typeof arg === 'string' ? { action: arg } : object(arg, ['action'], ['match', 'within']);
      const action = text(o.action, 'action') as Ocpp16Action;
      if (o.within !== undefined) parseDuration(o.within, 'within');
      const within = o.within as string | number | undefined;
      return (t) => t.csms.expect(action, resolved(o.match, t) as never, within === undefined ? {} : { within });
    },
  },
  expectChargingState: {
    usage: '- expectChargingState: {connector: 1, state: SuspendedEV, within: 10s}   (states Charging, SuspendedEV, SuspendedEVSE)',
    parse(arg) {
      const o = object(arg, ['state'], ['connector', 'within']);
      const state = oneOf(o.state, CHARGING_STATES, 'state');
      const n = connector(o.connector) ?? 1;
      if (o.within !== undefined) parseDuration(o.within, 'within');
      const within = o.within as string | number | undefined;
      return (t) => t.csms.expectChargingState(n, state, within === undefined ? {} : { within });
    },
  },
  send: {
    control: true,
    usage: '- send: {action: RemoteStopTransaction, payload: {transactionId: last}, expect: {status: Accepted}}   (last: the latest transaction)',
    parse(arg) {
      const o = object(arg, ['action'], ['payload', 'expect']);
      const action = text(o.action, 'action') as Ocpp16Action;
      return async (t) => {
        const result = await t.csms.send(action, resolved(o.payload ?? {}, t) as never);
        const want = o.expect as Obj | undefined;
        if (want && !Object.entries(want).every(([k, v]) => JSON.stringify((result as Obj)[k]) === JSON.stringify(v))) {
          throw new Error(`expected the answer to ${action} to contain ${JSON.stringify(want)}, got ${JSON.stringify(result)}`);
        }
      };
    },
  },
  respondTo: {
    control: true,
    usage: '- respondTo: {action: Authorize, reply: {idTagInfo: {status: Blocked}}, times: 1}',
    parse(arg) {
      const o = object(arg, ['action', 'reply'], ['times']);
      const action = text(o.action, 'action') as InboundAction;
      const times = o.times === undefined ? undefined : Number(o.times);
      return async (t) => t.csms.respondTo(action, o.reply as never, times === undefined ? {} : { times });
    },
  },
  disconnect: {
    control: true,
    usage: '- disconnect: {offline: true}   (or just "- disconnect: {}")',
    parse(arg) {
      const o = arg === null || arg === true ? {} : object(arg, [], ['offline']);
      return (t) => t.csms.disconnect({ offline: o.offline === true });
    },
  },
  online: { control: true, usage: '- online: {}', parse: () => (t) => t.csms.online() },
  meterFault: fault('meter', ['timeout', 'invalid', 'clear']),
  relayFault: fault('relay', ['welded', 'stuck', 'clear']),
  pilotFault: fault('pilot', ['F', 'E', 'clear']),
  tamperFault: fault('tamper', ['open', 'clear']),
  temperature: {
    usage: '- temperature: 70   (°C at the EVSE\'s sensor; or {celsius: 70, connector: 1})',
    parse(arg) {
      const o = typeof arg === 'object' && arg !== null ? object(arg, ['celsius'], ['connector']) : { celsius: arg };
      if (typeof o.celsius !== 'number' || o.celsius < -40 || o.celsius > 120) throw new Error(`celsius must be a number from -40 to 120, got ${JSON.stringify(o.celsius)}`);
      const celsius = o.celsius;
      const n = connector(o.connector);
      return (t) => t.fault.temperature(celsius, n);
    },
  },
  note: { usage: '- note: free text for the timeline', parse: (arg) => { const s = text(arg, 'note'); return async (t) => needs(t.note, 'note')(s); } },
};
