/**
 * What the drivers and the hardware of one virtual charger do under a profile. Per connector:
 * wait for the next arrival ({@link SessionPlanner}); the connector's simulated EV becomes the
 * session's model (battery, on-board charger, phases: set while unplugged) with its start state of
 * charge, and plugs in; an RFID driver taps the
 * connector's card a second later, a remote driver waits up to its patience for the CSMS's
 * RemoteStartTransaction and leaves without one. Charging ends when the session's energy has
 * flowed (the EV's charge limit: it stops drawing, as when its battery is full) or the session
 * length elapsed; the EV stays plugged in for the
 * dwell time, then the driver ends the session: RFID taps the card again (StopTransaction, reason
 * Local) and unplugs 1.5 s later; remote unplugs (the agent stops the transaction on the EV-side
 * disconnect). A transaction that starts or ends otherwise (a CSMS remote start on any plugged-in
 * EV, a RemoteStop) is followed, never fought. Faults strike per charger at seeded Poisson times
 * and clear after their duration. All waits use the shared clock; one broken step stops only its
 * own charger's behaviour.
 */
import type { Logger } from 'pino';
import type { StatusChange } from '../../agent/charging/ConnectorController.js';
import type { Clock, TimerId } from '../../hal/clock.js';
import type { SimulatedCharger } from '../../hal/sim/createSimulatedCharger.js';
import type { BehaviourEvent, ChargerControls } from './behaviourTypes.js';
import { FaultInjector } from './FaultInjector.js';
import { FaultPlanner, SessionPlanner, type ResolvedBehaviour, type SessionPlan } from './SessionPlanner.js';

export interface SessionBehaviourOptions {
  sim: SimulatedCharger;
  clock: Clock;
  /** Sessions' random stream. */
  random: () => number;
  /** Faults' random stream (independent of the sessions, so one does not shift the other). */
  faultRandom: () => number;
  /** Hex (whole bytes); a connector byte is appended per connector. */
  cardUid: string;
  log: Logger;
  behaviour: ResolvedBehaviour;
  /** Wall ms at which profile time is `time.startHour` (the fleet's start). */
  epochMs: number;
  controls: ChargerControls;
  count?: (event: BehaviourEvent) => void;
}

const TAP_DELAY_MS = 1000;
/** A driver at a charger that has not come up yet (never accepted by the CSMS) looks again this often. */
const STARTING_UP_RECHECK_MS = 1000;
const UNPLUG_DELAY_MS = 1500;
/** An RFID start (Authorize + StartTransaction) gets at least this long before the driver gives up. */
const RFID_MIN_PATIENCE_MS = 30_000;
/** With no arrival within the planner's horizon, look again after this long. */
const RECHECK_MS = 3_600_000;

type Phase = 'idle' | 'awaiting' | 'charging' | 'dwelling' | 'leaving';
const TRANSACTION_STATUSES = new Set(['Charging', 'SuspendedEV', 'SuspendedEVSE']);
/** Statuses that mean the transaction is over while the EV is still plugged in (or just left). */
const ENDED_STATUSES = new Set(['Finishing', 'Available']);

interface ConnectorRun {
  phase: Phase;
  plan: SessionPlan | undefined;
  timer: TimerId | undefined;
  /** Checks whether the energy target has flowed (while charging). */
  energyTimer: TimerId | undefined;
  /** Battery state of charge when the transaction started. */
  startSoc: number;
  /** Whether the driver tapped the start card (else the CSMS started the session). */
  tapped: boolean;
}

export class SessionBehaviour {
  private readonly timers = new Set<TimerId>();
  private stopped = false;
  /** The charger has been accepted by the CSMS at least once (it finished starting up). */
  private cameUp = false;
  private readonly planner: SessionPlanner;
  private readonly faults: FaultInjector;
  private readonly runs: ConnectorRun[];

