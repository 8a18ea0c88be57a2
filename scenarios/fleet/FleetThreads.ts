/**
 * A fleet spread over worker threads (one per core by default): worker j of W runs the composed
 * shard `i + n·j` of `n·W` (shards are residues, so these slices are disjoint and together are
 * exactly this process's shard i/n). Workers post progress every second; the final report merges
 * their counters and latency samples. Control commands go to the worker that runs the charger (by
 * its id, see controlRouting.ts), fleet-wide ones to all; events are asked of the workers only
 * while someone subscribes. A worker that dies is replaced for the same slice by
 * {@link WorkerSupervisor}; what the control API changed since the start (added chargers, the
 * ramp, event subscriptions) is replayed to the replacement.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { pino, type Logger } from 'pino';
import { byPosition } from './controlCharger.js';
import { nextPositions, positionOf, workerOf } from './controlRouting.js';
import { fail, matches, ok, type ChargerView, type CommandResult, type EventFilter, type FleetCommand, type FleetControlTarget, type FleetEvent } from './controlTypes.js';
import { FLEET_STOP_MS, FLEET_WORKER_LIMITS } from './fleetHeap.js';
import { chargerId, shardPositions } from './fleetIds.js';
import type { FleetReport } from './FleetMetrics.js';
import { mergeReports } from './mergeReports.js';
import type { ToWorker, WorkerFleetOptions } from './fleetWorker.js';
import { WorkerSupervisor, type RestartPolicy } from './WorkerSupervisor.js';

export interface FleetThreadsOptions extends WorkerFleetOptions {
  /** Worker threads (default: available cores). */
  threads?: number;
  /** Main-thread log (worker deaths and restarts); default: pino at `logLevel` on stderr. */
  log?: Logger;
  /** Restarts of dead workers (default: `DEFAULT_RESTART_POLICY` of WorkerSupervisor.ts). */
  restart?: Partial<RestartPolicy>;
}

/** Longest wait for a worker's answer to a control command (a removal takes up to ~8 s). */
const COMMAND_TIMEOUT_MS = 15_000;

export class FleetThreads implements FleetControlTarget {
  readonly supervisor: WorkerSupervisor;
  private stopping: Promise<FleetReport> | undefined;
  private planned_: number;
  private lastPosition: number;
  private seq = 0;
  private readonly answers = new Map<number, { j: number; done: (result: CommandResult) => void }>();
  /** Per slice: the ramp of its worker now, and the grow commands the control API sent it (replayed on restart). */
  private readonly ramps: (number | undefined)[] = [];
  private readonly grows: ToWorker[][] = [];
  private filter: EventFilter | null = null;
  private readonly subscribers = new Set<{ filter: EventFilter; listener: (event: FleetEvent) => void }>();
  /** Events the workers dropped because the main thread fell behind. */
  eventsDropped = 0;

  constructor(private readonly options: FleetThreadsOptions) {
    const positions = shardPositions(options.count, options.shard);
    this.planned_ = positions.length;
    this.lastPosition = positions.at(-1) ?? options.count;
    const w = this.threads;
    const { log, restart } = options;
    this.supervisor = new WorkerSupervisor({
      slices: w,
      spawn: (j, again) => this.spawn(j, again),
      onMessage: (_j, msg) => {
        if (msg.type === 'result') this.answers.get(msg.seq)?.done(msg.result);
        else if (msg.type === 'events') this.dispatch(msg.events, msg.dropped);
      },
      onDown: (j) => {
        for (const a of [...this.answers.values()]) if (a.j === j) a.done(fail(503, `worker ${j} died before it answered`));
      },
      chargersOf: (j) => shardPositions(options.count, this.sliceShard(j)).length + this.grows[j]!.reduce((n, g) => n + (g.type === 'command' && g.command.type === 'grow' ? g.command.positions.length : 0), 0),
      log: log ?? pino({ level: options.logLevel, base: { pid: process.pid } }, pino.destination({ fd: 2, sync: true })),
      ...(restart && { policy: restart }),
    });
    for (let j = 0; j < w; j++) {
      this.ramps.push(options.rampPerSecond === undefined ? undefined : options.rampPerSecond / w);
      this.grows.push([]);
    }
  }

  get planned(): number {
    return this.planned_;
  }

  get threads(): number {
    return Math.max(1, Math.min(this.options.threads ?? availableParallelism(), this.planned || 1));
  }

  start(): Promise<void> {
    if (!this.supervisor.started) this.supervisor.start();
    return Promise.resolve();
  }

