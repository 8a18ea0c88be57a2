/**
 * Keeps the worker threads of {@link FleetThreads} alive. A worker that dies while the fleet runs
 * (uncaught exception, out of memory under its resource limits, `process.exit` inside it) is logged
 * once with its error, counted, and replaced after a back-off by a new worker for the same slice
 * (same charger ids, same seeds; FleetThreads replays what the control API changed since). A slice
 * whose workers die more than {@link RestartPolicy.maxRestarts} times within
 * {@link RestartPolicy.windowMs} is given up for the rest of the run; the other slices go on.
 *
 * What a dead worker had already posted (its last progress report, at most a second old) stays in
 * the report as a retired part: its cumulative counters and histograms count, its chargers no
 * longer do. What it counted after that report is lost and said so (`lostWorkerReports`, and the
 * age of the kept report per failure).
 */
import type { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { withinRealTime } from '../../agent/withinRealTime.js';
import type { FleetReport, WorkerHealth } from './FleetMetrics.js';
import { MAX_FAILURES, type FleetPart } from './mergeReports.js';
import type { FromWorker, ToWorker } from './fleetWorker.js';

export interface RestartPolicy {
  /** Restarts of one slice at most within `windowMs`; the next death gives the slice up (default 3). */
  maxRestarts: number;
  /** Default 60 s. */
  windowMs: number;
  /** Wait before a restart, doubled for each earlier death within the window (default 1 s). */
  backoffMs: number;
}

/** Beyond a stop's deadline, how long a worker may take to close what is left and post its final report. */
const FINAL_REPORT_GRACE_MS = 3000;

export const DEFAULT_RESTART_POLICY: RestartPolicy = { maxRestarts: 3, windowMs: 60_000, backoffMs: 1000 };


export interface SupervisorOptions {
  slices: number;
  /** Starts the worker of slice j; `restart` is true for a replacement. */
  spawn: (j: number, restart: boolean) => Worker;
  /** Messages other than progress and final reports (command results, events). */
  onMessage: (j: number, msg: FromWorker) => void;
  /** The worker of slice j has gone (commands waiting for it will not be answered). */
  onDown: (j: number) => void;
  /** Chargers slice j runs (planned, including those added through the control API). */
  chargersOf: (j: number) => number;
  log: Logger;
  policy?: Partial<RestartPolicy>;
}

interface Slice {
  worker: Worker | undefined;
  part: FleetPart;
  reportedAt: number;
  retired: FleetPart[];
  final: Promise<FleetPart | undefined>;
  deaths: number[];
  timer: NodeJS.Timeout | undefined;
  gaveUp: boolean;
}

export class WorkerSupervisor {
  private readonly slices: Slice[] = [];
  private readonly policy: RestartPolicy;
  private stopping = false;
  private readonly health: WorkerHealth;

  constructor(private readonly options: SupervisorOptions) {
    this.policy = { ...DEFAULT_RESTART_POLICY, ...options.policy };
    this.health = { threads: options.slices, deaths: 0, restarts: 0, chargersAffected: 0, slicesGivenUp: 0, chargersGivenUp: 0, lostWorkerReports: 0, failures: [] };
  }

  start(): void {
    for (let j = 0; j < this.options.slices; j++) {
      this.slices.push({ worker: undefined, part: { report: emptyReport() }, reportedAt: Date.now(), retired: [], final: Promise.resolve(undefined), deaths: [], timer: undefined, gaveUp: false });
      this.launch(j, false);
    }
  }

  get started(): boolean {
    return this.slices.length > 0;
  }

  /** The live worker of slice j (undefined while it is down); diagnostics and crash tests. */
  worker(j: number): Worker | undefined {
    return this.slices[j]?.worker;
  }

  /** Why slice j cannot take a message now, or undefined when it can. */
  downReason(j: number): string | undefined {
    const s = this.slices[j];
    if (!s) return `no worker ${j}`;
    if (s.gaveUp) return `worker ${j} died too often and was given up; its chargers are down for the rest of the run`;
    return s.worker ? undefined : `worker ${j} died and is being restarted; try again in a few seconds`;
  }

  gaveUp(j: number): boolean {
    return this.slices[j]?.gaveUp ?? false;
  }

  /** Posts to slice j's worker; false when it is down. */
  post(j: number, message: ToWorker): boolean {
    const w = this.slices[j]?.worker;
    if (!w) return false;
    w.postMessage(message);
    return true;
  }

  /** Every part so far: the dead workers' last reports (without chargers) and the live workers' latest. */
  parts(): FleetPart[] {
    return this.slices.flatMap((s) => [...s.retired, s.part]);
  }

  report(): WorkerHealth {
    return { ...this.health, failures: [...this.health.failures] };
  }

  private launch(j: number, restart: boolean): void {
    const s = this.slices[j]!;
    const worker = this.options.spawn(j, restart);
    s.worker = worker;
    s.part = { report: emptyReport() };
    s.reportedAt = Date.now();
    let error: unknown;
    let resolveFinal: (part: FleetPart | undefined) => void = () => undefined;
    s.final = new Promise((resolve) => (resolveFinal = resolve));
    worker.on('message', (msg: FromWorker) => {
      if (msg.type === 'result' || msg.type === 'events') return this.options.onMessage(j, msg);
      s.part = { report: msg.report };
      s.reportedAt = Date.now();
      if (msg.type === 'final') resolveFinal({ report: msg.report, series: msg.series });
    });
    worker.on('error', (err) => (error = err));
    worker.once('exit', (code) => {
      if (s.worker === worker) s.worker = undefined;
      // During the stop the final report has been posted, or it is lost and stop() says so.
      if (this.stopping) return resolveFinal(undefined);
      this.died(j, code, error);
    });
  }

  private died(j: number, exitCode: number, error: unknown): void {
    const s = this.slices[j]!;
    const now = Date.now();
    const chargers = this.options.chargersOf(j);
    const reportAgeMs = now - s.reportedAt;
    s.retired.push(retire(s.part));
    s.part = { report: emptyReport() };
    s.deaths = [...s.deaths.filter((t) => now - t < this.policy.windowMs), now];
    const h = this.health;
    h.deaths++;
    h.chargersAffected += chargers;
    h.lostWorkerReports++;
    const why = error instanceof Error ? `${error.name}: ${error.message}` : error === undefined ? `exit code ${exitCode}` : String(error);
    if (h.failures.length < MAX_FAILURES) h.failures.push({ at: new Date(now).toISOString(), worker: j, chargers, error: why, reportAgeMs });
    this.options.onDown(j);
    const restarts = s.deaths.length - 1;
    if (restarts >= this.policy.maxRestarts) {
      s.gaveUp = true;
      h.slicesGivenUp++;
      h.chargersGivenUp += chargers;
      this.options.log.error(
        { worker: j, exitCode, err: error, chargers, deathsInWindow: s.deaths.length, windowMs: this.policy.windowMs },
        `worker thread ${j} died (${why}); it died ${s.deaths.length} times within ${this.policy.windowMs / 1000} s, so its ${chargers} chargers stay down for the rest of the run`,
      );
      return;
    }
    const delayMs = this.policy.backoffMs * 2 ** restarts;
    this.options.log.error(
      { worker: j, exitCode, err: error, chargers, reportAgeMs, restartInMs: delayMs },
      `worker thread ${j} died (${why}) with ${chargers} chargers; their last ${reportAgeMs} ms of metrics are lost; restarting it in ${delayMs} ms`,
    );
    s.timer = setTimeout(() => {
      s.timer = undefined;
      if (this.stopping) return;
      h.restarts++;
      this.launch(j, true);
      this.options.log.warn({ worker: j, chargers }, `worker thread ${j} restarted: its ${chargers} chargers boot again`);
    }, delayMs);
  }

  /** Tells every live worker to end its stop now (a second signal). */
  cutShort(): void {
    for (const s of this.slices) s.worker?.postMessage({ type: 'cutShort' } satisfies ToWorker);
  }

  /**
   * Asks every live worker to stop and collects the parts: retired ones, and each live worker's
   * final report (or, if it does not come within `withinMs` + {@link FINAL_REPORT_GRACE_MS}, its
   * last progress report).
   */
  async stop(withinMs: number): Promise<FleetPart[]> {
    this.stopping = true;
    const live = this.slices.filter((s) => s.worker);
    for (const s of this.slices) clearTimeout(s.timer);
    for (const s of live) s.worker!.postMessage({ type: 'stop', withinMs } satisfies ToWorker);
    const finals = new Map<Slice, FleetPart | undefined>();
    const all = Promise.all(live.map(async (s) => finals.set(s, await s.final)));
    await withinRealTime(all, withinMs + FINAL_REPORT_GRACE_MS);
    await Promise.all(this.slices.map((s) => s.worker?.terminate()));
    const parts: FleetPart[] = [];
    for (const s of this.slices) {
      parts.push(...s.retired);
      if (!live.includes(s)) continue;
      const final = finals.get(s);
      if (!final) this.health.lostWorkerReports++;
      parts.push(final ?? s.part);
    }
    return parts;
  }
}

/** A dead worker's last report: cumulative counts and histograms stay, its chargers are gone. */
function retire(part: FleetPart): FleetPart {
  const r = part.report;
  return { report: { ...r, chargers: { planned: 0, started: 0, accepted: 0, removed: 0, connected: 0 }, latency: r.latency ?? {} } };
}

export function emptyReport(): FleetReport {
  const now = new Date().toISOString();
  const zero = { count: 0, p50: 0, p95: 0, p99: 0, max: 0 };
  return {
    startedAt: now,
    endedAt: now,
    durationS: 0,
    chargers: { planned: 0, started: 0, accepted: 0, removed: 0, connected: 0 },
    shard: { index: 0, count: 1 },
    connectMs: zero,
    bootMs: zero,
    bootResults: {},
    reconnects: 0,
    disconnects: 0,
    messages: { out: 0, in: 0, perSecond: 0 },
    inboundCalls: {},
    actions: {},
    transactions: { started: 0, stopped: 0 },
    latency: {},
  };
}
