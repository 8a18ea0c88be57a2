/**
 * Time for the agent and the HAL.
 *
 * Nothing in `agent/` or `hal/` reads the wall clock or arms a Node timer directly: it is given a
 * {@link Clock}. On a board that is a {@link SystemClock}; in tests, scenarios and fleets it is a
 * {@link SimulatedClock}, so an hour of charging runs in milliseconds and a run is deterministic.
 *
 * Both clocks keep every timer of every charger in one ordered queue ({@link TimerQueue}), so a
 * fleet of 10,000 chargers holds one Node timer, not 10,000 intervals.
 *
 * The shape of `setTimeout`/`clearTimeout` matches what XState's `createActor(…, { clock })` expects.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch, on this clock. */
  now(): number;
  /** Runs `fn` once after `ms` milliseconds of this clock's time. */
  setTimeout(fn: () => void, ms: number): TimerId;
  /** Cancels a timer; unknown or already fired ids are ignored. */
  clearTimeout(id: TimerId | undefined): void;
}

export type TimerId = number;

/**
 * Waits `ms` of `clock` time (a retry interval on the charger's clock, virtual in tests and
 * fleets); rejects with `cancelled()` when `signal` aborts first, or has already.
 */
export function delayOn(clock: Clock, ms: number, signal: AbortSignal, cancelled: () => Error): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(cancelled());
    const onAbort = () => {
      clock.clearTimeout(timer);
      reject(cancelled());
    };
    const timer = clock.setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Whether a service's real I/O is under way (a transfer, an installer, an upload), as opposed to
 * waiting on the clock: virtual-time owners let such work settle between steps (DESIGN.md §5), and
 * a wait on a virtual clock must not count, or nobody would ever advance it.
 */
export class RealWork {
  private busy = false;
  private readonly waiting: (() => void)[] = [];

  /** Real work starts (true) or ends (false). */
  set(on: boolean): void {
    this.busy = on;
    if (!on) for (const resolve of this.waiting.splice(0)) resolve();
  }

  /** Resolves once no real work is under way. */
  settled(): Promise<void> {
    return this.busy ? new Promise((resolve) => this.waiting.push(resolve)) : Promise.resolve();
  }

  /** Waits `ms` of clock time, not counting as work; rejects with `cancelled()` when `signal` aborts. */
  async idle(clock: Clock, ms: number, signal: AbortSignal, cancelled: () => Error): Promise<void> {
    this.set(false);
    try {
      await delayOn(clock, ms, signal, cancelled);
    } finally {
      this.set(true);
    }
  }
}

interface Timer {
  id: TimerId;
  at: number;
  seq: number;
  fn: () => void;
  /** Position in the heap array, kept up to date by every move (for removal on cancel). */
  index: number;
}

/**
 * A binary min-heap of timers ordered by due time, then by arming order (so two timers due at
 * the same instant fire in the order they were set, as with Node's own timers).
 * A cancelled timer leaves the heap at once: a fleet cancels a call timeout for every answer, and
 * left in place until it reached the top, those dead entries were ≈ 3 per charger after a boot.
 */
export class TimerQueue {
  private heap: Timer[] = [];
  private live = new Map<TimerId, Timer>();
  private nextId = 1;
  private seq = 0;

  add(at: number, fn: () => void): TimerId {
    const timer: Timer = { id: this.nextId++, at, seq: this.seq++, fn, index: this.heap.length };
    this.live.set(timer.id, timer);
    this.heap.push(timer);
    this.up(timer.index);
    return timer.id;
  }

  cancel(id: TimerId | undefined): void {
    if (id === undefined) return;
    const timer = this.live.get(id);
    if (!timer) return;
    this.live.delete(id);
    this.removeAt(timer.index);
  }

  get size(): number {
    return this.live.size;
  }

  /** Due time of the earliest live timer, or undefined when none is armed. */
  peekTime(): number | undefined {
    return this.heap[0]?.at;
  }

  /** Removes and returns the earliest live timer if it is due at or before `now`. */
  popDue(now: number): Timer | undefined {
    const top = this.heap[0];
    if (!top || top.at > now) return undefined;
    this.removeAt(0);
    this.live.delete(top.id);
    return top;
  }

  private less(a: Timer, b: Timer): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private place(i: number, t: Timer): void {
    this.heap[i] = t;
    t.index = i;
  }

  private removeAt(i: number): void {
    const h = this.heap;
    const last = h.pop()!;
    if (i === h.length) return;
    this.place(i, last);
    this.up(i);
    this.down(last.index);
  }

  private up(i: number): void {
    const h = this.heap;
    const t = h[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(t, h[parent]!)) break;
      this.place(i, h[parent]!);
      i = parent;
    }
    this.place(i, t);
  }

  private down(i: number): void {
    const h = this.heap;
    const t = h[i]!;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = l;
      if (l >= h.length) break;
      if (r < h.length && this.less(h[r]!, h[l]!)) m = r;
      if (!this.less(h[m]!, t)) break;
      this.place(i, h[m]!);
      i = m;
    }
    this.place(i, t);
  }
}