  /** Composed shard of worker j: `i + n·j` of `n·W`. */
  private sliceShard(j: number) {
    const shard = this.options.shard ?? { index: 0, count: 1 };
    return { index: shard.index + shard.count * j, count: shard.count * this.threads };
  }

  /** Starts the worker of slice j; a replacement gets the same slice and seeds, then what the control API changed. */
  private spawn(j: number, restart: boolean): Worker {
    const { threads: _threads, log: _log, restart: _restart, ...base } = this.options;
    const ramp = this.ramps[j];
    const workerData: WorkerFleetOptions = { ...base, shard: this.sliceShard(j), ...(ramp !== undefined && { rampPerSecond: ramp }) };
    const worker = new Worker(new URL('./fleetWorker.js', import.meta.url), { workerData, resourceLimits: FLEET_WORKER_LIMITS });
    if (restart) {
      for (const message of this.grows[j]!) worker.postMessage(message);
      if (this.filter) worker.postMessage({ type: 'watch', seq: 0, filter: this.filter } satisfies ToWorker);
    }
    return worker;
  }

  /** The latest progress merged (percentiles from the largest part until the end), with the workers' health. */
  report(): FleetReport {
    const merged = mergeReports(this.supervisor.parts(), this.options.shard ?? { index: 0, count: 1 });
    return { ...merged, chargers: { ...merged.chargers, planned: this.planned }, workers: this.supervisor.report() };
  }

  // ---- control API (FleetControlTarget) -------------------------------------------------------

