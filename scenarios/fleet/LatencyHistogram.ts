/**
 * A mergeable latency histogram with logarithmic buckets (bucket i holds values in
 * (γ^(i-1), γ^i], γ = 1.02): any quantile is estimated within ±1 % of the true value, the count,
 * sum and max are exact, memory is a few hundred buckets whatever the number of samples, and two
 * histograms merge exactly by adding bucket counts — across worker threads and across shard
 * report files alike. Values ≤ 0.01 ms share one bucket.
 */
const GAMMA = 1.02;
const LOG_GAMMA = Math.log(GAMMA);
const MIN_VALUE = 0.01;

/** Serialisable form (in reports): sparse bucket counts by index. */
export interface HistogramState {
  count: number;
  sum: number;
  max: number;
  buckets: Record<string, number>;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export class LatencyHistogram {
  private readonly buckets = new Map<number, number>();
  private n = 0;
  private total = 0;
  private maxValue = 0;

  static from(state: HistogramState): LatencyHistogram {
    const h = new LatencyHistogram();
    h.absorb(state);
    return h;
  }

  get count(): number {
    return this.n;
  }

  add(v: number): void {
    if (!Number.isFinite(v)) return;
    const value = Math.max(0, v);
    const i = value <= MIN_VALUE ? Number.MIN_SAFE_INTEGER : Math.ceil(Math.log(value) / LOG_GAMMA);
    this.buckets.set(i, (this.buckets.get(i) ?? 0) + 1);
    this.n++;
    this.total += value;
    if (value > this.maxValue) this.maxValue = value;
  }

  absorb(other: HistogramState): void {
    for (const [k, c] of Object.entries(other.buckets)) this.buckets.set(Number(k), (this.buckets.get(Number(k)) ?? 0) + c);
    this.n += other.count;
    this.total += other.sum;
    this.maxValue = Math.max(this.maxValue, other.max);
  }

  state(): HistogramState {
    return { count: this.n, sum: this.total, max: this.maxValue, buckets: Object.fromEntries(this.buckets) };
  }

  /** The p-th percentile (0 < p ≤ 100), ±1 %; 0 without samples. */
  quantile(p: number): number {
    if (this.n === 0) return 0;
    const rank = Math.max(1, Math.ceil((p / 100) * this.n));
    let seen = 0;
    for (const i of [...this.buckets.keys()].sort((a, b) => a - b)) {
      seen += this.buckets.get(i)!;
      if (seen >= rank) {
        if (i === Number.MIN_SAFE_INTEGER) return 0;
        // The middle of the bucket (relative), never above the exact max.
        return Math.min(this.maxValue, (2 * GAMMA ** i) / (GAMMA + 1));
      }
    }
    return this.maxValue;
  }

  /** Count of values ≤ `le` (for Prometheus buckets; exact at bucket edges, else ±1 bucket). */
  countAtMost(le: number): number {
    let n = 0;
    for (const [i, c] of this.buckets) if (i === Number.MIN_SAFE_INTEGER || GAMMA ** i <= le * (1 + 1e-12)) n += c;
    return n;
  }

  summary(): LatencySummary {
    const r = (v: number) => Math.round(v * 100) / 100;
    return { count: this.n, p50: r(this.quantile(50)), p95: r(this.quantile(95)), p99: r(this.quantile(99)), max: r(this.maxValue) };
  }
}
