/**
 * Injects a profile's faults into one simulated charger at the planned (seeded Poisson) times:
 * a meter that stops answering, a contactor that sticks or welds, a pilot error (E), a jammed
 * lock, a network outage (the agent's link stopped and restarted); each cleared after its planned
 * duration (a weld stays). Active faults are cleared when the behaviour stops, so the fleet's
 * shutdown meets working hardware and a connected link.
 */
import type { Logger } from 'pino';
import type { TimerId } from '../../hal/clock.js';
import type { SimulatedCharger } from '../../hal/sim/createSimulatedCharger.js';
import type { FaultKind } from './profile.js';
import type { FaultPlan, FaultPlanner } from './SessionPlanner.js';
import type { BehaviourEvent, ChargerControls } from './behaviourTypes.js';

export interface FaultInjectorOptions {
  sim: SimulatedCharger;
  planner: FaultPlanner;
  /** Picks the connector a fault strikes. */
  faultRandom: () => number;
  controls: ChargerControls;
  log: Logger;
  /** The behaviour's timer (cancelled with it). */
  later: (ms: number, fn: () => void) => TimerId | undefined;
  count?: (event: BehaviourEvent) => void;
}

export class FaultInjector {
  /** Undo actions of the faults active now. */
  private readonly activeFaults = new Map<number, () => void>();
  private nextFault = 0;

  constructor(private readonly o: FaultInjectorOptions) {}

  start(): void {
    for (const kind of this.o.planner.kinds()) this.scheduleFault(kind);
  }

  /** Clears every active fault (the timers belong to the behaviour, which cancels them). */
  clearAll(): void {
    for (const undo of this.activeFaults.values()) undo();
    this.activeFaults.clear();
  }

  private scheduleFault(kind: FaultKind): void {
    const plan = this.o.planner.next(kind);
    this.o.later(plan.inMs, () => {
      this.strike(plan);
      this.scheduleFault(kind);
    });
  }

  private strike(plan: FaultPlan): void {
    const n = this.o.sim.connectors.length;
    const c = this.o.sim.connectors[Math.min(n - 1, Math.floor(this.o.faultRandom() * n))]!;
    let undo: (() => void) | undefined;
    switch (plan.kind) {
      case 'meterTimeout':
        c.meter.stopAnswering();
        undo = () => c.meter.answerAgain();
        break;
      case 'relayStuck':
        c.relay.stick();
        undo = () => c.relay.repair();
        break;
      case 'relayWeld':
        c.relay.weld();
        break;
      case 'pilotError':
        c.ev.injectPilotError('E');
        undo = () => c.ev.clearPilotError();
        break;
      case 'lockJam': {
        const lock = c.lock;
        if (!lock) return; // a tethered cable has no lock to jam
        lock.jam();
        undo = () => lock.unjam();
        break;
      }
      case 'networkOutage':
        this.o.controls.dropLink();
        undo = () => this.o.controls.restoreLink();
        break;
    }
    this.o.count?.(`fault:${plan.kind}`);
    this.o.log.info({ fault: plan.kind, connector: c.connectorId, forMs: plan.forMs }, 'fleet profile: fault injected');
    if (!undo || !Number.isFinite(plan.forMs)) return;
    const id = this.nextFault++;
    this.activeFaults.set(id, undo);
    this.o.later(plan.forMs, () => {
      this.activeFaults.delete(id);
      undo();
    });
  }
}
