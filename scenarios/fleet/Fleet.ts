/**
 * A fleet of virtual chargers in one process: each is a real {@link Agent} with simulated
 * hardware, all on one shared clock (one Node timer for the whole fleet) and one logger (child
 * loggers per charger). Chargers start at `rampPerSecond`; a dropped socket only concerns its
 * charger (the agent reconnects with its own seeded RetryBackOff* back-off).
 *
 * Per-charger OCPP configuration, journal, authorization cache and local list live in memory:
 * a virtual charger's "power loss" is the fleet process ending, after which nothing should resume,
 * and 10,000 files or databases would cost file handles and fsyncs that a load test does not measure.
 */
import { EventEmitter, once } from 'node:events';
import type { Logger } from 'pino';
import { FLEET_STOP_MS } from './fleetHeap.js';
import type { Agent } from '../../agent/Agent.js';
import { withinRealTime } from '../../agent/withinRealTime.js';
import { systemClock, type Clock } from '../../hal/clock.js';
import type { SimulatedCharger } from '../../hal/sim/createSimulatedCharger.js';
import { runChargerCommand, listViews, type ControlState } from './controlCharger.js';
import { FleetEventTap } from './controlEvents.js';
import { BootGate } from './BootGate.js';
import { FleetRamp } from './controlRamp.js';
import { FleetLinks } from './fleetLinks.js';
import { nextPositions, positionOf } from './controlRouting.js';
import { fail, ok, type CommandResult, type EventFilter, type FleetCommand, type FleetControlTarget, type FleetEvent } from './controlTypes.js';
import { chargerId, shardPositions } from './fleetIds.js';
import { FleetMetrics, type FleetReport } from './FleetMetrics.js';
import { FleetUsage } from './FleetUsage.js';
import { FleetStop, type StopReport } from './FleetStop.js';
import type { UsageTracker } from '../../agent/sessions/UsageTracker.js';
import { buildFleetCharger } from './fleetCharger.js';
import { DEFAULT_MAX_BOOTING, type FleetOptions } from './fleetOptions.js';
import { deriveSeed, seededRandom } from '../seededRandom.js';
import type { FleetProfile } from './profile.js';
import { resolveBehaviour } from './profileLoader.js';
import type { SessionBehaviour } from './SessionBehaviour.js';
import { FleetSites } from './FleetSites.js';
import { resolveSites, siteIndexOf } from './sites.js';

export { DEFAULT_MAX_BOOTING, type FleetOptions };

export interface FleetCharger {
  readonly id: string;
  readonly agent: Agent;
  readonly sim: SimulatedCharger;
}

interface Member extends FleetCharger {
  behaviour: SessionBehaviour | undefined;
  /** Its sessions and connector time, into {@link Fleet.usage}. */
  usage: UsageTracker;
}

export interface FleetEvents {
  /** Every charger of this process has been started (or the fleet was stopped first). */
  ramped: [];
}

/**
 * Chargers a fleet stops at once (each with one call in flight). All 10,000 at once put 10,000 stop
 * flows in flight (StopTransaction, StatusNotification): the CSMS falls behind, and the flows'
 * promoted garbage raises the resident memory (docs/fleet.md, Stopping).
 */
export const STOPPING_AT_ONCE = 100;

