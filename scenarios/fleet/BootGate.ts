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
  private readonly waiting: (() => void)[] = [];

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
      const next = this.waiting.shift();
      if (next) next();
      else this.inFlight--;
    };
  }

  /** Lets every waiter through (the fleet stops). */
  open(): void {
    this.inFlight += this.waiting.length;
    for (const resolve of this.waiting.splice(0)) resolve();
  }
}
