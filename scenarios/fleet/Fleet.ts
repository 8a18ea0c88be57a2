/**
 * A fleet of virtual chargers in one process: each is a real {@link Agent} with simulated
 * hardware, all on one shared clock (one Node timer for the whole fleet) and one logger (child
 * loggers per charger). Chargers start at `rampPerSecond`; a dropped socket only concerns its
 * charger (the agent reconnects with its own seeded full-jitter back-off).
 *
 * Per-charger OCPP configuration, journal, authorization cache and local list live in memory:
 * a virtual charger's "power loss" is the fleet process ending, after which nothing should resume,
 * and 10,000 files or databases would cost file handles and fsyncs that a load test does not measure.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { Agent } from '../../agent/Agent.js';
import type { BackoffWindow } from '../../agent/ocpp/backoff.js';
import { OcppConfiguration } from '../../agent/store/OcppConfiguration.js';
import { systemClock, type Clock } from '../../hal/clock.js';
import { createSimulatedCharger, type SimulatedCharger } from '../../hal/sim/createSimulatedCharger.js';
import { chargerId, shardPositions, type Shard } from './fleetIds.js';
import { FleetMetrics, type FleetReport } from './FleetMetrics.js';
import { deriveSeed, seededRandom } from './seededRandom.js';
import { SessionBehaviour, type SessionBehaviourOptions } from './SessionBehaviour.js';

export interface FleetOptions {
  /** CSMS base URL; charger `id` connects to `${csmsUrl}/${id}`. */
  csmsUrl: string;
  /** Chargers in the whole fleet (all shards). */
  count: number;
  /** Id prefix (default `CP`): ids are `CP00001` …. */
  idPrefix?: string;
  /** Chargers started per second (default 100). */
  rampPerSecond?: number;
  /** Connectors per charger (default 1). */
  connectors?: number;
  shard?: Shard;
  /** Seed for reconnect jitter and behaviour (default 1). */
  seed?: number;
  log: Logger;
  /** Default: the process-wide SystemClock. */
  clock?: Clock;
  behaviour?: SessionBehaviourOptions | false;
  /** Reconnect window per charger (default 1 s … 60 s, full jitter). */
  reconnect?: BackoffWindow;
  /** OCPP configuration keys every charger starts with. */
  ocpp?: Record<string, string | number | boolean>;
}

export interface FleetCharger {
  readonly id: string;
  readonly agent: Agent;
  readonly sim: SimulatedCharger;
}

interface Member extends FleetCharger {
  behaviour: SessionBehaviour | undefined;
}

export interface FleetEvents {
  /** Every charger of this process has been started (or the fleet was stopped first). */
  ramped: [];
}

export class Fleet extends EventEmitter<FleetEvents> {
  readonly metrics: FleetMetrics;
  private readonly members: Member[] = [];
  private readonly clock: Clock;
  private readonly positions: number[];
  private readonly startedAt: number;
  private stopping: Promise<FleetReport> | undefined;
  private rampTimer: ReturnType<typeof globalThis.setTimeout> | undefined;
  private connectedCount = 0;
  private acceptedCount = 0;

  constructor(private readonly options: FleetOptions) {
    super();
    this.clock = options.clock ?? systemClock;
    this.positions = shardPositions(options.count, options.shard);
    this.metrics = new FleetMetrics(seededRandom(deriveSeed(options.seed ?? 1, 0, 9)));
    this.startedAt = Date.now();
  }

  /** Chargers of this process (this shard), planned. */
  get planned(): number {
    return this.positions.length;
  }

  get chargers(): readonly FleetCharger[] {
    return this.members;
  }

  get connected(): number {
    return this.connectedCount;
  }

  get accepted(): number {
    return this.acceptedCount;
  }

  /** Starts the ramp; resolves once every charger has been started (not yet booted). */
  start(): Promise<void> {
    const perSecond = this.options.rampPerSecond ?? 100;
    // Start in batches every 10 ms (or less often for slow ramps): smooth, and few timer wake-ups.
    const tickMs = Math.max(10, Math.ceil(1000 / perSecond));
    const t0 = performance.now();
    return new Promise<void>((resolve) => {
      const tick = () => {
        this.rampTimer = undefined;
        const due = Math.min(this.positions.length, Math.floor(((performance.now() - t0) / 1000) * perSecond) + 1);
        const launches: Promise<void>[] = [];
        while (!this.stopping && this.members.length + launches.length < due) launches.push(this.launch(this.positions[this.members.length + launches.length]!));
        void Promise.all(launches).then(() => {
          if (this.stopping || this.members.length >= this.positions.length) {
            this.emit('ramped');
            resolve();
          } else this.rampTimer = globalThis.setTimeout(tick, tickMs);
        });
      };
      tick();
    });
  }

