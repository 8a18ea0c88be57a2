/**
 * Fleet metrics from the agents' `traffic` events and link states: per OCPP action counts and
 * response times (request → result/CallError matched by messageId), CallErrors, connect latency,
 * boot outcomes, reconnects, message rates, the connection curve over time ({@link FleetTimeline})
 * and the behaviour's events (sessions, remote starts missed, faults). Memory is bounded: in-flight
 * calls are at most one per charger (OCPP-J), latencies go into mergeable log-bucket histograms
 * ({@link LatencyHistogram}, ±1 % quantiles, exact counts and max), and the timeline coarsens its
 * step on long runs. The report carries the histograms and the timeline, so reports of threads and
 * shards merge exactly (mergeReports.ts).
 */
import type { TrafficRecord } from '../../agent/ocpp/OcppTraffic.js';
import { FleetTimeline, type TimelineState } from './FleetTimeline.js';
import type { FleetUsageReport } from './FleetUsage.js';
import type { StopReport } from './FleetStop.js';
import type { FleetSitesReport } from './FleetSites.js';
import { LatencyHistogram, type HistogramState, type LatencySummary } from './LatencyHistogram.js';

export type { HistogramState, LatencySummary } from './LatencyHistogram.js';
export type { TimelineState } from './FleetTimeline.js';
/** A latency series in transferable form (worker threads post these). */
export type SeriesState = HistogramState;

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
  /**
   * Chargers of this process, each counted once (docs/fleet.md, "What the counts mean"): planned
   * (the shard's and those added through the control API), started so far, accepted (BootNotification
   * Accepted at least once), removed through the control API (they still count as started and
   * accepted), and connected now. Re-boots after a reconnect count in `bootResults`, not here.
   */
  chargers: { planned: number; started: number; accepted: number; removed: number; connected: number };
  shard: { index: number; count: number };
  /** What the shards of one run share (`--id-prefix`, `--count`, `--seed`); absent in reports of earlier versions and merges of different runs. */
  run?: RunIdentity;
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
  /** Profile name the behaviour ran (absent: no behaviour). */
  profile?: string;
  /** Behaviour events: arrivals, startedRfid, startedRemote, remoteMissed, …, fault:<kind>, ev:<model> (sessions per EV model). */
  behaviour?: Record<string, number>;
  /** Connections over time (reconnect curve). */
  timeline?: TimelineState;
  /** Latency histograms by series name (`connect`, `boot`, `action:<Action>`), for exact merging. */
  latency?: Record<string, HistogramState>;
  /** Worker threads that died and were restarted (worker threads only; WorkerSupervisor.ts). */
  workers?: WorkerHealth;
  /** Utilisation: sessions, energy, occupancy, charging, faulted and unavailable shares (FleetUsage.ts). */
  usage?: FleetUsageReport;
  /** The graceful stop (final reports only): transactions it had to end, those left open, whether it was cut short (FleetStop.ts). */
  stop?: StopReport;
  /** Sites with a grid limit (profile `sites`): power against the limit over time, how fast chargers obeyed new profiles (FleetSites.ts). */
  sites?: FleetSitesReport;
}

export interface RunIdentity {
  idPrefix: string;
  count: number;
  seed: number;
}

export interface WorkerHealth {
  threads: number;
  /** Workers that died while the fleet ran (not during its stop). */
  deaths: number;
  /** Replacement workers started (same charger ids and seeds). */
  restarts: number;
  /** Chargers the dead workers ran, once per death. */
  chargersAffected: number;
  /** Slices given up after too many deaths, and their chargers: down for the rest of the run. */
  slicesGivenUp: number;
  chargersGivenUp: number;
  /** Workers whose final report never arrived: what they counted after their last progress report is missing. */
  lostWorkerReports: number;
  /** The first deaths: when, which worker, its chargers, why, and the age of its last report kept. */
  failures: { at: string; worker: number; chargers: number; error: string; reportAgeMs: number }[];
}

interface ActionCounters {
  sent: number;
  results: number;
  callErrors: number;
  latency: LatencyHistogram;
}

/** One charger's outbound calls awaiting their answer: send time by messageId (no table while there are none). */
export interface CallsInFlight {
  pending?: Map<string, number> | undefined;
}

export class FleetMetrics {
  private readonly actions = new Map<string, ActionCounters>();
  private readonly inbound = new Map<string, number>();
  readonly connect = new LatencyHistogram();
  readonly boot = new LatencyHistogram();
  readonly timeline: FleetTimeline;
  readonly behaviour: Record<string, number> = {};
  readonly bootResults: Record<string, number> = {};
  reconnects = 0;
  disconnects = 0;
  messagesOut = 0;
  messagesIn = 0;
  transactionsStarted = 0;
  transactionsStopped = 0;

