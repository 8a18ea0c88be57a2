/**
 * `t.csms.*` for one charger. Observations (expect, expectNone, sent, lastTransactionId) work
 * with the embedded CSMS and with an external one (through the agent's own traffic log);
 * control steps (send, respondTo, disconnect …) need the embedded CSMS and otherwise fail with
 * a usage error naming the step.
 *
 * Steps are written in OCPP 1.6 words. On an OCPP 2.0.1 charger they are said and seen in 2.0.1
 * where the two versions mean the same thing (ocpp201Words.ts): `csms.expect('StartTransaction')`
 * is met by a TransactionEvent Started, `csms.send('RemoteStartTransaction', …)` sends a
 * RequestStartTransaction and answers in 1.6 words, and `csms.respondTo('StartTransaction', …)` /
 * `csms.failNext('StopTransaction')` answer the TransactionEvent Started / Ended. What only 2.0.1
 * has is scripted in its own words: `csms.respondTo('TransactionEvent', reply, { match: { eventType:
 * 'Updated' } })`.
 */
import type { Ocpp16Action, RequestOf, ResponseOf } from '../../agent/ocpp16/messages.js';
import { callError, isRpcError, NO_REPLY, type CallMatch, type EmbeddedCsms } from '../csms/EmbeddedCsms.js';
import type { AnyInboundAction, InboundAction, Reply, ReplyContext } from '../csms/CsmsReplies.js';
import { matchesPartial } from '../csms/matchesPartial.js';
import type { ObservedCall } from './csmsView.js';
import { answerIn16Words, answerIn201, In16Words, sayIn201, seenIn16Words, TRANSACTION_EVENT_OF, type AnsweredAsTransactionEvent } from './ocpp201Words.js';
import { ScenarioFailure } from './errors.js';
import type { StepTools } from './stepTools.js';
import { parseDuration } from './words.js';

export interface ExpectCallOptions {
  /** How much time (virtual, or real against hardware or an external CSMS) the charger gets (default '1m'). */
  readonly within?: string | number;
}

export interface CsmsSteps {
  expect<A extends Ocpp16Action>(action: A, match?: CallMatch<A>, options?: ExpectCallOptions): Promise<RequestOf<A>>;
  /**
   * Waits (default '1m') for the charger to tell the CSMS that the EV at `connector` is in `state` during its
   * transaction: Charging, SuspendedEV (the EV takes no energy) or SuspendedEVSE (the charger offers none). On
   * OCPP 1.6 that is a StatusNotification with that status; on 2.0.1 a TransactionEvent whose
   * transactionInfo.chargingState is that state (the EVSE's StatusNotification stays Occupied). Reports sent
   * since the previous `expectChargingState` count.
   */
  expectChargingState(connector: number, state: ChargingStateName, options?: ExpectCallOptions): Promise<void>;
  /** Fails if the charger sends a matching call within the time given (default '1m'). */
  expectNone<A extends Ocpp16Action>(action: A, match?: CallMatch<A>, options?: ExpectCallOptions): Promise<void>;
  send<A extends Ocpp16Action>(action: A, payload: RequestOf<A>): Promise<ResponseOf<A>>;
  /** Sends a call the charger must refuse with a CallError; returns its error code. */
  sendError<A extends Ocpp16Action>(action: A, payload: RequestOf<A>): Promise<string>;
  /** The id the CSMS gave the latest transaction (fails when there is none). */
  lastTransactionId(): number;
  /**
   * How the CSMS answers `action` from now on (or its next `times` calls; with `match`, only the calls
   * that match, the others get the usual answer). On a 2.0.1 charger StartTransaction / StopTransaction
   * answer its TransactionEvent Started / Ended (in 1.6 words: `idTagInfo`); `TransactionEvent` itself
   * is scripted in 2.0.1 words (2.0.1 only).
   */
  respondTo<A extends ScriptedAction>(action: A, reply: Reply<A>, options?: ScriptOptions): void;
  /** Answers the next call of `action` (the next matching one, with `match`) with a CallError. */
  failNext(action: ScriptedAction, code?: Parameters<typeof callError>[0], options?: { match?: CallMatch<never> | Record<string, unknown> }): void;
  /** Leaves the next call of `action` (the next matching one) unanswered: the charger's call times out (10 s). */
  ignoreNext(action: ScriptedAction, options?: { match?: CallMatch<never> | Record<string, unknown> }): void;
  /** Drops the connection; with `{ offline: true }` the CSMS stays unreachable until {@link online}. */
  disconnect(options?: { offline?: boolean }): Promise<void>;
  online(): Promise<void>;
  /** Every call the charger sent for `action` so far. */
  sent<A extends Ocpp16Action>(action: A): RequestOf<A>[];
}

