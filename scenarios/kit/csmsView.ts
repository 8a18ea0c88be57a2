/**
 * What a scenario sees of the CSMS. With the embedded strict CSMS it sees the CSMS's own
 * traffic log and may control it (send calls, script replies, drop connections). With an
 * external CSMS (`--csms ws://…`) it sees only what each agent logged of its own traffic
 * (agent 'traffic' events) and controls nothing: control steps are refused by name.
 */
import type { Agent } from '../../agent/Agent.js';
import type { TrafficRecord as AgentTrafficRecord } from '../../agent/ocpp/OcppTraffic.js';
import type { EmbeddedCsms } from '../csms/EmbeddedCsms.js';
import { formatMessage } from '../csms/formatMessage.js';
import type { TrafficRecord } from '../csms/TrafficLog.js';
import { ScenarioUsageError } from './errors.js';
import { transactionNumber } from './ocpp201Words.js';

/** The steps that need a CSMS the kit controls. */
export const CSMS_CONTROL_STEPS = ['send', 'sendError', 'respondTo', 'failNext', 'ignoreNext', 'disconnect', 'online'] as const;

export interface ObservedCall {
  readonly seq: number;
  readonly payload: unknown;
}

export interface ObservedAnyCall extends ObservedCall {
  readonly action: string;
}

export interface CsmsView {
  /** `embedded`, or the URL of the external CSMS. */
  readonly label: string;
  /** Calls charger `cp` sent for `action` with a sequence number above `since`, oldest first. */
  calls(cp: string, action: string, since: number): ObservedCall[];
  /** Every call charger `cp` sent with a sequence number above `since`, oldest first. */
  allCalls(cp: string, since: number): ObservedAnyCall[];
  /** The latest sequence number (for "from now on"). */
  mark(): number;
  /** Transaction ids the CSMS gave charger `cp`, in order. */
  transactionIds(cp: string): number[];
  /** Schema violations by charger `cp` the CSMS saw (external: none can be seen). */
  violations(cp: string): unknown[];
  isConnected(cp: string): boolean;
  /** The embedded CSMS, for steps that control it; a {@link ScenarioUsageError} naming `step` otherwise. */
  control(step: string): EmbeddedCsms;
  /** Starts recording an agent's traffic (external) and timeline lines for it. */
  attach(agent: Agent, note: (cp: string, text: string) => void): void;
}

/** `note(cp, line)` gets one timeline line per message. */
export function embeddedView(csms: EmbeddedCsms, note: (cp: string, text: string) => void): CsmsView {
  csms.on('message', (r) => note(r.chargePointId, line(r)));
  return {
    label: 'embedded',
    calls: (cp, action, since) =>
      csms.traffic((r) => r.chargePointId === cp && r.direction === 'in' && r.kind === 'call' && r.action === action && r.seq > since),
    allCalls: (cp, since) =>
      csms.traffic((r) => r.chargePointId === cp && r.direction === 'in' && r.kind === 'call' && r.seq > since).map((r) => ({ seq: r.seq, action: r.action ?? '', payload: r.payload })),
    mark: () => csms.mark(),
    transactionIds: (cp) => csms.transactions(cp).map((t) => t.transactionId),
    violations: (cp) => csms.violations(cp).filter((v) => v.by === 'chargePoint'),
    isConnected: (cp) => csms.isConnected(cp),
    control: () => csms,
    attach: () => undefined,
  };
}

/** Observes an external CSMS through the agents' traffic logs. */
export function externalView(url: string): CsmsView {
  let seq = 0;
  const log: TrafficRecord[] = [];
  const states = new Map<string, () => boolean>();
  return {
    label: url,
    calls: (cp, action, since) =>
      log.filter((r) => r.chargePointId === cp && r.direction === 'in' && r.kind === 'call' && r.action === action && r.seq > since),
    allCalls: (cp, since) =>
      log.filter((r) => r.chargePointId === cp && r.direction === 'in' && r.kind === 'call' && r.seq > since).map((r) => ({ seq: r.seq, action: r.action ?? '', payload: r.payload })),
    mark: () => seq,
    transactionIds(cp) {
      const ids: number[] = [];
      for (const r of log) {
        if (r.chargePointId !== cp) continue;
        const id = (r.payload as { transactionId?: unknown } | null)?.transactionId;
        if (r.direction === 'out' && r.kind === 'result' && r.action === 'StartTransaction' && typeof id === 'number') ids.push(id);
        // OCPP 2.0.1: the station names its transactions; the number is what the CSMS knows it by.
        const event = r.payload as { eventType?: string; transactionInfo?: { transactionId: string } } | null;
        if (r.direction === 'in' && r.kind === 'call' && r.action === 'TransactionEvent' && event?.eventType === 'Started' && event.transactionInfo) {
          const n = transactionNumber(event.transactionInfo.transactionId);
          if (n !== undefined) ids.push(n);
        }
      }
      return ids;
    },
    violations: () => [],
    isConnected: (cp) => states.get(cp)?.() === true,
    control(step) {
      throw new ScenarioUsageError(
        `${step}: needs control of the CSMS, but this run uses the external CSMS ${url}; against an external CSMS the kit only observes the charger's own traffic (csms.expect, csms.expectNone, csms.sent, csms.lastTransactionId)`,
      );
    },
    attach(agent, note) {
      const cp = agent.chargePointId;
      states.set(cp, () => agent.link.state === 'accepted');
      agent.on('traffic', (r: AgentTrafficRecord) => {
        const record: TrafficRecord = {
          seq: ++seq,
          t: r.at,
          chargePointId: cp,
          // The CSMS's point of view, as in the embedded log: 'in' is charger → CSMS.
          direction: r.direction === 'out' ? 'in' : 'out',
          kind: r.type === 'invalid' ? 'malformed' : r.type,
          action: r.action,
          payload: r.payload,
          messageId: r.messageId,
          raw: '',
        };
        log.push(record);
        note(cp, line(record));
      });
    },
  };
}

/** A traffic record as a timeline line, without the clock time and charger id (the timeline has both). */
function line(r: TrafficRecord): string {
  return formatMessage(r, { utc: true }).replace(/^\S+ \S+ /, '');
}
