/**
 * A fleet spread over worker threads (one per core by default): worker j of W runs the composed
 * shard `i + n·j` of `n·W` (shards are residues, so these slices are disjoint and together are
 * exactly this process's shard i/n). Workers post progress every second; the final report merges
 * their counters and latency samples. Control commands go to the worker that runs the charger (by
 * its id, see controlRouting.ts), fleet-wide ones to all; events are asked of the workers only
 * while someone subscribes.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { withinRealTime } from '../../agent/withinRealTime.js';
import { byPosition } from './controlCharger.js';
import { nextPositions, positionOf, workerOf } from './controlRouting.js';
import { fail, matches, ok, type ChargerView, type CommandResult, type EventFilter, type FleetCommand, type FleetControlTarget, type FleetEvent } from './controlTypes.js';
import { FLEET_WORKER_LIMITS } from './fleetHeap.js';
import { shardPositions } from './fleetIds.js';
import type { FleetReport } from './FleetMetrics.js';
import { mergeReports, type FleetPart } from './mergeReports.js';
import type { FromWorker, ToWorker, WorkerFleetOptions } from './fleetWorker.js';

export interface FleetThreadsOptions extends WorkerFleetOptions {
  /** Worker threads (default: available cores). */
  threads?: number;
}

/** Longest wait for a worker's answer to a control command (a removal takes up to ~8 s). */
const COMMAND_TIMEOUT_MS = 15_000;

export class FleetThreads implements FleetControlTarget {
  private readonly workers: Worker[] = [];
  private readonly parts: FleetPart[] = [];
  private readonly finals: Promise<FleetPart>[] = [];
  private stopping: Promise<FleetReport> | undefined;
  private planned_: number;
  private lastPosition: number;
  private seq = 0;
  private readonly answers = new Map<number, (result: CommandResult) => void>();
  private readonly subscribers = new Set<{ filter: EventFilter; listener: (event: FleetEvent) => void }>();
  /** Events the workers dropped because the main thread fell behind. */
  eventsDropped = 0;

  constructor(private readonly options: FleetThreadsOptions) {
    const positions = shardPositions(options.count, options.shard);
    this.planned_ = positions.length;
    this.lastPosition = positions.at(-1) ?? options.count;
  }

