/**
 * The counts `evse csms --quiet` prints instead of frames: per action both ways, connections,
 * violations, messages/s, and the one-line human form of a summary.
 */
import type { TrafficRecord } from './TrafficLog.js';
import type { Violation } from './Violations.js';

/** In counting mode, violations printed in full before only their count goes on. */
export const QUIET_VIOLATIONS_SHOWN = 10;

/** Counts of one OCPP action, both directions. */
export interface ActionCounts {
  /** Calls the charge points sent (in) and the CSMS's results to them (out). */
  callsIn: number;
  resultsOut: number;
  /** Calls the CSMS sent and the charge points' results. */
  callsOut: number;
  resultsIn: number;
  /** CallErrors either way. */
  callErrors: number;
  /** Schema violations either way (invalid call or result; bad frames count under `frame`). */
  violations: number;
}

export interface CsmsSummary {
  readonly uptimeS: number;
  readonly connected: number;
  readonly connects: number;
  readonly disconnects: number;
  readonly refused: number;
  readonly messagesIn: number;
  readonly messagesOut: number;
  /** Over the last interval (the whole run in the final summary). */
  readonly messagesPerS: number;
  readonly callErrors: number;
  readonly violations: number;
  readonly actions: Readonly<Record<string, Readonly<ActionCounts>>>;
}

/** Counts what the CSMS sees; cheap enough for every frame of a 10,000-charger fleet. */
export class CsmsCounter {
  private readonly startedAt: number;
  private readonly byAction = new Map<string, ActionCounts>();
  private connected = 0;
  private connects = 0;
  private disconnects = 0;
  private refused = 0;
  private messagesIn = 0;
  private messagesOut = 0;
  private callErrors = 0;
  private violations = 0;
  private lastAt: number;
  private lastMessages = 0;

  constructor(private readonly now: () => number = Date.now) {
    this.startedAt = now();
    this.lastAt = this.startedAt;
  }

  message(record: Pick<TrafficRecord, 'direction' | 'kind' | 'action'>): void {
    const inbound = record.direction === 'in';
    if (inbound) this.messagesIn += 1;
    else this.messagesOut += 1;
    if (record.kind === 'malformed') return;
    const c = this.action(record.action ?? '?');
    if (record.kind === 'call') {
      if (inbound) c.callsIn += 1;
      else c.callsOut += 1;
    } else if (record.kind === 'result') {
      if (inbound) c.resultsIn += 1;
      else c.resultsOut += 1;
    } else {
      c.callErrors += 1;
      this.callErrors += 1;
    }
  }

  violation(v: Pick<Violation, 'action'>): void {
    this.violations += 1;
    this.action(v.action ?? 'frame').violations += 1;
  }

  connect(): void {
    this.connected += 1;
    this.connects += 1;
  }

  disconnect(): void {
    this.connected = Math.max(0, this.connected - 1);
    this.disconnects += 1;
  }

  refuse(): void {
    this.refused += 1;
  }

  /** A snapshot; `final` rates over the whole run, otherwise since the previous snapshot. */
  summary(final = false): CsmsSummary {
    const t = this.now();
    const total = this.messagesIn + this.messagesOut;
    const since = final ? this.startedAt : this.lastAt;
    const count = final ? total : total - this.lastMessages;
    if (!final) {
      this.lastAt = t;
      this.lastMessages = total;
    }
    const actions: Record<string, ActionCounts> = {};
    for (const [name, c] of [...this.byAction].sort(([a], [b]) => a.localeCompare(b))) actions[name] = { ...c };
    return {
      uptimeS: (t - this.startedAt) / 1000,
      connected: this.connected,
      connects: this.connects,
      disconnects: this.disconnects,
      refused: this.refused,
      messagesIn: this.messagesIn,
      messagesOut: this.messagesOut,
      messagesPerS: t > since ? (count * 1000) / (t - since) : 0,
      callErrors: this.callErrors,
      violations: this.violations,
      actions,
    };
  }

  private action(name: string): ActionCounts {
    let c = this.byAction.get(name);
    if (!c) {
      c = { callsIn: 0, resultsOut: 0, callsOut: 0, resultsIn: 0, callErrors: 0, violations: 0 };
      this.byAction.set(name, c);
    }
    return c;
  }
}

/** `Action in/out` for charge-point calls, `Action ⇠out/in` for CSMS calls, `err n`, `viol n`. */
function formatAction(name: string, c: ActionCounts): string {
  const parts: string[] = [];
  if (c.callsIn || c.resultsOut) parts.push(`${c.callsIn}/${c.resultsOut}`);
  if (c.callsOut || c.resultsIn) parts.push(`⇠${c.callsOut}/${c.resultsIn}`);
  if (c.callErrors) parts.push(`err ${c.callErrors}`);
  if (c.violations) parts.push(`viol ${c.violations}`);
  return `${name} ${parts.join(' ')}`;
}

/** One human line: totals, then per action `calls in/results out` (and the rarer figures). */
export function formatSummary(s: CsmsSummary, final = false): string {
  const head =
    `${final ? 'final ' : ''}[${s.uptimeS.toFixed(0)}s] connected ${s.connected}  msg/s ${s.messagesPerS.toFixed(0)}  ` +
    `in ${s.messagesIn}  out ${s.messagesOut}  callErrors ${s.callErrors}  violations ${s.violations}` +
    (s.disconnects || s.refused ? `  disconnects ${s.disconnects}  refused ${s.refused}` : '');
  const actions = Object.entries(s.actions).map(([name, c]) => formatAction(name, c));
  return actions.length ? `${head} | ${actions.join('  ')}` : head;
}
