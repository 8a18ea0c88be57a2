/**
 * A fleet spread over worker threads (one per core by default): worker j of W runs the composed
 * shard `i + n·j` of `n·W` (shards are residues, so these slices are disjoint and together are
 * exactly this process's shard i/n). Workers post progress every second; the final report merges
 * their counters and latency samples.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { shardPositions } from './fleetIds.js';
import type { FleetReport } from './FleetMetrics.js';
import { mergeReports, type FleetPart } from './mergeReports.js';
import type { FromWorker, ToWorker, WorkerFleetOptions } from './fleetWorker.js';

export interface FleetThreadsOptions extends WorkerFleetOptions {
  /** Worker threads (default: available cores). */
  threads?: number;
}

export class FleetThreads {
  private readonly workers: Worker[] = [];
  private readonly parts: FleetPart[] = [];
  private readonly finals: Promise<FleetPart>[] = [];
  private stopping: Promise<FleetReport> | undefined;
  readonly planned: number;

  constructor(private readonly options: FleetThreadsOptions) {
    this.planned = shardPositions(options.count, options.shard).length;
  }

  get threads(): number {
    return Math.max(1, Math.min(this.options.threads ?? availableParallelism(), this.planned || 1));
  }

  start(): Promise<void> {
    const { threads: _threads, ...base } = this.options;
    const shard = this.options.shard ?? { index: 0, count: 1 };
    const w = this.threads;
    for (let j = 0; j < w; j++) {
      const workerData: WorkerFleetOptions = {
        ...base,
        shard: { index: shard.index + shard.count * j, count: shard.count * w },
        ...(base.rampPerSecond !== undefined && { rampPerSecond: base.rampPerSecond / w }),
      };
      const worker = new Worker(new URL('./fleetWorker.js', import.meta.url), { workerData });
      this.workers.push(worker);
      const part: FleetPart = { report: { ...emptyReport(), shard } };
      this.parts.push(part);
      this.finals.push(
        new Promise<FleetPart>((resolve) => {
          worker.on('message', (msg: FromWorker) => {
            part.report = msg.report;
            if (msg.type === 'final') resolve({ report: msg.report, series: msg.series });
          });
          // A worker that dies leaves its last progress report; the fleet goes on.
          worker.on('error', () => resolve({ report: part.report }));
          worker.on('exit', () => resolve({ report: part.report }));
        }),
      );
    }
    return Promise.resolve();
  }

  /** The latest progress merged (percentiles from the largest part until the end). */
  report(): FleetReport {
    const merged = mergeReports(this.parts, this.options.shard ?? { index: 0, count: 1 });
    return { ...merged, chargers: { ...merged.chargers, planned: this.planned } };
  }

  stop(withinMs = 8000): Promise<FleetReport> {
    this.stopping ??= (async () => {
      for (const w of this.workers) w.postMessage({ type: 'stop', withinMs } satisfies ToWorker);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), withinMs + 1000)));
      const finals = await Promise.race([Promise.all(this.finals), late]);
      clearTimeout(timer);
      await Promise.all(this.workers.map((w) => w.terminate()));
      return mergeReports(finals ?? this.parts, this.options.shard ?? { index: 0, count: 1 });
    })();
    return this.stopping;
  }
}

function emptyReport(): FleetReport {
  const now = new Date().toISOString();
  const zero = { count: 0, p50: 0, p95: 0, p99: 0, max: 0 };
  return {
    startedAt: now,
    endedAt: now,
    durationS: 0,
    chargers: { planned: 0, started: 0, connected: 0, accepted: 0 },
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
  };
}