  async execute(cmd: FleetCommand): Promise<CommandResult> {
    if (this.stopping && cmd.type !== 'list' && cmd.type !== 'get' && cmd.type !== 'getRamp' && cmd.type !== 'exists') return fail(409, 'the fleet is stopping');
    if (!this.supervisor.started) return fail(503, 'the fleet has not started yet');
    const shard = this.options.shard ?? { index: 0, count: 1 };
    const w = this.threads;
    const slices = Array.from({ length: w }, (_, j) => j);
    // Fleet-wide reads and the ramp go to the live workers; a worker being restarted is left out.
    const all = async (command: (j: number) => FleetCommand) => {
      const live = slices.filter((j) => !this.supervisor.downReason(j));
      return Promise.all(live.map((j) => this.ask(j, { type: 'command', seq: 0, command: command(j) })));
    };
    switch (cmd.type) {
      case 'list': {
        const parts = await all(() => ({ ...cmd, offset: 0, limit: cmd.offset + cmd.limit }));
        const failed = parts.find((r) => r.status >= 300);
        if (failed) return failed;
        const pages = parts.map((r) => r.body as { total: number; chargers: ChargerView[] });
        const chargers = pages.flatMap((p) => p.chargers).sort((a, b) => byPosition(a.id, b.id));
        return ok({ total: pages.reduce((n, p) => n + p.total, 0), offset: cmd.offset, limit: cmd.limit, chargers: chargers.slice(cmd.offset, cmd.offset + cmd.limit) });
      }
      case 'add': {
        const positions = nextPositions(this.lastPosition, cmd.count, shard);
        this.lastPosition = positions.at(-1)!;
        const skipped: string[] = [];
        const results = await Promise.all(
          slices.map((j) => {
            const mine = positions.filter((k) => workerOf(k, shard, w) === j);
            if (mine.length === 0) return ok({ added: [] });
            const ids = mine.map((k) => chargerId(this.options.idPrefix ?? 'CP', k));
            const reason = this.supervisor.downReason(j);
            // A given-up slice starts nothing more; a restarting one gets them with its replacement.
            if (reason && this.supervisor.gaveUp(j)) {
              skipped.push(...ids);
              return ok({ added: [] });
            }
            this.planned_ += mine.length;
            const message: ToWorker = { type: 'command', seq: 0, command: { type: 'grow', positions: mine, ...(cmd.sessions !== undefined && { sessions: cmd.sessions }), ...(cmd.profile && { profile: cmd.profile }) } };
            this.grows[j]!.push(message);
            return reason ? ok({ added: ids }) : this.ask(j, message as ToWorker & { seq: number });
          }),
        );
        const failed = results.find((r) => r.status >= 300);
        if (failed) return failed;
        const added = results.flatMap((r) => (r.body as { added: string[] }).added).sort(byPosition);
        return ok({ added, planned: this.planned_, ...(skipped.length > 0 && { skipped: skipped.sort(byPosition), skippedReason: 'their worker was given up after dying too often' }) }, 201);
      }
      case 'getRamp':
      case 'setRamp': {
        if (cmd.type === 'setRamp') for (const j of slices) this.ramps[j] = cmd.perSecond / w;
        const parts = await all(() => (cmd.type === 'setRamp' ? { type: 'setRamp', perSecond: cmd.perSecond / w } : cmd));
        const failed = parts.find((r) => r.status >= 300);
        if (failed) return failed;
        const views = parts.map((r) => r.body as { perSecond: number; planned: number; started: number; removed: number });
        const sum = (f: (v: (typeof views)[number]) => number) => views.reduce((n, v) => n + f(v), 0);
        return ok({ perSecond: sum((v) => v.perSecond), planned: sum((v) => v.planned), started: sum((v) => v.started), removed: sum((v) => v.removed) });
      }
      case 'grow':
        return fail(422, 'grow is internal to worker threads');
      case 'exists': {
        // Each worker answers for its own chargers (it knows which were removed).
        const byWorker = new Map<number, string[]>();
        for (const id of cmd.ids) {
          const k = positionOf(id, this.options.idPrefix ?? 'CP');
          const j = k === undefined || k > this.lastPosition ? undefined : workerOf(k, shard, w);
          if (j === undefined) return fail(404, `no charger ${id} in this fleet${k === undefined ? '' : ` (this process runs shard ${shard.index}/${shard.count})`}`);
          byWorker.set(j, [...(byWorker.get(j) ?? []), id]);
        }
        const answers = await Promise.all([...byWorker].map(([j, ids]) => this.ask(j, { type: 'command', seq: 0, command: { type: 'exists', ids } })));
        return answers.find((r) => r.status >= 300) ?? ok({});
      }
      default: {
        const k = positionOf(cmd.id, this.options.idPrefix ?? 'CP');
        const j = k === undefined ? undefined : workerOf(k, shard, w);
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

  /** Tells every worker the union of what the subscribers want (or nothing); a replacement is told when it starts. */
  private async updateWorkerFilters(): Promise<void> {
    let union: EventFilter | null = null;
    if (this.subscribers.size > 0) {
      const subs = [...this.subscribers].map((s) => s.filter);
      const chargers = subs.some((f) => !f.chargers) ? undefined : [...new Set(subs.flatMap((f) => f.chargers!))];
      const types = subs.some((f) => !f.types) ? undefined : [...new Set(subs.flatMap((f) => f.types!))];
      union = { ...(chargers && { chargers }), ...(types && { types }) };
    }
    this.filter = union;
    const live = Array.from({ length: this.threads }, (_, j) => j).filter((j) => !this.supervisor.downReason(j));
    await Promise.all(live.map((j) => this.ask(j, { type: 'watch', seq: 0, filter: union })));
  }

  private dispatch(events: FleetEvent[], dropped: number): void {
    this.eventsDropped += dropped;
    for (const e of events) for (const s of this.subscribers) if (matches(s.filter, e)) s.listener(e);
  }

  /** Posts a message to worker j and resolves with its answer (504 after COMMAND_TIMEOUT_MS, 503 while it is down). */
  private ask(j: number, message: ToWorker & { seq: number }): Promise<CommandResult> {
    const seq = ++this.seq;
    return new Promise<CommandResult>((resolve) => {
      const timer = setTimeout(() => done(fail(504, `worker ${j} did not answer within ${COMMAND_TIMEOUT_MS} ms`)), COMMAND_TIMEOUT_MS);
      const done = (result: CommandResult) => {
        clearTimeout(timer);
        this.answers.delete(seq);
        resolve(result);
      };
      this.answers.set(seq, { j, done });
      try {
        if (!this.supervisor.post(j, { ...message, seq } as ToWorker)) done(fail(503, this.supervisor.downReason(j) ?? `worker ${j} is gone`));
      } catch (err) {
        done(fail(503, `worker ${j} is gone: ${String(err)}`));
      }
    });
  }

  /** Ends a stop under way now (a second signal): see Fleet.cutShort. */
  cutShort(): void {
    this.supervisor.cutShort();
  }

  /** Graceful stop: every live worker stops its chargers and posts its final report; dead workers are not restarted any more. */
  stop(withinMs = FLEET_STOP_MS): Promise<FleetReport> {
    this.stopping ??= (async () => {
      const parts = await this.supervisor.stop(withinMs);
      const merged = mergeReports(parts, this.options.shard ?? { index: 0, count: 1 });
      return { ...merged, chargers: { ...merged.chargers, planned: this.planned }, workers: this.supervisor.report() };
    })();
    return this.stopping;
  }
}
