/**
 * Fleet metrics from the agents' `traffic` events and link states: per OCPP action counts and
 * response times (request → result/CallError matched by messageId), CallErrors, connect latency,
 * boot outcomes, reconnects and message rates. Memory is bounded: in-flight calls are at most one
 * per charger (OCPP-J), and each latency series keeps a uniform reservoir of {@link RESERVOIR}
 * samples, so percentiles stay representative on long runs.
 */
import type { TrafficRecord } from '../../agent/ocpp/OcppTraffic.js';

const RESERVOIR = 50_000;

export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface ActionMetrics {
  /** Calls the chargers sent. */
  sent: number;
  results: number;
  callErrors: number;
  /** Charger → CSMS → charger, ms (wall clock). */
  responseMs: LatencySummary;
}

export interface FleetReport {
  startedAt: string;
  endedAt: string;
  durationS: number;
  chargers: { planned: number; started: number; connected: number; accepted: number };
  shard: { index: number; count: number };
  connectMs: LatencySummary;
  bootMs: LatencySummary;
  bootResults: Record<string, number>;
  reconnects: number;
  disconnects: number;
  messages: { out: number; in: number; perSecond: number };
  /** Calls the CSMS sent to chargers, per action. */
  inboundCalls: Record<string, number>;
  actions: Record<string, ActionMetrics>;
  transactions: { started: number; stopped: number };
}

/** A latency series in transferable form (worker threads post these to be merged). */
export interface SeriesState {
  seen: number;
  max: number;
  samples: number[];
}

export class Series {
  private samples: number[] = [];
  private seen = 0;
  private maxValue = 0;

  constructor(private readonly random: () => number) {}

  state(): SeriesState {
    return { seen: this.seen, max: this.maxValue, samples: this.samples };
  }

  /** Folds another series in (its samples are kept as they are: workers sample alike). */
  absorb(other: SeriesState): void {
    this.seen += other.seen;
    this.maxValue = Math.max(this.maxValue, other.max);
    this.samples = this.samples.concat(other.samples);
  }

  add(v: number): void {
    this.seen++;
    if (v > this.maxValue) this.maxValue = v;
    if (this.samples.length < RESERVOIR) this.samples.push(v);
    else {
      const j = Math.floor(this.random() * this.seen);
      if (j < RESERVOIR) this.samples[j] = v;
    }
  }

  summary(): LatencySummary {
    const s = [...this.samples].sort((a, b) => a - b);
    const at = (p: number) => (s.length === 0 ? 0 : s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!);
    return { count: this.seen, p50: at(50), p95: at(95), p99: at(99), max: this.maxValue };
  }
}

interface ActionCounters {
  sent: number;
  results: number;
  callErrors: number;
  latency: Series;
}

export class FleetMetrics {
  private readonly actions = new Map<string, ActionCounters>();
  private readonly inbound = new Map<string, number>();
  readonly connect: Series;
  readonly boot: Series;
  readonly bootResults: Record<string, number> = {};
  reconnects = 0;
  disconnects = 0;
  messagesOut = 0;
  messagesIn = 0;
  transactionsStarted = 0;
  transactionsStopped = 0;

  constructor(private readonly random: () => number = Math.random) {
    this.connect = new Series(random);
    this.boot = new Series(random);
  }

  /**
   * A recorder for one charger's traffic: remembers the send time of its outbound calls by
   * messageId until their answer passes.
   */
  recorder(): (record: TrafficRecord) => void {
    let pending: Map<string, number> | undefined;
    return (r) => {
      if (r.direction === 'out') this.messagesOut++;
      else this.messagesIn++;
      if (r.type === 'call' && r.direction === 'out') {
        this.counters(r.action ?? '?').sent++;
        (pending ??= new Map()).set(r.messageId, r.at);
      } else if (r.type === 'call') {
        this.inbound.set(r.action ?? '?', (this.inbound.get(r.action ?? '?') ?? 0) + 1);
      } else if (r.direction === 'in' && (r.type === 'result' || r.type === 'error')) {
        const sentAt = pending?.get(r.messageId);
        if (sentAt === undefined) return;
        pending!.delete(r.messageId);
        const c = this.counters(r.action ?? '?');
        if (r.type === 'result') c.results++;
        else c.callErrors++;
        c.latency.add(r.at - sentAt);
        if (r.type === 'result') this.onResult(r);
      }
    };
  }

  private onResult(r: TrafficRecord): void {
    const payload = r.payload as { status?: string; transactionId?: number } | undefined;
    if (r.action === 'BootNotification' && payload?.status) this.bootResults[payload.status] = (this.bootResults[payload.status] ?? 0) + 1;
    if (r.action === 'StartTransaction') this.transactionsStarted++;
    if (r.action === 'StopTransaction') this.transactionsStopped++;
  }

  private counters(action: string): ActionCounters {
    let c = this.actions.get(action);
    if (!c) this.actions.set(action, (c = { sent: 0, results: 0, callErrors: 0, latency: new Series(this.random) }));
    return c;
  }

  get callErrors(): number {
    let n = 0;
    for (const c of this.actions.values()) n += c.callErrors;
    return n;
  }

  actionTable(): Record<string, ActionMetrics> {
    const out: Record<string, ActionMetrics> = {};
    for (const [action, c] of [...this.actions].sort(([a], [b]) => a.localeCompare(b))) {
      out[action] = { sent: c.sent, results: c.results, callErrors: c.callErrors, responseMs: c.latency.summary() };
    }
    return out;
  }

  /** Every latency series by name (`connect`, `boot`, `action:<Action>`), for merging across threads. */
  seriesStates(): Record<string, SeriesState> {
    const out: Record<string, SeriesState> = { connect: this.connect.state(), boot: this.boot.state() };
    for (const [action, c] of this.actions) out[`action:${action}`] = c.latency.state();
    return out;
  }

  inboundTable(): Record<string, number> {
    return Object.fromEntries([...this.inbound].sort(([a], [b]) => a.localeCompare(b)));
  }
}
