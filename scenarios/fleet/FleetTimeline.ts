/**
 * The fleet's connection curve: per time step (1 s, doubled whenever the run exceeds
 * {@link MAX_POINTS} steps, so memory stays bounded) the connections made (first ones and
 * reconnections), the disconnections, the reconnect attempts scheduled, and the chargers connected
 * at the end of the step. It shows a CSMS restart as a dip and how the fleet comes back: spread
 * over the back-off window by full jitter, not as a thundering herd.
 */
export const MAX_POINTS = 3600;

export type TimelineCounter = 'connects' | 'reconnects' | 'disconnects' | 'attempts';

export interface TimelineState {
  /** Epoch ms of step 0. */
  startedAt: number;
  stepS: number;
  connected: number[];
  connects: number[];
  reconnects: number[];
  disconnects: number[];
  attempts: number[];
}

const COUNTERS: readonly TimelineCounter[] = ['connects', 'reconnects', 'disconnects', 'attempts'];

export class FleetTimeline {
  private s: TimelineState;

  constructor(startedAt: number) {
    this.s = { startedAt, stepS: 1, connected: [], connects: [], reconnects: [], disconnects: [], attempts: [] };
  }

  /** Extends the series to cover `at` and returns its step index. */
  private index(at: number): number {
    let i = Math.max(0, Math.floor((at - this.s.startedAt) / (this.s.stepS * 1000)));
    while (i >= MAX_POINTS) {
      this.compact();
      i = Math.max(0, Math.floor((at - this.s.startedAt) / (this.s.stepS * 1000)));
    }
    const s = this.s;
    while (s.connected.length <= i) {
      s.connected.push(s.connected.at(-1) ?? 0);
      for (const c of COUNTERS) s[c].push(0);
    }
    return i;
  }

  private compact(): void {
    const s = this.s;
    const pairs = <T>(a: T[], f: (x: T, y: T | undefined) => T) => Array.from({ length: Math.ceil(a.length / 2) }, (_, j) => f(a[2 * j]!, a[2 * j + 1]));
    this.s = {
      startedAt: s.startedAt,
      stepS: s.stepS * 2,
      connected: pairs(s.connected, (x, y) => y ?? x),
      connects: pairs(s.connects, (x, y) => x + (y ?? 0)),
      reconnects: pairs(s.reconnects, (x, y) => x + (y ?? 0)),
      disconnects: pairs(s.disconnects, (x, y) => x + (y ?? 0)),
      attempts: pairs(s.attempts, (x, y) => x + (y ?? 0)),
    };
  }

  count(counter: TimelineCounter, at: number): void {
    // index() first: it may replace this.s when it coarsens.
    const i = this.index(at);
    this.s[counter][i]!++;
  }

  connected(value: number, at: number): void {
    const i = this.index(at);
    this.s.connected[i] = value;
  }

  state(at: number = Date.now()): TimelineState {
    this.index(at);
    const s = this.s;
    return { ...s, connected: [...s.connected], connects: [...s.connects], reconnects: [...s.reconnects], disconnects: [...s.disconnects], attempts: [...s.attempts] };
  }
}

/** Merges timelines of parts (threads, shards) onto one grid: counts add up, connected sums each part's last value per step. */
export function mergeTimelines(parts: TimelineState[]): TimelineState | undefined {
  if (parts.length === 0) return undefined;
  const startedAt = Math.min(...parts.map((p) => p.startedAt));
  const stepS = Math.max(...parts.map((p) => p.stepS));
  const stepMs = stepS * 1000;
  const end = Math.max(...parts.map((p) => p.startedAt + p.connected.length * p.stepS * 1000));
  const length = Math.min(MAX_POINTS * 2, Math.max(0, Math.ceil((end - startedAt) / stepMs)));
  const out: TimelineState = { startedAt, stepS, connected: new Array<number>(length).fill(0), connects: [], reconnects: [], disconnects: [], attempts: [] };
  for (const c of COUNTERS) out[c] = new Array<number>(length).fill(0);
  for (const p of parts) {
    const gauge = new Array<number | undefined>(length).fill(undefined);
    let last = -1;
    for (let i = 0; i < p.connected.length; i++) {
      const j = Math.min(length - 1, Math.floor((p.startedAt + i * p.stepS * 1000 - startedAt) / stepMs));
      for (const c of COUNTERS) out[c][j]! += p[c][i] ?? 0;
      gauge[j] = p.connected[i];
      last = Math.max(last, j);
    }
    // Carry each part's value over the steps it has no sample for, up to its last step.
    let value = 0;
    for (let j = 0; j <= last; j++) {
      value = gauge[j] ?? value;
      out.connected[j]! += value;
    }
  }
  return out;
}
