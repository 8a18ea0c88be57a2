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
import { OCPP_VERSIONS, type OcppVersion } from './ocppVersions.js';

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

/** What the chargers of one OCPP version did (a report's `ocppVersions`). */
export interface VersionMetrics {
  /** Chargers of this version started so far (each once) and accepted at least once. */
  chargers: { started: number; accepted: number };
  /** Per action the chargers of this version sent: counts and response times. */
  actions: Record<string, ActionMetrics>;
  /** Transactions the CSMS confirmed: 1.6 StartTransaction / StopTransaction, 2.0.1 TransactionEvent Started / Ended. */
  transactions: { started: number; stopped: number };
}

/** The latency series name of an action's response times for one OCPP version. */
export const versionSeries = (version: OcppVersion, action: string) => `ocpp${version}:action:${action}`;

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
  /**
   * The same per OCPP version spoken (versions without chargers left out): chargers, per-action
   * counts and response times, transactions. Absent in reports of earlier versions (all 1.6).
   */
  ocppVersions?: Partial<Record<OcppVersion, VersionMetrics>>;
  /** Profile name the behaviour ran (absent: no behaviour). */
  profile?: string;
  /** Behaviour events: arrivals, startedRfid, startedRemote, remoteMissed, …, fault:<kind>, ev:<model> (sessions per EV model). */
  behaviour?: Record<string, number>;
  /** Connections over time (reconnect curve). */
  timeline?: TimelineState;
  /** Latency histograms by series name (`connect`, `boot`, `action:<Action>`, `ocpp<version>:action:<Action>`), for exact merging. */
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
  /** The OCPP version the charger speaks (default 1.6). */
  readonly version?: OcppVersion;
  /** OCPP 2.0.1: the eventType of each TransactionEvent awaiting its answer (no table while there are none). */
  txEvents?: Map<string, string> | undefined;
}

interface VersionCounters {
  chargers: { started: number; accepted: number };
  actions: Map<string, ActionCounters>;
  transactions: { started: number; stopped: number };
}

export class FleetMetrics {
  private readonly actions = new Map<string, ActionCounters>();
  private readonly inbound = new Map<string, number>();
  private readonly versions = new Map<OcppVersion, VersionCounters>();
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

  /** A charger of `version` was started (each once). */
  chargerStarted(version: OcppVersion): void {
    this.version(version).chargers.started++;
  }

  /** A charger of `version` was accepted for the first time. */
  chargerAccepted(version: OcppVersion): void {
    this.version(version).chargers.accepted++;
  }

  private version(v: OcppVersion): VersionCounters {
    let c = this.versions.get(v);
    if (!c) this.versions.set(v, (c = { chargers: { started: 0, accepted: 0 }, actions: new Map(), transactions: { started: 0, stopped: 0 } }));
    return c;
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
      const action = r.action ?? '?';
      this.counters(action).sent++;
      counterOf(this.version(calls.version ?? '1.6').actions, action).sent++;
      (calls.pending ??= new Map()).set(r.messageId, r.at);
      // A TransactionEvent's answer does not say which event it answers.
      if (action === 'TransactionEvent') (calls.txEvents ??= new Map()).set(r.messageId, String((r.payload as { eventType?: string } | undefined)?.eventType));
    } else if (r.type === 'call') {
      this.inbound.set(r.action ?? '?', (this.inbound.get(r.action ?? '?') ?? 0) + 1);
    } else if (r.direction === 'in' && (r.type === 'result' || r.type === 'error')) {
      const pending = calls.pending;
      const sentAt = pending?.get(r.messageId);
      if (sentAt === undefined) return;
      pending!.delete(r.messageId);
      if (pending!.size === 0) calls.pending = undefined; // idle chargers hold no empty table
      const eventType = calls.txEvents?.get(r.messageId);
      if (eventType !== undefined) {
        calls.txEvents!.delete(r.messageId);
        if (calls.txEvents!.size === 0) calls.txEvents = undefined;
      }
      const action = r.action ?? '?';
      const version = this.version(calls.version ?? '1.6');
      const ms = r.at - sentAt;
      for (const c of [this.counters(action), counterOf(version.actions, action)]) {
        if (r.type === 'result') c.results++;
        else c.callErrors++;
        c.latency.add(ms);
      }
      if (r.type === 'result') this.onResult(r, version, eventType);
    }
  }

  private onResult(r: TrafficRecord, version: VersionCounters, eventType: string | undefined): void {
    const payload = r.payload as { status?: string; transactionId?: number } | undefined;
    if (r.action === 'BootNotification' && payload?.status) this.bootResults[payload.status] = (this.bootResults[payload.status] ?? 0) + 1;
    if (r.action === 'StartTransaction' || eventType === 'Started') {
      this.transactionsStarted++;
      version.transactions.started++;
    }
    if (r.action === 'StopTransaction' || eventType === 'Ended') {
      this.transactionsStopped++;
      version.transactions.stopped++;
    }
  }

  private counters(action: string): ActionCounters {
    return counterOf(this.actions, action);
  }

  get callErrors(): number {
    let n = 0;
    for (const c of this.actions.values()) n += c.callErrors;
    return n;
  }

  actionTable(): Record<string, ActionMetrics> {
    return tableOf(this.actions);
  }

  /** Per OCPP version with chargers or traffic: chargers, actions, transactions. */
  versionTable(): Partial<Record<OcppVersion, VersionMetrics>> {
    const out: Partial<Record<OcppVersion, VersionMetrics>> = {};
    for (const v of OCPP_VERSIONS) {
      const c = this.versions.get(v);
      if (c) out[v] = { chargers: { ...c.chargers }, actions: tableOf(c.actions), transactions: { ...c.transactions } };
    }
    return out;
  }

  /** Every latency histogram by name (`connect`, `boot`, `action:<Action>`, `ocpp<version>:action:<Action>`), for merging across threads and shards. */
  seriesStates(): Record<string, SeriesState> {
    const out: Record<string, SeriesState> = { connect: this.connect.state(), boot: this.boot.state() };
    for (const [action, c] of this.actions) out[`action:${action}`] = c.latency.state();
    for (const [version, v] of this.versions) for (const [action, c] of v.actions) out[versionSeries(version, action)] = c.latency.state();
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
      ocppVersions: this.versionTable(),
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

function counterOf(table: Map<string, ActionCounters>, action: string): ActionCounters {
  let c = table.get(action);
  if (!c) table.set(action, (c = { sent: 0, results: 0, callErrors: 0, latency: new LatencyHistogram() }));
  return c;
}

function tableOf(table: Map<string, ActionCounters>): Record<string, ActionMetrics> {
  const out: Record<string, ActionMetrics> = {};
  for (const [action, c] of [...table].sort(([a], [b]) => a.localeCompare(b))) {
    out[action] = { sent: c.sent, results: c.results, callErrors: c.callErrors, responseMs: c.latency.summary() };
  }
  return out;
}
