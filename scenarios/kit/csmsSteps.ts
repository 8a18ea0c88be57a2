/**
 * `t.csms.*` for one charger. Observations (expect, expectNone, sent, lastTransactionId) work
 * with the embedded CSMS and with an external one (through the agent's own traffic log);
 * control steps (send, respondTo, disconnect …) need the embedded CSMS and otherwise fail with
 * a usage error naming the step.
 */
import type { Ocpp16Action, RequestOf, ResponseOf } from '../../agent/ocpp16/messages.js';
import { callError, type CallMatch } from '../csms/EmbeddedCsms.js';
import type { InboundAction, Reply } from '../csms/CsmsReplies.js';
import { matchesPartial } from '../csms/matchesPartial.js';
import type { ObservedCall } from './csmsView.js';
import { ScenarioFailure } from './errors.js';
import type { StepTools } from './stepTools.js';
import { parseDuration } from './words.js';

export interface ExpectCallOptions {
  /** How much time (virtual, or real against hardware or an external CSMS) the charger gets (default '1m'). */
  readonly within?: string | number;
}

export interface CsmsSteps {
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
}

const describeMatch = (match: unknown) => (match === undefined ? '' : typeof match === 'function' ? ' (matching a predicate)' : ` matching ${JSON.stringify(match)}`);

export function csmsSteps(k: StepTools): CsmsSteps {
  const { h, c } = k;
  const cp = c.id;
  const cursor = new Map<string, number>();
  const calls = (action: string, since: number) => h.csms.calls(cp, action, since);
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
        const result = await csms.call(cp, action, payload, { timeoutMs: 10_000 });
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
      const result = await csms.call(cp, action, payload, { timeoutMs: 10_000 });
      await h.advance(1000);
      return result;
    },
    respondTo(action, reply, options = {}) {
      const csms = control(`csms.respondTo(${action})`);
      h.note('step', k.say(`CSMS will answer ${action}${options.times ? ` (next ${options.times})` : ''} with ${typeof reply === 'function' ? 'a function' : JSON.stringify(reply)}`));
      csms.respondTo(action, reply, { chargePointId: cp, ...(options.times && { times: options.times }) });
    },
    failNext(action, code = 'InternalError') {
      const csms = control(`csms.failNext(${action})`);
      h.note('step', k.say(`CSMS will answer the next ${action} with CallError ${code}`));
      csms.respondOnce(action, callError(code, 'scenario'), { chargePointId: cp });
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
