/**
 * The graceful stop of a fleet's chargers, paced to what the CSMS answers (docs/fleet.md, Stopping).
 *
 * At most `atOnce` chargers take their turn at a time; a turn ends the charger's transactions
 * (StopTransaction, reason Other) and waits until the CSMS has answered every call it made (one at a
 * time per charger, as OCPP-J wants). The next charger begins only when a turn ends, so new calls go
 * out only as answers arrive, however slow the CSMS. A charger whose transactions are confirmed
 * closes its socket and devices outside the turns: the close needs no answer that another charger's
 * StopTransaction should wait for.
 *
 * A stop is cut short by its deadline or by {@link FleetStop.cutShort} (a second signal). Then no
 * further turn begins, and no further call goes out: every charger not through its turn drops its
 * socket first and only then ends its transactions locally (journaled, as on a charger switched off
 * while offline), so no StopTransaction is sent whose answer nobody waits for. The report says how
 * many transactions were left open at the CSMS (not confirmed stopped).
 */
import type { Agent } from '../../agent/Agent.js';
import { withinRealTime } from '../../agent/withinRealTime.js';
import type { SimulatedCharger } from '../../hal/sim/createSimulatedCharger.js';
import { BootGate } from './BootGate.js';

/**
 * Chargers closing their socket and devices at once, after their turn. Closes need no answer a
 * turn waits for, so they do not hold turns up; bounded, so that 10,000 close handshakes do not go
 * out together when the turns run fast (idle chargers).
 */
const CLOSING_AT_ONCE = 1000;

/** What a cut-short stop still waits for the sockets it closes (a process exit closes the rest). */
const CUT_CLOSE_MS = 1000;

/** Agents stopped together after a cut (each stops locally: its machine, relays, journal). */
const ABANDON_BATCH = 100;

export type StopCut = 'deadline' | 'interrupted';

export interface StopReport {
  /** Transactions not confirmed stopped by the CSMS when the stop began (running ones and unanswered stops). */
  transactions: number;
  /** Transactions the CSMS has not confirmed as stopped when the stop ended: left open there. */
  leftOpen: number;
  /** Chargers the stop had to end. */
  chargers: number;
  /** Chargers whose turn was cut short or never came. */
  chargersCutShort: number;
  /** Why the stop ended before every charger's turn: its deadline, or a second signal. Absent: it did not. */
  cutShort?: StopCut;
  /** Real time the stop took, ms. */
  ms: number;
}

export interface StoppingCharger {
  readonly agent: Agent;
  readonly sim: SimulatedCharger;
}

export interface FleetStopOptions<M extends StoppingCharger> {
  /** Chargers taking their turn at once. */
  atOnce: number;
  /** Real time until the stop is cut short. */
  withinMs: number;
  /** A charger's agent has stopped (before its devices close). */
  stopped?: (m: M) => void;
}

export class FleetStop<M extends StoppingCharger> {
  private readonly cut = new AbortController();
  private why: StopCut | undefined;

  constructor(
    private readonly chargers: readonly M[],
    private readonly options: FleetStopOptions<M>,
  ) {}

  /** Ends the stop now: no more turns begin, chargers mid-turn close their sockets. Idempotent; the first reason stays. */
  cutShort(why: StopCut): void {
    if (this.cut.signal.aborted) return;
    this.why = why;
    this.cut.abort();
  }

  async run(): Promise<StopReport> {
    const t0 = performance.now();
    const { atOnce, withinMs } = this.options;
    const signal = this.cut.signal;
    const transactions = this.unconfirmed();
    // Connected chargers first: one that cannot reach the CSMS would hold a turn until the deadline.
    const queue = [...this.chargers].sort((a, b) => Number(b.agent.link.isAccepted) - Number(a.agent.link.isAccepted));
    const through = new Set<M>();
    const closing: Promise<void>[] = [];
    // A FIFO of slots (a race over the closes under way cost every waiting turn a reaction per close: quadratic).
    const closeSlots = new BootGate(CLOSING_AT_ONCE);
    const close = async (m: M) => {
      const release = await closeSlots.enter();
      closing.push(
        this.close(m)
          .catch(() => undefined)
          .finally(release),
      );
    };
    const deadline = setTimeout(() => this.cutShort('deadline'), withinMs);
    const cutNow = new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    let next = 0;
    const turns = async () => {
      while (next < queue.length && !signal.aborted) {
        const m = queue[next++]!;
        // No new session behind the ones ended here (a card whose Authorize is still in flight).
        m.agent.sessions.close();
        // Bounded by the deadline, which cuts the stop short (cutNow) rather than this one charger.
        await Promise.race([m.agent.endAllTransactions('Other', withinMs + CUT_CLOSE_MS), cutNow]);
        if (signal.aborted) return;
        through.add(m);
        await close(m);
      }
    };
    await Promise.race([Promise.all(Array.from({ length: Math.min(atOnce, queue.length) }, turns)), cutNow]);
    clearTimeout(deadline);
    const cutShort = signal.aborted ? this.why : undefined;
    if (cutShort) closing.push(this.abandon(queue.filter((m) => !through.has(m))));
    await withinRealTime(Promise.all(closing), cutShort ? CUT_CLOSE_MS : Math.max(CUT_CLOSE_MS, withinMs - (performance.now() - t0)));
    return {
      transactions,
      leftOpen: this.unconfirmed(),
      chargers: queue.length,
      chargersCutShort: queue.length - through.size,
      ...(cutShort && { cutShort }),
      ms: Math.round(performance.now() - t0),
    };
  }

  private unconfirmed(): number {
    let n = 0;
    for (const m of this.chargers) n += m.agent.unconfirmedTransactions;
    return n;
  }

  /** After its turn: nothing left to deliver, so the agent stops at once and the socket closes. */
  private async close(m: M): Promise<void> {
    await m.agent.stop({ reason: 'Other', flushMs: 0 }).catch(() => undefined);
    this.options.stopped?.(m);
    await m.sim.close();
  }

  /**
   * Cut short: every socket not yet closed drops at once, without a close handshake (nothing more
   * goes out, a call in flight is given up); then the agents stop locally, their transactions
   * unsent, a batch at a time so that the report is not held up behind thousands of them.
   */
  private async abandon(rest: M[]): Promise<void> {
    for (const m of rest) void m.agent.link.stop({ abrupt: true });
    for (let i = 0; i < rest.length; i += ABANDON_BATCH) await Promise.all(rest.slice(i, i + ABANDON_BATCH).map((m) => this.close(m)));
  }
}

/** The stops of several parts (threads, shards): counts add up, the longest time, the first cut's reason; undefined when none has one. */
export function mergeStops(all: (StopReport | undefined)[]): StopReport | undefined {
  const stops = all.filter((s) => s !== undefined);
  if (stops.length === 0) return undefined;
  const sum = (f: (s: StopReport) => number) => stops.reduce((n, s) => n + f(s), 0);
  const cutShort = stops.find((s) => s.cutShort)?.cutShort;
  return {
    transactions: sum((s) => s.transactions),
    leftOpen: sum((s) => s.leftOpen),
    chargers: sum((s) => s.chargers),
    chargersCutShort: sum((s) => s.chargersCutShort),
    ...(cutShort && { cutShort }),
    ms: Math.max(...stops.map((s) => s.ms)),
  };
}