  /** `_random` is accepted for compatibility; histograms need no sampling. */
  constructor(_random?: () => number, startedAt: number = Date.now()) {
    this.timeline = new FleetTimeline(startedAt);
  }

  /** Counts a behaviour event (SessionBehaviour's `count`). */
  countBehaviour(event: string): void {
    this.behaviour[event] = (this.behaviour[event] ?? 0) + 1;
  }

  /**
   * A recorder for one charger's traffic: remembers the send time of its outbound calls by
   * messageId until their answer passes.
   */
  recorder(): (record: TrafficRecord) => void {
    const calls: CallsInFlight = {};
    return (r) => this.record(r, calls);
  }

  /** Counts one record of a charger's traffic; `calls` is that charger's (what {@link recorder} keeps per charger). */
  record(r: TrafficRecord, calls: CallsInFlight): void {
    if (r.direction === 'out') this.messagesOut++;
    else this.messagesIn++;
    if (r.type === 'call' && r.direction === 'out') {
      this.counters(r.action ?? '?').sent++;
      (calls.pending ??= new Map()).set(r.messageId, r.at);
    } else if (r.type === 'call') {
      this.inbound.set(r.action ?? '?', (this.inbound.get(r.action ?? '?') ?? 0) + 1);
    } else if (r.direction === 'in' && (r.type === 'result' || r.type === 'error')) {
      const pending = calls.pending;
      const sentAt = pending?.get(r.messageId);
      if (sentAt === undefined) return;
      pending!.delete(r.messageId);
      if (pending!.size === 0) calls.pending = undefined; // idle chargers hold no empty table
      const c = this.counters(r.action ?? '?');
      if (r.type === 'result') c.results++;
      else c.callErrors++;
      c.latency.add(r.at - sentAt);
      if (r.type === 'result') this.onResult(r);
    }
  }

  private onResult(r: TrafficRecord): void {
    const payload = r.payload as { status?: string; transactionId?: number } | undefined;
    if (r.action === 'BootNotification' && payload?.status) this.bootResults[payload.status] = (this.bootResults[payload.status] ?? 0) + 1;
    if (r.action === 'StartTransaction') this.transactionsStarted++;
    if (r.action === 'StopTransaction') this.transactionsStopped++;
  }

  private counters(action: string): ActionCounters {
    let c = this.actions.get(action);
    if (!c) this.actions.set(action, (c = { sent: 0, results: 0, callErrors: 0, latency: new LatencyHistogram() }));
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

  /** Every latency histogram by name (`connect`, `boot`, `action:<Action>`), for merging across threads and shards. */
  seriesStates(): Record<string, SeriesState> {
    const out: Record<string, SeriesState> = { connect: this.connect.state(), boot: this.boot.state() };
    for (const [action, c] of this.actions) out[`action:${action}`] = c.latency.state();
    return out;
  }

  inboundTable(): Record<string, number> {
    return Object.fromEntries([...this.inbound].sort(([a], [b]) => a.localeCompare(b)));
  }

  /** The report fields FleetMetrics adds beyond the counts (behaviour, timeline, histograms). */
  /** The report so far: these counts, plus what only the fleet knows (its start, chargers, shard, profile). */
  report(fleet: { startedAt: number; chargers: FleetReport['chargers']; shard: FleetReport['shard']; run?: RunIdentity; profile?: string; usage?: FleetUsageReport; stop?: StopReport; sites?: FleetSitesReport }): FleetReport {
    const endedAt = Date.now();
    const durationS = (endedAt - fleet.startedAt) / 1000;
    return {
      startedAt: new Date(fleet.startedAt).toISOString(),
      endedAt: new Date(endedAt).toISOString(),
      durationS,
      chargers: fleet.chargers,
      shard: fleet.shard,
      ...(fleet.run && { run: fleet.run }),
      connectMs: this.connect.summary(),
      bootMs: this.boot.summary(),
      bootResults: { ...this.bootResults },
      reconnects: this.reconnects,
      disconnects: this.disconnects,
      messages: { out: this.messagesOut, in: this.messagesIn, perSecond: durationS > 0 ? (this.messagesOut + this.messagesIn) / durationS : 0 },
      inboundCalls: this.inboundTable(),
      actions: this.actionTable(),
      transactions: { started: this.transactionsStarted, stopped: this.transactionsStopped },
      ...(fleet.profile !== undefined && { profile: fleet.profile }),
      behaviour: { ...this.behaviour },
      timeline: this.timeline.state(),
      latency: this.seriesStates(),
      ...(fleet.usage && { usage: fleet.usage }),
      ...(fleet.stop && { stop: fleet.stop }),
      ...(fleet.sites && { sites: fleet.sites }),
    };
  }
}