  get planned(): number {
    return this.planned_;
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
      const worker = new Worker(new URL('./fleetWorker.js', import.meta.url), { workerData, resourceLimits: FLEET_WORKER_LIMITS });
      this.workers.push(worker);
      const part: FleetPart = { report: { ...emptyReport(), shard } };
      this.parts.push(part);
      this.finals.push(
        new Promise<FleetPart>((resolve) => {
          worker.on('message', (msg: FromWorker) => {
            if (msg.type === 'result') return this.answers.get(msg.seq)?.(msg.result);
            if (msg.type === 'events') return this.dispatch(msg.events, msg.dropped);
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

  // ---- control API (FleetControlTarget) -------------------------------------------------------

  async execute(cmd: FleetCommand): Promise<CommandResult> {
    if (this.stopping && cmd.type !== 'list' && cmd.type !== 'get' && cmd.type !== 'getRamp') return fail(409, 'the fleet is stopping');
    if (this.workers.length === 0) return fail(503, 'the fleet has not started yet');
    const shard = this.options.shard ?? { index: 0, count: 1 };
    const all = (command: FleetCommand) => Promise.all(this.workers.map((_, j) => this.ask(j, { type: 'command', seq: 0, command })));
    switch (cmd.type) {
      case 'list': {
        const parts = await all({ ...cmd, offset: 0, limit: cmd.offset + cmd.limit });
        const failed = parts.find((r) => r.status >= 300);
        if (failed) return failed;
        const pages = parts.map((r) => r.body as { total: number; chargers: ChargerView[] });
        const chargers = pages.flatMap((p) => p.chargers).sort((a, b) => byPosition(a.id, b.id));
        return ok({ total: pages.reduce((n, p) => n + p.total, 0), offset: cmd.offset, limit: cmd.limit, chargers: chargers.slice(cmd.offset, cmd.offset + cmd.limit) });
      }
      case 'add': {
        const positions = nextPositions(this.lastPosition, cmd.count, shard);
        this.lastPosition = positions.at(-1)!;
        this.planned_ += positions.length;
        const results = await Promise.all(
          this.workers.map((_, j) => {
            const mine = positions.filter((k) => workerOf(k, shard, this.workers.length) === j);
            return mine.length === 0 ? ok({ added: [] }) : this.ask(j, { type: 'command', seq: 0, command: { type: 'grow', positions: mine, ...(cmd.sessions !== undefined && { sessions: cmd.sessions }), ...(cmd.profile && { profile: cmd.profile }) } });
          }),
        );
        const failed = results.find((r) => r.status >= 300);
        if (failed) return failed;
        const added = results.flatMap((r) => (r.body as { added: string[] }).added).sort(byPosition);
        return ok({ added, planned: this.planned_ }, 201);
      }
      case 'getRamp':
      case 'setRamp': {
        const w = this.workers.length;
        const parts = await all(cmd.type === 'setRamp' ? { type: 'setRamp', perSecond: cmd.perSecond / w } : cmd);
        const failed = parts.find((r) => r.status >= 300);
        if (failed) return failed;
        const views = parts.map((r) => r.body as { perSecond: number; planned: number; started: number; removed: number });
        const sum = (f: (v: (typeof views)[number]) => number) => views.reduce((n, v) => n + f(v), 0);
        return ok({ perSecond: sum((v) => v.perSecond), planned: sum((v) => v.planned), started: sum((v) => v.started), removed: sum((v) => v.removed) });
      }
      case 'grow':
        return fail(422, 'grow is internal to worker threads');
      default: {
        const k = positionOf(cmd.id, this.options.idPrefix ?? 'CP');
        const j = k === undefined ? undefined : workerOf(k, shard, this.workers.length);
        if (j === undefined) return fail(404, `no charger ${cmd.id} in this fleet${k === undefined ? '' : ` (this process runs shard ${shard.index}/${shard.count})`}`);
        return this.ask(j, { type: 'command', seq: 0, command: cmd });
      }
    }
  }

  async watch(filter: EventFilter, listener: (event: FleetEvent) => void): Promise<() => void> {
    const s = { filter, listener };
    this.subscribers.add(s);
    await this.updateWorkerFilters();
    return () => {
      if (this.subscribers.delete(s)) void this.updateWorkerFilters();
    };
  }

  /** Tells every worker the union of what the subscribers want (or nothing). */
  private async updateWorkerFilters(): Promise<void> {
    let union: EventFilter | null = null;
    if (this.subscribers.size > 0) {
      const subs = [...this.subscribers].map((s) => s.filter);
      const chargers = subs.some((f) => !f.chargers) ? undefined : [...new Set(subs.flatMap((f) => f.chargers!))];
      const types = subs.some((f) => !f.types) ? undefined : [...new Set(subs.flatMap((f) => f.types!))];
      union = { ...(chargers && { chargers }), ...(types && { types }) };
    }
    await Promise.all(this.workers.map((_, j) => this.ask(j, { type: 'watch', seq: 0, filter: union })));
  }

  private dispatch(events: FleetEvent[], dropped: number): void {
    this.eventsDropped += dropped;
    for (const e of events) for (const s of this.subscribers) if (matches(s.filter, e)) s.listener(e);
  }

  /** Posts a message to worker j and resolves with its answer (504 after COMMAND_TIMEOUT_MS, 503 once stopped). */
  private ask(j: number, message: ToWorker & { seq: number }): Promise<CommandResult> {
    const seq = ++this.seq;
    return new Promise<CommandResult>((resolve) => {
      const timer = setTimeout(() => done(fail(504, `worker ${j} did not answer within ${COMMAND_TIMEOUT_MS} ms`)), COMMAND_TIMEOUT_MS);
      const done = (result: CommandResult) => {
        clearTimeout(timer);
        this.answers.delete(seq);
        resolve(result);
      };
      this.answers.set(seq, done);
      try {
        this.workers[j]!.postMessage({ ...message, seq });
      } catch (err) {
        done(fail(503, `worker ${j} is gone: ${String(err)}`));
      }
    });
  }

  stop(withinMs = 8000): Promise<FleetReport> {
    this.stopping ??= (async () => {
      for (const w of this.workers) w.postMessage({ type: 'stop', withinMs } satisfies ToWorker);
      const all = Promise.all(this.finals);
      const inTime = await withinRealTime(all, withinMs + 1000);
      const finals = inTime ? await all : this.parts;
      await Promise.all(this.workers.map((w) => w.terminate()));
      return mergeReports(finals, this.options.shard ?? { index: 0, count: 1 });
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
