/**
 * Bounds how many chargers of a fleet are between their start and their first boot outcome at
 * once. A ramp faster than the CSMS answers otherwise piles up handshakes and BootNotifications in
 * flight; each holds its sockets, buffers, promises and timers long enough to survive young-generation
 * collections, so the heap (and the process's resident memory) grows with the overlap, not with the
 * fleet: at 10,000 chargers and 2,000/s on 2 cores, ramping at 1,000/s instead cut the peak RSS from
 * ≈ 500 MB to ≈ 373 MB (docs/fleet.md, Memory and scale). With the gate the ramp keeps its rate
 * while the CSMS keeps up and waits for slots when it does not.
 */
export class BootGate {
  private inFlight = 0;
  /** Waiters in arrival order from `head` on: a fast ramp queues thousands, and `shift()` on a long array moves all of them. */
  private waiting: (() => void)[] = [];
  private head = 0;

  /** @param limit chargers at most between start and first boot outcome; 0 or Infinity: no limit. */
  constructor(readonly limit: number) {
    if (!(limit >= 0)) throw new Error(`maxBooting must be a number ≥ 0 (0: no limit), got ${limit}`);
  }

  get booting(): number {
    return this.inFlight;
  }

  /** Resolves once a slot is free and takes it; the returned function gives it back (idempotent). */
  async enter(): Promise<() => void> {
    // A freed slot passes straight to the first waiter, so no later caller can overtake it.
    if (this.limit > 0 && this.inFlight >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.inFlight++;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      const next = this.next();
      if (next) next();
      else this.inFlight--;
    };
  }

  /** Lets every waiter through (the fleet stops). */
  open(): void {
    const waiting = this.waiting.slice(this.head);
    this.waiting = [];
    this.head = 0;
    this.inFlight += waiting.length;
    for (const resolve of waiting) resolve();
  }

  private next(): (() => void) | undefined {
    if (this.head >= this.waiting.length) return undefined;
    const next = this.waiting[this.head]!;
    this.waiting[this.head++] = undefined as unknown as () => void;
    // Drop the passed part once it is most of the array (amortised O(1) per waiter).
    if (this.head >= 1024 && this.head * 2 >= this.waiting.length) {
      this.waiting = this.waiting.slice(this.head);
      this.head = 0;
    }
    return next;
  }
}