/** What the EV does during a transaction, as both versions report it (1.6 connector statuses, 2.0.1 chargingState). */
export const CHARGING_STATES = ['Charging', 'SuspendedEV', 'SuspendedEVSE'] as const;
export type ChargingStateName = (typeof CHARGING_STATES)[number];
/** The cursor of expectChargingState (no OCPP action has this name). */
const CHARGING_STATE_CURSOR = '#chargingState';

/** What a scenario may script the answers of: the 1.6 inbound calls, and 2.0.1's TransactionEvent. */
export type ScriptedAction = InboundAction | 'TransactionEvent';

export interface ScriptOptions {
  /** Only the next `times` (matching) calls. */
  readonly times?: number;
  /** Only calls whose payload contains this (a partial payload) or for which this predicate is true. */
  readonly match?: CallMatch<never> | Record<string, unknown>;
}

const describeMatch = (match: unknown) => (match === undefined ? '' : typeof match === 'function' ? ' (matching a predicate)' : ` matching ${JSON.stringify(match)}`);

export function csmsSteps(k: StepTools): CsmsSteps {
  const { h, c } = k;
  const cp = c.id;
  const cursor = new Map<string, number>();
  /** The Reset type last sent: a 2.0.1 ImmediateReset stop is a SoftReset or HardReset in 1.6 words. */
  let resetType: string | undefined;
  let requestId = 0;
  /** The requestIds of the GetLogs that were the scenario's GetDiagnostics (2.0.1). */
  const diagnostics = new Set<number>();
  const v201 = h.ocppVersion === '2.0.1';
  const calls = (action: string, since: number): ObservedCall[] => {
    if (!v201) return h.csms.calls(cp, action, since);
    // From the first call on, so that what earlier calls said (a problem before its Faulted) counts.
    const words = new In16Words(resetType, diagnostics);
    return h.csms
      .allCalls(cp, 0)
      .flatMap((r) => words.seen(r.action, r.payload).map((c) => ({ seq: r.seq, action: c.action, payload: c.payload })))
      .filter((c) => c.action === action && c.seq > since);
  };
  /** Calls the charger in its version: a 1.6 call said in 2.0.1 for a 2.0.1 charger, the answer back in 1.6 words. */
  const callCharger = async (csms: ReturnType<typeof control>, action: string, payload: unknown, asIs = false): Promise<unknown> => {
    if (action === 'Reset') resetType = String((payload as { type?: unknown }).type);
    if (!v201 || asIs) return csms.call(cp, action as Ocpp16Action, payload as never, { timeoutMs: 10_000 });
    const said = sayIn201(action, payload, {
      stationTransactionId: (n) => csms.transactions(cp).findLast((t) => t.transactionId === n)?.stationTransactionId ?? String(n),
      nextRequestId: () => ++requestId,
      diagnosticsRequest: (id) => diagnostics.add(id),
    });
    if ('answerWithout' in said) return said.answerWithout;
    return said.answer(await csms.call(cp, said.action as never, said.payload as never, { timeoutMs: 10_000 }));
  };
  /** Inbound actions only one version has: a scripted answer to them cannot apply to a charger of the other. */
  const oneVersionOnly = (step: string, action: string): void => {
    if (v201 && ['DiagnosticsStatusNotification', 'SignedFirmwareStatusNotification'].includes(action)) {
      throw k.usage(step, `${action} is not sent by an OCPP 2.0.1 charger; give the scenario onlyOcpp: { version: '1.6', reason: … }`);
    }
    if (!v201 && action === 'TransactionEvent') {
      throw k.usage(step, `TransactionEvent is an OCPP 2.0.1 message (a 1.6 charger sends StartTransaction, MeterValues, StopTransaction); script those, or give the scenario onlyOcpp: { version: '2.0.1', reason: … }`);
    }
  };
  /**
   * The charging states charger `cp` reported for connector `n` after `since`, as `{ connectorId, state }`: 1.6
   * StatusNotifications with one of {@link CHARGING_STATES}, 2.0.1 TransactionEvents with a chargingState (their
   * EVSE named in the transaction's first event that names it: later ones may leave it out).
   */
  const chargingStates = (n: number, since: number): ObservedCall[] => {
    const is = (state: unknown): state is ChargingStateName => (CHARGING_STATES as readonly unknown[]).includes(state);
    if (!v201) {
      return h.csms.calls(cp, 'StatusNotification', since).flatMap((r) => {
        const p = r.payload as { connectorId?: number; status?: unknown };
        return p.connectorId === n && is(p.status) ? [{ seq: r.seq, payload: { connectorId: n, state: p.status } }] : [];
      });
    }
    const evseOf = new Map<string, number>();
    return h.csms.calls(cp, 'TransactionEvent', 0).flatMap((r) => {
      const p = r.payload as { evse?: { id: number }; transactionInfo?: { transactionId: string; chargingState?: unknown } };
      const id = p.transactionInfo?.transactionId ?? '';
      if (p.evse && !evseOf.has(id)) evseOf.set(id, p.evse.id);
      const state = p.transactionInfo?.chargingState;
      return r.seq > since && evseOf.get(id) === n && is(state) ? [{ seq: r.seq, payload: { connectorId: n, state } }] : [];
    });
  };
  const matches = (payload: unknown, match: unknown): boolean =>
    match === undefined || (typeof match === 'function' ? Boolean((match as (p: unknown) => unknown)(payload)) : matchesPartial(payload, match as never));
  /**
   * The scenario's scripts of one wire action, in one CSMS override per action (registered on first
   * use) so that a script with a `match` lets the calls it does not match go on to the others: limited
   * ones (`times`) first, oldest first, then the newest permanent one, as the CSMS itself picks.
   */
  interface Script {
    applies(request: unknown): boolean;
    left: number;
    answer(request: unknown, ctx: ReplyContext<AnyInboundAction>): Promise<unknown>;
  }
  const scripts = new Map<AnyInboundAction, Script[]>();
  const scriptsOf = (csms: EmbeddedCsms, wireAction: AnyInboundAction): Script[] => {
    let list = scripts.get(wireAction);
    if (list) return list;
    const mine: Script[] = (list = []);
    scripts.set(wireAction, mine);
    csms.respondTo(
      wireAction,
      async (request, ctx) => {
        const applicable = mine.filter((x) => x.applies(request));
        const chosen = applicable.find((x) => x.left !== Infinity) ?? applicable.findLast((x) => x.left === Infinity);
        if (!chosen) return ctx.defaultReply();
        if (--chosen.left <= 0) mine.splice(mine.indexOf(chosen), 1);
        return chosen.answer(request, ctx) as never;
      },
      { chargePointId: cp },
    );
    return mine;
  };
  /**
   * Scripts the CSMS's answer to `action` as the scenario wrote it. On a 2.0.1 charger a
   * StartTransaction / StopTransaction answer is the answer to the TransactionEvent Started / Ended:
   * the scenario's reply sees the request and `ctx.defaultReply()` in 1.6 words and answers in them.
   * `match` (on the request as the scenario sees it) and `times` count only the calls it matches.
   */
  const script = (csms: EmbeddedCsms, action: ScriptedAction, reply: Reply<AnyInboundAction>, options: ScriptOptions): void => {
    const eventType = v201 ? TRANSACTION_EVENT_OF[action as AnsweredAsTransactionEvent] : undefined;
    const seen = (request: unknown): unknown => (eventType ? seenIn16Words('TransactionEvent', request)[0]?.payload : request);
    scriptsOf(csms, eventType ? 'TransactionEvent' : action).push({
      left: options.times ?? Infinity,
      applies: (request) => (!eventType || (request as { eventType?: string }).eventType === eventType) && matches(seen(request), options.match),
      async answer(request, ctx) {
        if (!eventType) return typeof reply === 'function' ? reply(request as never, ctx) : reply;
        const ctx16 = { ...ctx, defaultReply: () => answerIn16Words(action as AnsweredAsTransactionEvent, request, ctx.defaultReply()) } as ReplyContext<AnyInboundAction>;
        const value = typeof reply === 'function' ? await reply(seen(request) as never, ctx16) : reply;
        return isRpcError(value) || value === NO_REPLY ? value : answerIn201(value);
      },
    });
  };
  const matcher = (match: unknown) => (r: ObservedCall) =>
    typeof match === 'function' ? (match as (p: unknown) => boolean)(r.payload) : match === undefined || matchesPartial(r.payload, match as never);
  const control = (step: string) => h.csms.control(k.step(step));

  return {
    async expect(action, match, options = {}) {
      const step = k.step(`csms.expect(${action})`);
      if (typeof action !== 'string' || (action as string) === '') throw k.usage('csms.expect', 'action must be an OCPP action name');
      const within = parseDuration(options.within ?? '1m', `${step} within`);
      const since = cursor.get(action) ?? 0;
      const deadline = h.clock.now() + within;
      h.note('step', k.say(`expect ${action}${describeMatch(match)} within ${within / 1000} s`));
      for (;;) {
        await h.settle();
        const found = calls(action, since).find(matcher(match));
        if (found) {
          cursor.set(action, found.seq);
          return found.payload as RequestOf<typeof action>;
        }
        if (h.clock.now() >= deadline) break;
        await h.advance(Math.min(k.pollMs, deadline - h.clock.now()));
      }
      const seen = calls(action, since).map((r) => JSON.stringify(r.payload));
      throw new ScenarioFailure(step, `a ${action}${describeMatch(match)} within ${within / 1000} s`, seen.length ? `${action} ${seen.slice(-3).join(', ')}` : `no ${action}`);
    },
    async expectChargingState(n, state, options = {}) {
      const step = k.step(`csms.expectChargingState(${n}, ${state})`);
      k.oneOf('csms.expectChargingState', 'state', state, CHARGING_STATES);
      k.connector('csms.expectChargingState', n);
      const within = parseDuration(options.within ?? '1m', `${step} within`);
      const since = cursor.get(CHARGING_STATE_CURSOR) ?? 0;
      const deadline = h.clock.now() + within;
      h.note('step', k.say(`expect the charger to report the EV at connector ${n} ${state} within ${within / 1000} s`));
      for (;;) {
        await h.settle();
        const found = chargingStates(n, since).find((r) => (r.payload as { state: string }).state === state);
        if (found) {
          cursor.set(CHARGING_STATE_CURSOR, found.seq);
          return;
        }
        if (h.clock.now() >= deadline) break;
        await h.advance(Math.min(k.pollMs, deadline - h.clock.now()));
      }
      const seen = chargingStates(n, since).map((r) => (r.payload as { state: string }).state);
      const actual = v201
        ? seen.length ? `TransactionEvent chargingState ${seen.slice(-3).join(', ')}` : `no TransactionEvent with a chargingState for EVSE ${n}`
        : seen.length ? `StatusNotification ${seen.slice(-3).join(', ')}` : `no StatusNotification of ${CHARGING_STATES.join(', ')} for connector ${n}`;
      throw new ScenarioFailure(step, `the charger to report connector ${n} ${state} within ${within / 1000} s`, actual);
    },
    async expectNone(action, match, options = {}) {
      const step = k.step(`csms.expectNone(${action})`);
      const within = parseDuration(options.within ?? '1m', `${step} within`);
      if (!h.virtual && within > h.maxRealWaitMs) throw k.usage(`csms.expectNone(${action})`, realWaitRefusal(within, h.maxRealWaitMs));
      const since = Math.max(cursor.get(action) ?? 0, h.csms.mark());
      h.note('step', k.say(`expect no ${action}${describeMatch(match)} for ${within / 1000} s`));
      await h.advance(within);
      const bad = calls(action, since).find(matcher(match));
      if (bad) throw new ScenarioFailure(step, `no ${action}${describeMatch(match)} for ${within / 1000} s`, `${action} ${JSON.stringify(bad.payload)}`);
    },
    async sendError(action, payload) {
      const csms = control(`csms.sendError(${action})`);
      h.note('step', k.say(`CSMS sends ${action} (expecting a CallError)`));
      try {
        // A call meant to be refused that 2.0.1 has no words for goes as it is: it is refused all the same.
        let asIs = false;
        try {
          if (v201) sayIn201(action, payload, { stationTransactionId: String, nextRequestId: () => 0 });
        } catch {
          asIs = true;
        }
        const result = await callCharger(csms, action, payload, asIs);
        throw new ScenarioFailure(k.step(`csms.sendError(${action})`), 'a CallError', `a result ${JSON.stringify(result)}`);
      } catch (err) {
        if (err instanceof ScenarioFailure) throw err;
        const code = (err as { rpcErrorCode?: string }).rpcErrorCode;
        if (!code) throw err;
        return code;
      }
    },
    lastTransactionId() {
      const id = h.csms.transactionIds(cp).at(-1);
      if (id === undefined) throw new ScenarioFailure(k.step('csms.lastTransactionId()'), 'a transaction at the CSMS', 'none');
      return id;
    },
    async send(action, payload) {
      const csms = control(`csms.send(${action})`);
      h.note('step', k.say(`CSMS sends ${action}`));
      if (!csms.isConnected(cp)) throw new ScenarioFailure(k.step(`csms.send(${action})`), 'the charger connected to the CSMS', 'not connected');
      const result = (await callCharger(csms, action, payload)) as ResponseOf<typeof action>;
      await h.advance(1000);
      return result;
    },
    respondTo(action, reply, options = {}) {
      const csms = control(`csms.respondTo(${action})`);
      oneVersionOnly(`csms.respondTo(${action})`, action);
      h.note('step', k.say(`CSMS will answer ${action}${describeMatch(options.match)}${options.times ? ` (next ${options.times})` : ''} with ${typeof reply === 'function' ? 'a function' : JSON.stringify(reply)}`));
      script(csms, action, reply as Reply<AnyInboundAction>, options);
    },
    failNext(action, code = 'InternalError', options = {}) {
      const csms = control(`csms.failNext(${action})`);
      oneVersionOnly(`csms.failNext(${action})`, action);
      h.note('step', k.say(`CSMS will answer the next ${action}${describeMatch(options.match)} with CallError ${code}`));
      script(csms, action, callError(code, 'scenario'), { times: 1, ...(options.match !== undefined && { match: options.match }) });
    },
    ignoreNext(action, options = {}) {
      const csms = control(`csms.ignoreNext(${action})`);
      oneVersionOnly(`csms.ignoreNext(${action})`, action);
      h.note('step', k.say(`CSMS will not answer the next ${action}${describeMatch(options.match)}`));
      const noAnswer = () => {
        h.unanswered(cp);
        return NO_REPLY;
      };
      script(csms, action, noAnswer as Reply<AnyInboundAction>, { times: 1, ...(options.match !== undefined && { match: options.match }) });
    },
    async disconnect(options = {}) {
      const csms = control('csms.disconnect');
      h.note('step', k.say(options.offline ? 'CSMS goes offline' : 'CSMS drops the connection'));
      h.offline = options.offline ?? false;
      await csms.disconnect(cp, { code: 1001, reason: 'scenario' });
      await h.advance(1000);
    },
    async online() {
      control('csms.online');
      h.note('step', k.say('CSMS is reachable again'));
      h.offline = false;
      await h.advance(1000);
    },
    sent: (action) => calls(action, 0).map((r) => r.payload as RequestOf<typeof action>),
  };
}

export function realWaitRefusal(ms: number, limitMs: number): string {
  return `${ms / 1000} s of real time is above the limit of ${limitMs / 1000} s per step on real time (serial HAL or external CSMS); shorten the step or raise --max-wait`;
}