/**
 * Virtual time. Time moves only when {@link advance} or {@link advanceAsync} is called; timers due
 * in the advanced span fire in order, each seeing `now()` equal to its own due time.
 */
export class SimulatedClock implements Clock {
  private current: number;
  private readonly queue = new TimerQueue();

  /** @param start epoch milliseconds the clock starts at (default 2026-01-01T00:00:00Z). */
  constructor(start = Date.UTC(2026, 0, 1)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): TimerId {
    return this.queue.add(this.current + Math.max(0, ms), fn);
  }

  clearTimeout(id: TimerId | undefined): void {
    this.queue.cancel(id);
  }

  /** Number of armed timers (useful to assert that nothing is left running). */
  get pendingTimers(): number {
    return this.queue.size;
  }

  /** Moves time forward by `ms`, firing every timer that falls due, synchronously. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (let t = this.queue.popDue(target); t; t = this.queue.popDue(target)) {
      this.current = Math.max(this.current, t.at);
      t.fn();
    }
    this.current = target;
  }

  /**
   * Moves time forward by `ms` in steps no longer than `stepMs`, awaiting `settle()` after each
   * timer and each step, so real I/O (a WebSocket round trip, a file write) can complete before
   * virtual time goes on. Use this when the agent talks to a real CSMS under virtual time.
   */
  async advanceAsync(ms: number, settle: () => Promise<void>, stepMs = 1000): Promise<void> {
    const target = this.current + ms;
    await settle();
    while (this.current < target) {
      const stepEnd = Math.min(target, this.current + stepMs);
      for (let t = this.queue.popDue(stepEnd); t; t = this.queue.popDue(stepEnd)) {
        this.current = Math.max(this.current, t.at);
        t.fn();
        await settle();
      }
      this.current = stepEnd;
      await settle();
    }
  }
}

const MAX_NODE_DELAY_MS = 2 ** 31 - 1;

/**
 * Wall-clock time with one shared Node timer armed for the earliest due timer of all users.
 * One instance per process is enough ({@link systemClock}).
 */
export class SystemClock implements Clock {
  private readonly queue = new TimerQueue();
  private armed: ReturnType<typeof globalThis.setTimeout> | undefined;
  private armedAt = Infinity;

  now(): number {
    return Date.now();
  }

  setTimeout(fn: () => void, ms: number): TimerId {
    const id = this.queue.add(this.now() + Math.max(0, ms), fn);
    this.rearm();
    return id;
  }

  clearTimeout(id: TimerId | undefined): void {
    this.queue.cancel(id);
    if (this.queue.size === 0) this.disarm();
  }

  private disarm(): void {
    if (this.armed) globalThis.clearTimeout(this.armed);
    this.armed = undefined;
    this.armedAt = Infinity;
  }

  private rearm(): void {
    const next = this.queue.peekTime();
    if (next === undefined) return this.disarm();
    if (this.armed && next >= this.armedAt) return;
    this.disarm();
    this.armedAt = next;
    // Node fires delays above 2^31-1 ms after 1 ms; arm at most that far and re-arm on waking.
    this.armed = globalThis.setTimeout(() => this.fire(), Math.min(MAX_NODE_DELAY_MS, Math.max(0, next - this.now())));
  }

  private fire(): void {
    this.armed = undefined;
    this.armedAt = Infinity;
    const now = this.now();
    for (let t = this.queue.popDue(now); t; t = this.queue.popDue(now)) {
      try {
        t.fn();
      } catch (err) {
        // A throwing timer must not starve the others; surface it like Node would.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
    this.rearm();
  }
}

/** The process-wide wall clock. */
export const systemClock = new SystemClock();

/**
 * Another clock's time plus an offset that {@link setTime} adjusts: for a board without a trusted
 * clock (no RTC, no NTP), set from the CSMS's currentTime. Timers are the inner clock's (a delay
 * is a duration, unaffected by the offset); the host's own time is never changed.
 */
export class OffsetClock implements Clock {
  private offsetMs = 0;

  constructor(private readonly inner: Clock) {}

  now(): number {
    return this.inner.now() + this.offsetMs;
  }

  setTimeout(fn: () => void, ms: number): TimerId {
    return this.inner.setTimeout(fn, ms);
  }

  clearTimeout(id: TimerId | undefined): void {
    this.inner.clearTimeout(id);
  }

  /** From now on `now()` reads `epochMs` (and runs on from there). Non-finite values are ignored. */
  setTime(epochMs: number): void {
    if (Number.isFinite(epochMs)) this.offsetMs = epochMs - this.inner.now();
  }
}