export class Fleet extends EventEmitter<FleetEvents> implements FleetControlTarget {
  readonly metrics: FleetMetrics;
  /** Utilisation of the whole fleet (the report's `usage`). */
  readonly usage: FleetUsage;
  /** Site power and obey latencies, when the profile has sites (the report's `sites`). */
  readonly sites: FleetSites | undefined;
  private readonly members: Member[] = [];
  private readonly byId = new Map<string, Member>();
  private readonly clock: Clock;
  private readonly positions: number[];
  private readonly ramp: FleetRamp;
  // Control API state: chargers added without sessions, closed connections, removed chargers.
  private readonly sessionsFor = new Map<number, boolean>();
  private readonly profileFor = new Map<number, FleetProfile>();
  private readonly control: ControlState = { closed: new Set() };
  private readonly removed = new Set<string>();
  /** Chargers started so far, each once (removed ones included). */
  private launched = 0;
  private readonly leaving = new Set<Agent>();
  private readonly tap = new FleetEventTap(() => this.byId.values());
  private readonly startedAt: number;
  /** Clock time at which the behaviour's profile time starts (the first launch). */
  private behaviourEpoch: number | undefined;
  private stopping: Promise<FleetReport> | undefined;
  private stopRun: FleetStop<Member> | undefined;
  private stopReport: StopReport | undefined;
  private interrupted = false;
  private readonly links: FleetLinks;
  /**
   * The parent of every charger's loggers: a child of the fleet's logger, not that logger itself.
   * pino gives each direct child of a root logger an object of formatters of its own (≈ 0.2 KB per
   * charger for its two loggers); the children of a child share their parent's. Same output.
   */
  private readonly chargerLog: Logger;

  constructor(private readonly options: FleetOptions) {
    super();
    this.chargerLog = options.log.child({});
    this.clock = options.clock ?? systemClock;
    this.positions = shardPositions(options.count, options.shard);
    this.ramp = new FleetRamp(this.positions, (k) => this.launchAt(k), () => this.stopping !== undefined, () => this.emit('ramped'));
    this.metrics = new FleetMetrics(seededRandom(deriveSeed(options.seed ?? 1, 0, 9)));
    this.usage = new FleetUsage(this.clock);
    this.links = new FleetLinks(this.metrics, new BootGate(options.maxBooting ?? DEFAULT_MAX_BOOTING), (agent) => this.stopping !== undefined || this.leaving.has(agent));
    this.startedAt = Date.now();
    const sites = options.behaviour === false ? [] : resolveBehaviour(options.behaviour).profile.sites;
    this.sites = sites.length > 0 ? new FleetSites(resolveSites(sites, options.count), this.clock) : undefined;
  }

  /** Chargers of this process (this shard), planned. */
  get planned(): number {
    return this.positions.length;
  }

  get chargers(): readonly FleetCharger[] {
    return this.members;
  }

  get connected(): number {
    return this.links.connected;
  }

  /** Chargers whose boot was accepted at least once, each counted once (removed ones included). */
  get accepted(): number {
    return this.links.accepted;
  }

  /** Starts the ramp; resolves once every planned charger has been started (not yet booted). */
  start(): Promise<void> {
    this.sites?.start();
    return this.ramp.start(this.options.rampPerSecond ?? 100);
  }

  /** Chargers started per second from now on; 0 pauses the ramp. */
  setRamp(perSecond: number): void {
    this.ramp.set(perSecond);
  }

  /** Launches position k, then applies what the control API asked for it. */
  private async launchAt(k: number): Promise<void> {
    const release = await this.links.gate.enter();
    if (this.stopping) return release();
    try {
      await this.launch(k, release);
    } catch (err) {
      release();
      throw err;
    }
    const id = chargerId(this.options.idPrefix ?? 'CP', k);
    let m: Member | undefined;
    for (let i = this.members.length - 1; i >= 0 && !m; i--) if (this.members[i]!.id === id) m = this.members[i];
    if (!m) return;
    this.byId.set(id, m);
    if (this.sessionsFor.get(k) === false) {
      m.behaviour?.stop();
      m.behaviour = undefined;
    }
    this.sessionsFor.delete(k);
    this.profileFor.delete(k);
    this.tap.adopt(id, m.agent);
  }

