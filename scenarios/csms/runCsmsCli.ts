/**
 * `evse csms`: the embedded CSMS on its own, printing every message for people (or as JSON
 * lines with `json`) until SIGINT/SIGTERM or an abort signal. With `summaryIntervalS` (`--quiet`,
 * `--summary <s>`) it prints no frames, only counts: a summary line every interval and a final
 * summary on stop (the CSMS still validates both ways). bin/ parses the options and calls this;
 * it is the one place in scenarios/csms that writes to stdout.
 */
import type { Logger } from 'pino';
import { EmbeddedCsms } from './EmbeddedCsms.js';
import { clockTime, formatMessage } from './formatMessage.js';
import type { TrafficRecord } from './TrafficLog.js';
import type { Violation } from './Violations.js';

export interface CsmsCliOptions {
  /** Default 127.0.0.1: the CSMS has no authentication unless `password` is set. */
  readonly host?: string;
  /** Default 9000, which the default csms.url (ws://127.0.0.1:9000/ocpp) points at. */
  readonly port?: number;
  /** JSON lines instead of human lines. */
  readonly json?: boolean;
  readonly logger?: Logger;
  /** Require this HTTP Basic password from every charge point (OCPP security profile 1). */
  readonly password?: string;
  /** Heartbeat interval (s) in BootNotification replies. Default 300. */
  readonly heartbeatInterval?: number;
  /** Human lines with UTC clock times. */
  readonly utc?: boolean;
  /** Where lines go. Default: stdout. */
  readonly write?: (line: string) => void;
  /** Stops the CSMS when aborted (besides SIGINT/SIGTERM). */
  readonly signal?: AbortSignal;
  /** Stop on SIGINT/SIGTERM. Default true. */
  readonly handleSignals?: boolean;
  /**
   * Counting mode: no per-frame or per-connection lines; every this many seconds one summary
   * line (per-action counts, connected charge points, messages/s) and a final summary on stop.
   * The first {@link QUIET_VIOLATIONS_SHOWN} violations are still printed in full.
   */
  readonly summaryIntervalS?: number;
}

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

/** Traffic records `evse csms --quiet` keeps (it prints counts, not frames). */
const QUIET_TRAFFIC_LIMIT = 1000;

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

export interface CsmsCliHandle {
  readonly csms: EmbeddedCsms;
  readonly url: string;
  /** The counts in counting mode (`summaryIntervalS`), else undefined. */
  readonly counter: CsmsCounter | undefined;
  /** Settles once the CSMS has stopped. */
  readonly closed: Promise<void>;
  stop(): Promise<void>;
}

/** Starts the CSMS and the printing; rejects if it cannot listen (e.g. EADDRINUSE). */
export async function runCsmsCli(options: CsmsCliOptions = {}): Promise<CsmsCliHandle> {
  const write = options.write ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const { json = false, utc = false, password } = options;
  const intervalS = options.summaryIntervalS;
  const quiet = intervalS !== undefined;
  const csms = new EmbeddedCsms({
    ...(options.logger ? { logger: options.logger } : {}),
    // Quiet, it only counts: a short traffic log (it still pairs answers with calls) keeps a
    // fleet-sized run from holding 100,000 parsed frames.
    ...(quiet ? { trafficLimit: QUIET_TRAFFIC_LIMIT } : {}),
    bootPolicy: { interval: options.heartbeatInterval ?? 300 },
    ...(password === undefined ? {} : { auth: (request) => request.password === password }),
  });
  const emit = (type: string, human: string, fields: Record<string, unknown>): void =>
    write(json ? JSON.stringify({ type, t: new Date().toISOString(), ...fields }) : `${clockTime(Date.now(), utc)} ${human}`);

  const printViolation = (v: Violation): void =>
    emit('violation', `! ${v.chargePointId}: ${v.by === 'csms' ? 'CSMS' : 'charge point'} sent an invalid ${v.action ?? 'frame'}: ${v.error}`, { ...v, t: new Date(v.t).toISOString() });

  if (quiet && !(Number.isFinite(intervalS) && intervalS > 0)) throw new RangeError(`summary interval must be a positive number of seconds, got ${intervalS}`);
  const counter = quiet ? new CsmsCounter() : undefined;
  const emitSummary = (final: boolean): void => {
    if (!counter) return;
    const s = counter.summary(final);
    if (json) write(JSON.stringify({ type: final ? 'final' : 'summary', t: new Date().toISOString(), ...s }));
    else write(`${clockTime(Date.now(), utc)} ${formatSummary(s, final)}`);
  };
  if (counter) {
    let shown = 0;
    csms.on('message', (record) => counter.message(record));
    csms.on('connect', () => counter.connect());
    csms.on('disconnect', () => counter.disconnect());
    csms.on('refused', () => counter.refuse());
    csms.on('violation', (v) => {
      counter.violation(v);
      if (shown++ < QUIET_VIOLATIONS_SHOWN) printViolation(v);
    });
  } else {
    csms.on('message', (record) => {
      if (!json) return write(formatMessage(record, { utc }));
      const { seq: _seq, raw, t, ...rest } = record;
      write(JSON.stringify({ type: 'message', ...rest, t: new Date(t).toISOString(), ...(record.kind === 'malformed' ? { raw } : {}) }));
    });
    csms.on('connect', (e) => emit('connect', `${e.chargePointId} connected from ${e.remoteAddress ?? '?'} (path ${e.endpoint})`, e));
    csms.on('disconnect', (e) => emit('disconnect', `${e.chargePointId} disconnected (${e.code}${e.reason ? ` ${e.reason}` : ''})`, e));
    csms.on('refused', (e) => emit('refused', `${e.chargePointId} refused: ${e.status} ${e.reason}`, e));
    csms.on('violation', printViolation);
  }

  const { url } = await csms.start({ host: options.host ?? '127.0.0.1', port: options.port ?? 9000 });
  emit('listening', `listening on ${url}: charge points connect to ${url}/<chargePointId> (any path before the id, e.g. ${url}/ocpp/CP001)`, { url });
  const ticker = quiet ? setInterval(() => emitSummary(false), intervalS * 1000) : undefined;
  ticker?.unref();

  let stopping: Promise<void> | undefined;
  let markClosed = (): void => undefined;
  const closed = new Promise<void>((resolve) => (markClosed = resolve));
  const signals: NodeJS.Signals[] = options.handleSignals === false ? [] : ['SIGINT', 'SIGTERM'];
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      for (const s of signals) process.off(s, onStop);
      options.signal?.removeEventListener('abort', onStop);
      if (ticker) clearInterval(ticker);
      await csms.stop();
      emitSummary(true);
      emit('stopped', 'stopped', {});
      markClosed();
    })();
    return stopping;
  };
  const onStop = (): void => void stop();
  for (const s of signals) process.once(s, onStop);
  if (options.signal?.aborted) onStop();
  else options.signal?.addEventListener('abort', onStop, { once: true });
  return { csms, url, counter, closed, stop };
}
