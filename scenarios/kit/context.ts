/**
 * The vocabulary a scenario uses, `t.*`, in the charger's language. Every step checks its
 * arguments (a bad one throws a ScenarioUsageError naming the step) and is written to the
 * timeline; expectations throw a ScenarioFailure with what was expected and what was found.
 */
import type { ConnectorStatus } from '../../agent/charging/connectorTypes.js';
import type { Ocpp16Action, RequestOf, ResponseOf } from '../../agent/ocpp/v16/messages.js';
import { callError, type CallMatch, type TrafficRecord } from '../csms/EmbeddedCsms.js';
import type { InboundAction, Reply } from '../csms/CsmsReplies.js';
import { matchesPartial } from '../csms/matchesPartial.js';
import { CHARGE_POINT_ID, T0, type Harness } from './harness.js';
import { ScenarioFailure, ScenarioUsageError } from './scenario.js';
import { didYouMean, parseDuration } from './words.js';

export const CONNECTOR_STATUSES = ['Available', 'Preparing', 'Charging', 'SuspendedEV', 'SuspendedEVSE', 'Finishing', 'Reserved', 'Unavailable', 'Faulted'] as const;
const COMPARATORS = ['>', '>=', '<', '<=', '=='] as const;
type Comparator = (typeof COMPARATORS)[number];
const ENERGY_UNITS: Record<string, number> = { Wh: 1, kWh: 1000 };

export interface ExpectCallOptions {
  /** How much virtual time the charger gets to send it (default '1m'). */
  readonly within?: string | number;
}

export interface ScenarioContext {
  readonly ev: {
    plugIn(connector?: number): Promise<void>;
    unplug(connector?: number): Promise<void>;
    suspend(connector?: number): Promise<void>;
    resume(connector?: number): Promise<void>;
    setSoC(soc: number, connector?: number): Promise<void>;
  };
  readonly rfid: { present(uid: string): Promise<void> };
  readonly csms: {
    expect<A extends Ocpp16Action>(action: A, match?: CallMatch<A>, options?: ExpectCallOptions): Promise<RequestOf<A>>;
    /** Fails if the charger sends a matching call within the time given (default '1m'). */
    expectNone<A extends Ocpp16Action>(action: A, match?: CallMatch<A>, options?: ExpectCallOptions): Promise<void>;
    send<A extends Ocpp16Action>(action: A, payload: RequestOf<A>): Promise<ResponseOf<A>>;
    /** Sends a call the charger must refuse with a CallError; returns its error code. */
    sendError<A extends Ocpp16Action>(action: A, payload: RequestOf<A>): Promise<string>;
    /** The id the CSMS gave the latest transaction (fails when there is none). */
    lastTransactionId(): number;
    respondTo<A extends InboundAction>(action: A, reply: Reply<A>, options?: { times?: number }): void;
    /** Answers the next call of `action` with a CallError. */
    failNext(action: InboundAction, code?: Parameters<typeof callError>[0]): void;
    /** Drops the connection; with `{ offline: true }` the CSMS stays unreachable until {@link online}. */
    disconnect(options?: { offline?: boolean }): Promise<void>;
    online(): Promise<void>;
    /** Every call the charger sent for `action` so far. */
    sent<A extends Ocpp16Action>(action: A): RequestOf<A>[];
  };
  readonly fault: {
    meter(mode: 'timeout' | 'invalid' | 'clear', connector?: number): Promise<void>;
    relay(mode: 'welded' | 'stuck' | 'clear', connector?: number): Promise<void>;
    pilot(mode: 'F' | 'E' | 'clear', connector?: number): Promise<void>;
  };
  readonly clock: {
    /** Moves virtual time forward ('30s', '30m', '1h'), settling I/O between one-second steps. */
    advance(duration: string | number): Promise<void>;
    /** Virtual ms since the start (2026-01-01T00:00Z). */
    elapsed(): number;
  };
  readonly expect: {
    status(connector: number, status: ConnectorStatus): Promise<void>;
    energy(op: Comparator, value: number, unit?: 'Wh' | 'kWh', connector?: number): Promise<void>;
    transactions(count: number): Promise<void>;
  };
  /** Adds a free-text line to the timeline. */
  note(text: string): void;
}

