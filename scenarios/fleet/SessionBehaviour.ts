/**
 * The simple per-connector behaviour that makes sessions happen: after a random idle time an EV
 * plugs in, a card is tapped a moment later, it charges for a random time, the card is tapped
 * again (the agent stops the transaction, reason Local), and the EV unplugs; then it starts over.
 * All random choices come from the charger's seeded source, all waits from the shared clock.
 */
import type { Logger } from 'pino';
import type { Clock, TimerId } from '../../hal/clock.js';
import type { SimulatedCharger } from '../../hal/sim/createSimulatedCharger.js';
import { uniformBetween } from './seededRandom.js';

export interface SessionBehaviourOptions {
  /** Idle time before an EV arrives, [min, max] ms (default 30 s … 10 min). */
  idleMs?: [number, number];
  /** Charging time, [min, max] ms (default 1 … 30 min). */
  chargeMs?: [number, number];
}

const TAP_DELAY_MS = 1000;
const UNPLUG_DELAY_MS = 1500;

export class SessionBehaviour {
  private readonly timers = new Set<TimerId>();
  private stopped = false;
  private readonly idleMs: [number, number];
  private readonly chargeMs: [number, number];

  constructor(
    private readonly sim: SimulatedCharger,
    private readonly clock: Clock,
    private readonly random: () => number,
    /** Hex (whole bytes); a connector byte is appended per connector. */
    private readonly cardUid: string,
    private readonly log: Logger,
    options: SessionBehaviourOptions = {},
  ) {
    this.idleMs = options.idleMs ?? [30_000, 600_000];
    this.chargeMs = options.chargeMs ?? [60_000, 1_800_000];
  }

  start(): void {
    for (let i = 0; i < this.sim.connectors.length; i++) this.idle(i);
  }

  /** Cancels every pending step; the EVs stay where they are (the agent ends transactions on stop). */
  stop(): void {
    this.stopped = true;
    for (const t of this.timers) this.clock.clearTimeout(t);
    this.timers.clear();
  }

  private later(ms: number, fn: () => void): void {
    if (this.stopped) return;
    const id = this.clock.setTimeout(() => {
      this.timers.delete(id);
      if (this.stopped) return;
      try {
        fn();
      } catch (err) {
        // One charger's broken step must never end the fleet: this connector just stops acting.
        this.log.error({ err }, 'fleet behaviour step failed; this charger stops simulating sessions');
      }
    }, ms);
    this.timers.add(id);
  }

  /** One card per connector, so the tap that ends a session ends that connector's. */
  private card(i: number): string {
    return `${this.cardUid}${(i + 1).toString(16).toUpperCase().padStart(2, '0')}`;
  }

  private idle(i: number): void {
    this.later(uniformBetween(this.random, ...this.idleMs), () => this.arrive(i));
  }

  private arrive(i: number): void {
    const ev = this.sim.connectors[i]!.ev;
    ev.setSoC(0.2 + this.random() * 0.5);
    ev.plugIn();
    // The reader is shared by the connectors; the agent gives the card to the one with a waiting cable.
    this.later(TAP_DELAY_MS, () => {
      this.sim.rfid.tap(this.card(i));
      this.later(uniformBetween(this.random, ...this.chargeMs), () => this.leave(i));
    });
  }

  private leave(i: number): void {
    this.sim.rfid.tap(this.card(i));
    this.later(UNPLUG_DELAY_MS, () => {
      this.sim.connectors[i]!.ev.unplug();
      this.idle(i);
    });
  }
}