  private async launch(k: number, release: () => void): Promise<void> {
    const { id, agent, sim, behaviour, version } = await buildFleetCharger(k, this.options, {
      clock: this.clock,
      log: this.chargerLog,
      profile: this.profileFor.get(k),
      // Profile time starts with the fleet's first charger.
      epochMs: () => (this.behaviourEpoch ??= this.clock.now()),
      count: (event) => this.metrics.countBehaviour(event),
      closedByControl: (id) => this.control.closed.has(id),
    });
    if (this.stopping) {
      // Stopped while it was being built: never started, so nothing to stop but its devices.
      release();
      await sim.close();
      return;
    }
    this.links.observe(agent, release, version);
    if (behaviour) agent.on('status', (change) => behaviour.statusChanged(change));
    const site = this.sites ? siteIndexOf(this.sites.sites, k) : -1;
    if (site >= 0) this.sites!.adopt(site, agent, sim);
    this.members.push({ id, agent, sim, behaviour, usage: this.usage.track(agent) });
    this.launched++;
    agent.start();
    behaviour?.start();
  }

  /**
   * Graceful stop (SIGINT/SIGTERM, --duration): no more starts, behaviours stop, every agent ends its
   * transactions with StopTransaction (reason Other) and closes its socket, paced to the CSMS's
   * answers ({@link FleetStop}: {@link STOPPING_AT_ONCE} chargers at a time). Cut short after
   * `withinMs` of real time or by {@link cutShort}; the report's `stop` says what was left open.
   * Idempotent; resolves with the final report.
   */
  stop(withinMs = FLEET_STOP_MS): Promise<FleetReport> {
    this.stopping ??= this.shutDown(withinMs);
    return this.stopping;
  }

  /** Ends a stop under way now (a second signal): chargers not through their turn leave their transactions open. */
  cutShort(): void {
    this.interrupted = true;
    this.stopRun?.cutShort('interrupted');
  }

  private async shutDown(withinMs: number): Promise<FleetReport> {
    this.ramp.halt();
    this.links.gate.open();
    this.emit('ramped');
    for (const m of this.members) m.behaviour?.stop();
    this.stopRun = new FleetStop(this.members.slice(), { atOnce: STOPPING_AT_ONCE, withinMs, stopped: (m) => this.usage.untrack(m.usage) });
    if (this.interrupted) this.stopRun.cutShort('interrupted');
    this.stopReport = await this.stopRun.run();
    this.sites?.stop();
    return this.report();
  }

  private async stopMember(m: Member, flushMs: number): Promise<void> {
    // Agent.stop() refuses new sessions before it ends the running ones, so a card whose
    // Authorize is still in flight cannot start a transaction behind it.
    await m.agent.stop({ reason: 'Other', flushMs });
    this.usage.untrack(m.usage);
    await m.sim.close();
  }

  // ---- control API (FleetControlTarget) -------------------------------------------------------

  async execute(cmd: FleetCommand): Promise<CommandResult> {
    const reads = cmd.type === 'list' || cmd.type === 'get' || cmd.type === 'getRamp' || cmd.type === 'exists';
    if (this.stopping && !reads) return fail(409, 'the fleet is stopping');
    switch (cmd.type) {
      case 'list':
        return ok(listViews([...this.byId.values()], this.control, cmd));
      case 'add':
        return this.grow({ ...cmd, positions: nextPositions(this.positions.at(-1) ?? this.options.count, cmd.count, this.options.shard ?? { index: 0, count: 1 }) });
      case 'grow':
        return this.grow(cmd);
      case 'remove':
        return this.remove(cmd.id);
      case 'getRamp':
        return ok(this.rampView());
      case 'setRamp':
        this.setRamp(cmd.perSecond);
        return ok(this.rampView());
      case 'exists': {
        const unknown = cmd.ids.find((id) => !this.byId.has(id) && !this.isPlanned(id));
        return unknown === undefined ? ok({}) : this.missing(unknown);
      }
      default: {
        const m = this.byId.get(cmd.id);
        return m ? runChargerCommand(m, this.control, cmd) : this.missing(cmd.id);
      }
    }
  }