  constructor(private readonly o: SessionBehaviourOptions) {
    this.planner = new SessionPlanner(o.behaviour, o.random, o.epochMs);
    this.faults = new FaultInjector({ ...o, planner: new FaultPlanner(o.behaviour.profile, o.faultRandom), later: (ms, fn) => this.later(ms, fn) });
    this.runs = o.sim.connectors.map(() => ({ phase: 'idle', plan: undefined, timer: undefined, energyTimer: undefined, startSoc: 0, tapped: false }));
  }

  start(): void {
    for (let i = 0; i < this.runs.length; i++) this.idle(i);
    this.faults.start();
  }

  /** Cancels every pending step and clears active faults; the EVs stay where they are (the agent ends transactions on stop). */
  stop(): void {
    this.stopped = true;
    for (const t of this.timers) this.o.clock.clearTimeout(t);
    this.timers.clear();
    this.faults.clearAll();
  }

  /** The agent's status changes (Fleet forwards them): follows transactions however they start and end. */
  statusChanged(change: StatusChange): void {
    const i = change.connectorId - 1;
    const run = this.runs[i];
    if (!run || this.stopped) return;
    this.guard(() => {
      if (run.phase === 'awaiting' && TRANSACTION_STATUSES.has(change.status)) this.charging(i);
      else if (run.phase === 'charging' && change.status === 'SuspendedEV' && this.o.sim.connectors[i]!.ev.full) this.endCharging(i, 'energyReached');
      // Told by the status, not by the agent's transaction table (which fills a moment after
      // Charging is reported). While dwelling, the end of the dwell time finds the transaction
      // gone and just unplugs.
      else if (run.phase === 'charging' && ENDED_STATUSES.has(change.status)) this.endedElsewhere(i);
    });
  }