  private async launch(k: number): Promise<void> {
    const { log, seed = 1, connectors = 1 } = this.options;
    const id = chargerId(this.options.idPrefix ?? 'CP', k);
    const sim = createSimulatedCharger({ clock: this.clock, connectors, idPrefix: `${id}/` });
    const config = await OcppConfiguration.open({
      file: null,
      initial: { MeterValueSampleInterval: 60, ...this.options.ocpp },
      readonlyValues: { NumberOfConnectors: connectors },
      log,
    });
    const agent = new Agent({
      chargePointId: id,
      boot: { chargePointVendor: 'evse-agent', chargePointModel: 'fleet', chargePointSerialNumber: id.slice(-25) },
      csms: { url: this.options.csmsUrl, callTimeoutMs: 30_000, pingIntervalMs: 0, reconnect: this.options.reconnect ?? { initialDelayMs: 1000, maxDelayMs: 60_000 } },
      hardware: sim.hardware,
      config,
      clock: this.clock,
      log,
      random: seededRandom(deriveSeed(seed, k, 1)),
    });
    this.observe(agent);
    const behaviour =
      this.options.behaviour === false
        ? undefined
        : new SessionBehaviour(sim, this.clock, seededRandom(deriveSeed(seed, k, 2)), `F0${k.toString(16).toUpperCase().padStart(8, '0')}`, agent.log, this.options.behaviour);
    this.members.push({ id, agent, sim, behaviour });
    agent.start();
    behaviour?.start();
  }

  private observe(agent: Agent): void {
    const t0 = performance.now();
    let connectedOnce = false;
    let acceptedOnce = false;
    let online = false;
    agent.on('traffic', this.metrics.recorder());
    agent.link.on('state', (state) => {
      if (state === 'booting' && !online) {
        online = true;
        this.connectedCount++;
        if (!connectedOnce) this.metrics.connect.add(performance.now() - t0);
        connectedOnce = true;
      }
      if ((state === 'connecting' || state === 'stopped') && online) {
        online = false;
        this.connectedCount--;
      }
    });
    agent.link.on('accepted', () => {
      if (acceptedOnce) return;
      acceptedOnce = true;
      this.acceptedCount++;
      this.metrics.boot.add(performance.now() - t0);
    });
    // Only drops count, not the fleet's own closing.
    agent.link.on('disconnected', () => {
      if (!this.stopping) this.metrics.disconnects++;
    });
    agent.link.on('reconnecting', () => this.metrics.reconnects++);
    // Problems are logged by the agent; an 'error' without listener would end the process.
    agent.link.on('error', () => undefined);
  }

  /**
   * Graceful stop (SIGINT/SIGTERM, --duration): no more starts, behaviours stop, every agent ends its
   * transactions with StopTransaction (reason Other) and closes its socket, all in parallel and
   * bounded by `withinMs` of real time. Idempotent; resolves with the final report.
   */
  stop(withinMs = 8000): Promise<FleetReport> {
    this.stopping ??= this.shutDown(withinMs);
    return this.stopping;
  }

  private async shutDown(withinMs: number): Promise<FleetReport> {
    if (this.rampTimer) globalThis.clearTimeout(this.rampTimer);
    this.emit('ramped');
    for (const m of this.members) m.behaviour?.stop();
    const flushMs = Math.max(0, withinMs - 3000);
    const all = Promise.allSettled(this.members.map((m) => this.stopMember(m, flushMs)));
    let timer: ReturnType<typeof globalThis.setTimeout> | undefined;
    await Promise.race([all, new Promise<void>((resolve) => (timer = globalThis.setTimeout(resolve, withinMs)))]);
    globalThis.clearTimeout(timer);
    return this.report();
  }

  private async stopMember(m: Member, flushMs: number): Promise<void> {
    // Agent.stop() refuses new sessions before it ends the running ones, so a card whose
    // Authorize is still in flight cannot start a transaction behind it.
    await m.agent.stop({ reason: 'Other', flushMs });
    await m.sim.close();
  }

  /** The report so far (final once {@link stop} resolved). */
  report(): FleetReport {
    const m = this.metrics;
    const endedAt = Date.now();
    const durationS = (endedAt - this.startedAt) / 1000;
    return {
      startedAt: new Date(this.startedAt).toISOString(),
      endedAt: new Date(endedAt).toISOString(),
      durationS,
      chargers: { planned: this.planned, started: this.members.length, connected: this.connectedCount, accepted: this.acceptedCount },
      shard: this.options.shard ?? { index: 0, count: 1 },
      connectMs: m.connect.summary(),
      bootMs: m.boot.summary(),
      bootResults: { ...m.bootResults },
      reconnects: m.reconnects,
      disconnects: m.disconnects,
      messages: { out: m.messagesOut, in: m.messagesIn, perSecond: durationS > 0 ? (m.messagesOut + m.messagesIn) / durationS : 0 },
      inboundCalls: m.inboundTable(),
      actions: m.actionTable(),
      transactions: { started: m.transactionsStarted, stopped: m.transactionsStopped },
    };
  }
}
