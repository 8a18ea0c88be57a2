/**
 * The fleet's start ramp: launches planned positions at `perSecond`, in batches every 10 ms (or
 * less often for slow ramps: smooth, and few timer wake-ups). The rate may change while it runs
 * (counted from the moment of the change; 0 pauses), and positions may be appended (chargers added
 * through the control API), after which a ramp that had caught up continues at its rate.
 */
export class FleetRamp {
  private launchedCount = 0;
  private rate = 0;
  private base = 0;
  private t0 = 0;
  private running = false;
  private busy = false;
  private timer: ReturnType<typeof globalThis.setTimeout> | undefined;
  private readonly waiters: (() => void)[] = [];

  constructor(
    /** Planned positions, in launch order; the owner appends to it through {@link grew}. */
    private readonly positions: number[],
    private readonly launch: (k: number) => Promise<void>,
    /** True once the fleet stops: nothing more is launched. */
    private readonly halted: () => boolean,
    /** Every time the ramp has caught up with the plan (or was halted). */
    private readonly caughtUp: () => void,
  ) {}

  /** Positions started so far. */
  get launched(): number {
    return this.launchedCount;
  }

  get perSecond(): number {
    return this.rate;
  }

  /** Starts at `perSecond` (once); resolves when every planned position has been started. */
  start(perSecond: number): Promise<void> {
    if (!this.running) {
      this.running = true;
      this.set(perSecond);
    }
    return this.done();
  }

  /** Resolves when every planned position has been started (or the fleet stops). */
  done(): Promise<void> {
    if (this.halted() || this.launchedCount >= this.positions.length) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  set(perSecond: number): void {
    this.rate = perSecond;
    this.base = this.launchedCount;
    this.t0 = performance.now();
    if (this.running) this.tick();
  }

  /** Positions were appended: a ramp that had caught up counts again from now. */
  grew(wasCaughtUp: boolean): void {
    if (wasCaughtUp && this.running) this.set(this.rate);
  }

  get caughtUpNow(): boolean {
    return this.launchedCount >= this.positions.length;
  }

  /** Stops launching and releases whoever waits for the ramp. */
  halt(): void {
    globalThis.clearTimeout(this.timer);
    this.timer = undefined;
    for (const resolve of this.waiters.splice(0)) resolve();
  }

  private tick(): void {
    globalThis.clearTimeout(this.timer);
    this.timer = undefined;
    if (this.busy) return; // the batch in flight schedules the next tick
    const elapsedS = (performance.now() - this.t0) / 1000;
    const due = this.rate > 0 ? Math.min(this.positions.length, this.base + Math.floor(elapsedS * this.rate) + 1) : this.launchedCount;
    const launches: Promise<void>[] = [];
    while (!this.halted() && this.launchedCount < due) launches.push(this.launch(this.positions[this.launchedCount++]!));
    this.busy = true;
    void Promise.all(launches).then(() => {
      this.busy = false;
      if (this.halted() || this.launchedCount >= this.positions.length) {
        this.caughtUp();
        for (const resolve of this.waiters.splice(0)) resolve();
      } else if (this.rate > 0) this.timer = globalThis.setTimeout(() => this.tick(), Math.max(10, Math.ceil(1000 / this.rate)));
    });
  }
}