  private count(event: BehaviourEvent): void {
    this.o.count?.(event);
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      // One charger's broken step must never end the fleet: this charger just stops acting.
      this.o.log.error({ err }, 'fleet behaviour step failed; this charger stops simulating sessions');
      this.stop();
    }
  }

  private later(ms: number, fn: () => void): TimerId | undefined {
    if (this.stopped) return undefined;
    const id = this.o.clock.setTimeout(() => {
      this.timers.delete(id);
      if (!this.stopped) this.guard(fn);
    }, Math.max(0, ms));
    this.timers.add(id);
    return id;
  }

  /** The connector's single pending step (replaces the previous one). */
  private step(i: number, ms: number, fn: () => void): void {
    const run = this.runs[i]!;
    if (run.timer !== undefined) {
      this.o.clock.clearTimeout(run.timer);
      this.timers.delete(run.timer);
    }
    run.timer = this.later(ms, () => {
      run.timer = undefined;
      fn();
    });
  }

  /** One card per connector, so the tap that ends a session ends that connector's. */
  private card(i: number): string {
    return `${this.o.cardUid}${(i + 1).toString(16).toUpperCase().padStart(2, '0')}`;
  }

  private idle(i: number): void {
    const run = this.runs[i]!;
    run.phase = 'idle';
    run.plan = this.planner.next(this.o.clock.now());
    if (!run.plan) this.step(i, RECHECK_MS, () => this.idle(i));
    else this.step(i, run.plan.arriveInMs, () => this.arrive(i));
  }

  private arrive(i: number): void {
    const run = this.runs[i]!;
    const plan = run.plan!;
    const ev = this.o.sim.connectors[i]!.ev;
    this.count('arrivals');
    // An EV plugged in through the control API stays what it is.
    if (!ev.plugged) {
      ev.setModel(plan.ev);
      ev.setVentilation(plan.ev.ventilation);
      this.count(`ev:${plan.ev.name}`);
    }
    ev.resume();
    ev.setSoC(plan.socStart);
    run.phase = 'awaiting';
    run.tapped = false;
    ev.plugIn();
    if (plan.kind === 'rfid') {
      // The reader is shared by the connectors; the agent gives the card to the one with a waiting cable.
      this.later(TAP_DELAY_MS, () => this.tap(i));
    }
    const patience = plan.kind === 'rfid' ? Math.max(plan.patienceMs, RFID_MIN_PATIENCE_MS) : plan.patienceMs;
    this.step(i, patience, () => {
      this.count(plan.kind === 'remote' ? 'remoteMissed' : 'rfidNotStarted');
      this.leave(i, 0);
    });
  }

  /**
   * The driver taps the card, once the charger has come up: a charger still starting up (never
   * accepted by the CSMS) shows so, and the driver waits, within their patience. Later, offline,
   * the tap goes ahead (the charger's offline authorization decides).
   */
  private tap(i: number): void {
    const run = this.runs[i]!;
    if (run.phase !== 'awaiting' || this.o.controls.transactionOn(i + 1)) return;
    this.cameUp ||= this.o.controls.link.isAccepted;
    if (!this.cameUp) {
      this.later(STARTING_UP_RECHECK_MS, () => this.tap(i));
      return;
    }
    run.tapped = true;
    this.o.sim.rfid.tap(this.card(i));
  }

  private charging(i: number): void {
    const run = this.runs[i]!;
    run.phase = 'charging';
    // Counted by how it started: the CSMS may remote-start an EV whose driver was about to tap.
    this.count(run.tapped ? 'startedRfid' : 'startedRemote');
    this.step(i, run.plan!.chargeMs, () => this.endCharging(i, 'lengthReached'));
    const c = this.o.sim.connectors[i]!;
    void c.powerW; // brings the physics up to the clock
    run.startSoc = c.ev.soc;
    if (run.plan!.energyWh !== undefined) this.checkEnergy(i, 1000);
  }

  /** Grid energy the EV took since the transaction started, Wh (from its battery). */
  private deliveredWh(i: number): number {
    const c = this.o.sim.connectors[i]!;
    void c.powerW;
    return ((c.ev.soc - this.runs[i]!.startSoc) * c.ev.capacityWh) / c.ev.efficiency;
  }

  /** Looks again when the rest of the target should have flowed at the present power. */
  private checkEnergy(i: number, ms: number): void {
    const run = this.runs[i]!;
    run.energyTimer = this.later(ms, () => {
      run.energyTimer = undefined;
      if (run.phase !== 'charging') return;
      const rest = run.plan!.energyWh! - this.deliveredWh(i);
      if (rest <= 0.01) return this.endCharging(i, 'energyReached');
      const powerW = this.o.sim.connectors[i]!.powerW;
      this.checkEnergy(i, powerW > 0 ? Math.max(100, (rest / powerW) * 3_600_000) : 5000);
    });
  }

  private endCharging(i: number, why: 'energyReached' | 'lengthReached'): void {
    const run = this.runs[i]!;
    this.cancelEnergyCheck(run);
    this.count(why);
    run.phase = 'dwelling';
    this.o.sim.connectors[i]!.ev.suspend();
    this.step(i, run.plan!.dwellMs, () => this.endSession(i));
  }

  private cancelEnergyCheck(run: ConnectorRun): void {
    if (run.energyTimer === undefined) return;
    this.o.clock.clearTimeout(run.energyTimer);
    this.timers.delete(run.energyTimer);
    run.energyTimer = undefined;
  }

  private endedElsewhere(i: number): void {
    const run = this.runs[i]!;
    this.cancelEnergyCheck(run);
    this.count('endedElsewhere');
    // The driver finds the session ended and leaves when back (after the dwell time).
    run.phase = 'dwelling';
    this.step(i, run.plan!.dwellMs, () => this.leave(i, 0));
  }

  private endSession(i: number): void {
    const run = this.runs[i]!;
    // A card ends what a card started; a remote-started session ends by unplugging.
    if (run.tapped && this.o.controls.transactionOn(i + 1)) {
      run.phase = 'leaving';
      this.o.sim.rfid.tap(this.card(i));
      this.leave(i, UNPLUG_DELAY_MS);
    } else this.leave(i, 0);
  }

  private leave(i: number, afterMs: number): void {
    const run = this.runs[i]!;
    run.phase = 'leaving';
    this.step(i, afterMs, () => {
      const ev = this.o.sim.connectors[i]!.ev;
      ev.unplug();
      ev.resume();
      this.idle(i);
    });
  }
}