export function createContext(h: Harness): ScenarioContext {
  const cp = CHARGE_POINT_ID;
  const cursor = new Map<string, number>();
  const usage = (step: string, text: string) => new ScenarioUsageError(`${step}: ${text}`);
  const connectorOf = (step: string, n: number | undefined) => {
    const id = n ?? 1;
    if (!Number.isInteger(id) || id < 1 || id > h.sim.connectors.length) {
      throw usage(step, `connector must be 1..${h.sim.connectors.length}, got ${JSON.stringify(n)}`);
    }
    return h.sim.connectors[id - 1]!;
  };
  /** Runs a physical action and lets the charger react (one virtual second). */
  const act = async (text: string, fn: () => void) => {
    h.note('step', text);
    fn();
    await h.advance(1000);
  };
  const oneOf = <T extends string>(step: string, what: string, value: unknown, allowed: readonly T[]): T => {
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
    throw usage(step, `${what} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}${didYouMean(String(value), allowed)}`);
  };
  const describeMatch = (match: unknown) => (match === undefined ? '' : typeof match === 'function' ? ' (matching a predicate)' : ` matching ${JSON.stringify(match)}`);
  const calls = (action: string, since: number) =>
    h.csms.traffic((r) => r.chargePointId === cp && r.direction === 'in' && r.kind === 'call' && r.action === action && r.seq > since);

  return {
    ev: {
      plugIn: (n) => act(`EV plugs in at connector ${n ?? 1}`, () => connectorOf('ev.plugIn', n).ev.plugIn()),
      unplug: (n) => act(`EV unplugs from connector ${n ?? 1}`, () => connectorOf('ev.unplug', n).ev.unplug()),
      suspend: (n) => act(`EV suspends charging at connector ${n ?? 1}`, () => connectorOf('ev.suspend', n).ev.suspend()),
      resume: (n) => act(`EV resumes charging at connector ${n ?? 1}`, () => connectorOf('ev.resume', n).ev.resume()),
      setSoC: (soc, n) => {
        if (typeof soc !== 'number' || !(soc >= 0 && soc <= 1)) throw usage('ev.setSoC', `state of charge must be a number 0..1 (0.2 = 20 %), got ${JSON.stringify(soc)}`);
        return act(`EV battery at ${Math.round(soc * 100)} % (connector ${n ?? 1})`, () => connectorOf('ev.setSoC', n).ev.setSoC(soc));
      },
    },
    rfid: {
      present: (uid) => {
        if (typeof uid !== 'string' || !/^([0-9A-Fa-f]{2}){2,10}$/.test(uid)) throw usage('rfid.present', `uid must be 2..10 bytes of hex (4..20 digits, even) like '04A1B2C3', got ${JSON.stringify(uid)}`);
        return act(`card ${uid} presented`, () => h.sim.rfid.tap(uid));
      },
    },
    csms: {
      async expect(action, match, options = {}) {
        const step = `csms.expect(${action})`;
        if (typeof action !== 'string' || (action as string) === '') throw usage('csms.expect', 'action must be an OCPP action name');
        const within = parseDuration(options.within ?? '1m', `${step} within`);
        const since = cursor.get(action) ?? 0;
        const matches = (r: TrafficRecord) => (typeof match === 'function' ? (match as (p: unknown) => boolean)(r.payload) : match === undefined || matchesPartial(r.payload, match));
        const deadline = h.clock.now() + within;
        h.note('step', `expect ${action}${describeMatch(match)} within ${within / 1000} s`);
        for (;;) {
          await h.settle();
          const found = calls(action, since).find(matches);
          if (found) {
            cursor.set(action, found.seq);
            return found.payload as RequestOf<typeof action>;
          }
          if (h.clock.now() >= deadline) break;
          await h.advance(Math.min(1000, deadline - h.clock.now()));
        }
        const seen = calls(action, since).map((r) => JSON.stringify(r.payload));
        throw new ScenarioFailure(step, `a ${action}${describeMatch(match)} within ${within / 1000} s`, seen.length ? `${action} ${seen.slice(-3).join(', ')}` : `no ${action}`);
      },
      async expectNone(action, match, options = {}) {
        const step = `csms.expectNone(${action})`;
        const within = parseDuration(options.within ?? '1m', `${step} within`);
        const since = Math.max(cursor.get(action) ?? 0, h.csms.mark());
        h.note('step', `expect no ${action}${describeMatch(match)} for ${within / 1000} s`);
        await h.advance(within);
        const bad = calls(action, since).find((r) => (typeof match === 'function' ? (match as (p: unknown) => boolean)(r.payload) : match === undefined || matchesPartial(r.payload, match)));
        if (bad) throw new ScenarioFailure(step, `no ${action}${describeMatch(match)} for ${within / 1000} s`, `${action} ${JSON.stringify(bad.payload)}`);
      },
      async sendError(action, payload) {
        h.note('step', `CSMS sends ${action} (expecting a CallError)`);
        try {
          const result = await h.csms.call(cp, action, payload, { timeoutMs: 10_000 });
          throw new ScenarioFailure(`csms.sendError(${action})`, 'a CallError', `a result ${JSON.stringify(result)}`);
        } catch (err) {
          if (err instanceof ScenarioFailure) throw err;
          const code = (err as { rpcErrorCode?: string }).rpcErrorCode;
          if (!code) throw err;
          return code;
        }
      },
      lastTransactionId() {
        const tx = h.csms.transactions(cp).at(-1);
        if (!tx) throw new ScenarioFailure('csms.lastTransactionId()', 'a transaction at the CSMS', 'none');
        return tx.transactionId;
      },
      async send(action, payload) {
        h.note('step', `CSMS sends ${action}`);
        if (!h.csms.isConnected(cp)) throw new ScenarioFailure(`csms.send(${action})`, 'the charger connected to the CSMS', 'not connected');
        const done = h.csms.call(cp, action, payload, { timeoutMs: 10_000 });
        const result = await done;
        await h.advance(1000);
        return result;
      },
      respondTo(action, reply, options = {}) {
        h.note('step', `CSMS will answer ${action}${options.times ? ` (next ${options.times})` : ''} with ${typeof reply === 'function' ? 'a function' : JSON.stringify(reply)}`);
        h.csms.respondTo(action, reply, { chargePointId: cp, ...(options.times && { times: options.times }) });
      },
      failNext(action, code = 'InternalError') {
        h.note('step', `CSMS will answer the next ${action} with CallError ${code}`);
        h.csms.respondOnce(action, callError(code, 'scenario'), { chargePointId: cp });
      },
      async disconnect(options = {}) {
        h.note('step', options.offline ? 'CSMS goes offline' : 'CSMS drops the connection');
        h.offline = options.offline ?? false;
        await h.csms.disconnect(cp, { code: 1001, reason: 'scenario' });
        await h.advance(1000);
      },
      async online() {
        h.note('step', 'CSMS is reachable again');
        h.offline = false;
        await h.advance(1000);
      },
      sent: (action) => calls(action, 0).map((r) => r.payload as RequestOf<typeof action>),
    },
    fault: {
      meter: (mode, n) => {
        const m = oneOf('fault.meter', 'mode', mode, ['timeout', 'invalid', 'clear'] as const);
        const meter = connectorOf('fault.meter', n).meter;
        return act(`meter ${m === 'clear' ? 'answers again' : m === 'timeout' ? 'stops answering' : 'returns invalid values'}`, () =>
          m === 'clear' ? meter.answerAgain() : m === 'timeout' ? meter.stopAnswering() : meter.returnInvalid(),
        );
      },
      relay: (mode, n) => {
        const m = oneOf('fault.relay', 'mode', mode, ['welded', 'stuck', 'clear'] as const);
        const relay = connectorOf('fault.relay', n).relay;
        return act(`relay ${m === 'clear' ? 'repaired' : m}`, () => (m === 'clear' ? relay.repair() : m === 'welded' ? relay.weld() : relay.stick()));
      },
      pilot: (mode, n) => {
        const m = oneOf('fault.pilot', 'mode', mode, ['F', 'E', 'clear'] as const);
        const ev = connectorOf('fault.pilot', n).ev;
        return act(`control pilot ${m === 'clear' ? 'error cleared' : `state ${m}`}`, () => (m === 'clear' ? ev.clearPilotError() : ev.injectPilotError(m)));
      },
    },
    clock: {
      async advance(duration) {
        const ms = parseDuration(duration, 'clock.advance');
        h.note('step', `${ms / 1000} s pass`);
        await h.advance(ms);
        for (const c of h.sim.connectors) {
          const wh = await h.energyWh(c.connectorId);
          h.note('energy', `connector ${c.connectorId}: ${(wh / 1000).toFixed(2)} kWh, ${(c.powerW / 1000).toFixed(1)} kW, EV ${(c.ev.soc * 100).toFixed(0)} %`);
        }
      },
      elapsed: () => h.clock.now() - T0,
    },
    expect: {
      async status(n, status) {
        const step = `expect.status(${n}, ${status})`;
        oneOf('expect.status', 'status', status, CONNECTOR_STATUSES);
        connectorOf('expect.status', n);
        h.note('step', `expect connector ${n} ${status}`);
        await h.settle();
        const actual = h.agent.connectors[n - 1]!.status;
        if (actual !== status) throw new ScenarioFailure(step, `connector ${n} ${status}`, `connector ${n} ${actual}`);
      },
      async energy(op, value, unit = 'kWh', n = 1) {
        const step = `expect.energy(${op} ${value} ${unit})`;
        oneOf('expect.energy', 'comparator', op, COMPARATORS);
        oneOf('expect.energy', 'unit', unit, Object.keys(ENERGY_UNITS));
        if (typeof value !== 'number' || !Number.isFinite(value)) throw usage('expect.energy', `value must be a number, got ${JSON.stringify(value)}`);
        connectorOf('expect.energy', n);
        h.note('step', `expect energy ${op} ${value} ${unit}`);
        const actual = (await h.energyWh(n)) / ENERGY_UNITS[unit]!;
        if (!compare(actual, op, value)) throw new ScenarioFailure(step, `energy delivered on connector ${n} ${op} ${value} ${unit}`, `${actual.toFixed(3)} ${unit}`);
      },
      async transactions(count) {
        h.note('step', `expect ${count} transaction(s) at the CSMS`);
        await h.settle();
        const actual = h.csms.transactions(cp).length;
        if (actual !== count) throw new ScenarioFailure(`expect.transactions(${count})`, `${count} transaction(s) at the CSMS`, `${actual}`);
      },
    },
    note: (text) => h.note('note', text),
  };
}

function compare(a: number, op: Comparator, b: number): boolean {
  switch (op) {
    case '>': return a > b;
    case '>=': return a >= b;
    case '<': return a < b;
    case '<=': return a <= b;
    case '==': return Math.abs(a - b) < 1e-9;
  }
}