  watch(filter: EventFilter, listener: (event: FleetEvent) => void): Promise<() => void> {
    return Promise.resolve(this.tap.subscribe(filter, listener));
  }

  private rampView() {
    return { perSecond: this.ramp.perSecond, planned: this.positions.length, started: this.ramp.launched, removed: this.removed.size };
  }

  private grow({ positions, sessions, profile }: { positions: number[]; sessions?: boolean; profile?: FleetProfile }): CommandResult {
    const caughtUp = this.ramp.caughtUpNow;
    for (const k of positions) {
      this.positions.push(k);
      if (sessions !== undefined) this.sessionsFor.set(k, sessions);
      if (profile) this.profileFor.set(k, profile);
    }
    this.ramp.grew(caughtUp);
    const prefix = this.options.idPrefix ?? 'CP';
    return ok({ added: positions.map((k) => chargerId(prefix, k)), planned: this.positions.length }, 201);
  }

  /** Stops one charger gracefully (StopTransaction for its transactions) and forgets it. */
  private async remove(id: string): Promise<CommandResult> {
    const m = this.byId.get(id);
    if (!m) return this.missing(id);
    this.byId.delete(id);
    this.members.splice(this.members.indexOf(m), 1);
    this.removed.add(id);
    this.leaving.add(m.agent);
    m.behaviour?.stop();
    const transactions = m.agent.connectors.filter((c) => c.hasTransaction).length;
    const t0 = performance.now();
    // Removing is graceful: a connection closed through the API opens again first, so the
    // transactions' StopTransactions (the journal is in memory here) reach the CSMS before it goes.
    if (this.control.closed.delete(id)) {
      m.agent.link.start();
      await acceptedWithin(m.agent, REMOVE_RECONNECT_MS);
    }
    await this.stopMember(m, 5000);
    this.leaving.delete(m.agent);
    this.tap.release(id);
    // Left undelivered only when the CSMS could not be reached in time: said, not hidden.
    const undelivered = m.agent.undelivered;
    return ok({ id, removed: true, transactionsStopped: transactions, undelivered, stopMs: Math.round(performance.now() - t0) });
  }

  private missing(id: string): CommandResult {
    if (this.removed.has(id)) return fail(404, `charger ${id} was removed`);
    if (this.isPlanned(id)) return fail(409, `charger ${id} is not started yet (the ramp has started ${this.ramp.launched} of ${this.positions.length})`);
    return fail(404, `no charger ${id} in this fleet`);
  }

  /** A charger of this process's positions that has not been removed (started or not). */
  private isPlanned(id: string): boolean {
    const k = positionOf(id, this.options.idPrefix ?? 'CP');
    return k !== undefined && !this.removed.has(id) && this.positions.includes(k);
  }

  /** The report so far (final once {@link stop} resolved). */
  report(): FleetReport {
    return this.metrics.report({
      startedAt: this.startedAt,
      chargers: { planned: this.planned, started: this.launched, accepted: this.links.accepted, removed: this.removed.size, connected: this.links.connected },
      shard: this.options.shard ?? { index: 0, count: 1 },
      run: { idPrefix: this.options.idPrefix ?? 'CP', count: this.options.count, seed: this.options.seed ?? 1 },
      ...(this.options.behaviour !== false && { profile: resolveBehaviour(this.options.behaviour).profile.name }),
      usage: this.usage.report(),
      ...(this.sites && { sites: this.sites.report() }),
      ...(this.stopReport && { stop: this.stopReport }),
    });
  }
}

const REMOVE_RECONNECT_MS = 5000;

/** Resolves once the agent's boot is accepted, or after `ms` of real time. */
async function acceptedWithin(agent: Agent, ms: number): Promise<void> {
  if (agent.link.isAccepted) return;
  const ac = new AbortController();
  await withinRealTime(once(agent.link, 'accepted', { signal: ac.signal }).catch(() => undefined), ms);
  ac.abort();
}
