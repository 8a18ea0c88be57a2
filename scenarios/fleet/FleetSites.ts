/**
 * What a fleet with sites (sites.ts) measures of a CSMS's load management:
 *
 * - **site power against the limit over time**: once a second of the fleet's clock (one timer for
 *   the fleet, at whole seconds so threads and shards sample the same instants) the power flowing
 *   through every site's chargers is summed (the simulated connectors' physics, what their meters
 *   read). Per time step the highest sum is kept; the step doubles when a run exceeds
 *   {@link MAX_POINTS} steps, so memory stays bounded.
 * - **how fast chargers obey new profiles**: from a SetChargingProfile received to the control
 *   pilot's new PWM offer confirmed by the hardware, on the fleet's clock. A profile that leaves
 *   the offer as it was (the same limit, no session offering, a period in the future) is counted as
 *   `unchanged`, one the charger refuses as `refused`, one replaced by the next before the offer
 *   followed as `superseded`; only changed offers go into the percentiles.
 */
import type { Agent } from '../../agent/Agent.js';
import type { ConnectorLimit } from '../../agent/chargingLimits/ChargingLimits.js';
import type { TrafficRecord } from '../../agent/ocpp/OcppTraffic.js';
import type { Clock, TimerId } from '../../hal/clock.js';
import type { SimulatedCharger } from '../../hal/sim/createSimulatedCharger.js';
import { LatencyHistogram, type HistogramState, type LatencySummary } from './LatencyHistogram.js';
import type { Site } from './sites.js';

export const MAX_POINTS = 3600;
const SAMPLE_MS = 1000;

export interface SitePowerSeries {
  /** Epoch ms of step 0 (a whole second). */
  startedAt: number;
  stepS: number;
  /** Highest total power sampled in each step, W (null: no sample in it). */
  maxW: (number | null)[];
}

export interface SiteReport {
  name: string;
  /** Chargers of this site in this report (this process's, or all merged parts'). */
  chargers: number;
  limitW: number;
  limitA: number;
  phases: 1 | 3;
  voltageV: number;
  /** Highest total power sampled, W. */
  maxW: number;
  samples: number;
  /** Samples above the limit (more than 1 % over: meter rounding is not a breach). */
  samplesOverLimit: number;
  power: SitePowerSeries;
}

export interface ObeyCounts {
  /** SetChargingProfile calls the site chargers received. */
  received: number;
  /** The new offer took effect (these make the percentiles). */
  obeyed: number;
  unchanged: number;
  refused: number;
  superseded: number;
}

export interface FleetSitesReport {
  sites: SiteReport[];
  obey: ObeyCounts & { ms: LatencySummary };
  /** The obey latencies as a histogram, for exact merging. */
  obeyLatency: HistogramState;
}

/** What one charger waits for after a SetChargingProfile. */
interface Pending {
  at: number;
  /** Each connector's offer when the call came (the hardware may follow before the limit is told). */
  before: number[];
  connectorId?: number;
  offerA?: number;
  /** The offer followed before the answer went out. */
  done?: boolean;
}

export class FleetSites {
  private readonly members: { sim: SimulatedCharger }[][];
  private readonly series: SitePowerSeries[];
  private readonly peaks: { maxW: number; samples: number; over: number }[];
  private readonly obeyMs = new LatencyHistogram();
  private readonly counts: ObeyCounts = { received: 0, obeyed: 0, unchanged: 0, refused: 0, superseded: 0 };
  private timer: TimerId | undefined;

  constructor(
    readonly sites: readonly Site[],
    private readonly clock: Clock,
  ) {
    const startedAt = Math.floor(clock.now() / SAMPLE_MS) * SAMPLE_MS;
    this.members = sites.map(() => []);
    this.series = sites.map(() => ({ startedAt, stepS: 1, maxW: [] }));
    this.peaks = sites.map(() => ({ maxW: 0, samples: 0, over: 0 }));
  }

  /** Samples from the next whole second on. */
  start(): void {
    if (this.timer !== undefined || this.sites.length === 0) return;
    const arm = () => {
      const now = this.clock.now();
      this.timer = this.clock.setTimeout(() => {
        this.sample();
        arm();
      }, SAMPLE_MS - (now % SAMPLE_MS));
    };
    arm();
  }

  stop(): void {
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Adds a charger to site `index` (before `agent.start()`) and follows how it obeys profiles. */
  adopt(index: number, agent: Agent, sim: SimulatedCharger): void {
    this.members[index]?.push({ sim });
    let pending: Pending | undefined;
    agent.on('traffic', (r: TrafficRecord) => {
      if (r.action !== 'SetChargingProfile') return;
      if (r.type === 'call' && r.direction === 'in') {
        if (pending) this.counts.superseded++;
        this.counts.received++;
        pending = { at: this.clock.now(), before: sim.connectors.map((c) => c.pilot.currentOfferA) };
        return;
      }
      if (r.direction !== 'out' || !pending) return;
      if (r.type !== 'result' || (r.payload as { status?: string }).status !== 'Accepted') {
        this.counts.refused++;
        pending = undefined;
      } else if (pending.offerA === undefined) {
        // Accepted, and the offer followed at once or need not change: nothing to wait for.
        if (!pending.done) this.counts.unchanged++;
        pending = undefined;
      }
    });
    // Installing a profile decides the new limit at once (before the answer goes out).
    agent.on('limit', (limit: ConnectorLimit) => {
      if (!pending || pending.connectorId !== undefined) return;
      pending.connectorId = limit.connectorId;
      const offerA = limit.amps >= 6 ? limit.amps : 0;
      const pilot = sim.connectors[limit.connectorId - 1]?.pilot;
      const offering = agent.connectors.some((c) => c.connectorId === limit.connectorId && c.hasTransaction);
      // The limit changed but the offer will not: the same whole amps, or no session to offer to.
      if (!pilot || !offering || offerA === pending.before[limit.connectorId - 1]) return;
      if (pilot.currentOfferA !== offerA) pending.offerA = offerA;
      else {
        this.obeyed(pending.at);
        pending.done = true;
      }
    });
    for (const c of sim.connectors) {
      c.pilot.on('offer', (amps) => {
        if (!pending || pending.connectorId !== c.connectorId || pending.offerA !== amps) return;
        this.obeyed(pending.at);
        pending = undefined;
      });
    }
  }

  private obeyed(since: number): void {
    this.obeyMs.add(this.clock.now() - since);
    this.counts.obeyed++;
  }

  private sample(): void {
    const now = this.clock.now();
    this.sites.forEach((site, i) => {
      let w = 0;
      for (const m of this.members[i]!) for (const c of m.sim.connectors) w += c.powerW;
      const s = this.series[i]!;
      let step = Math.floor((now - s.startedAt) / (s.stepS * 1000));
      while (step >= MAX_POINTS) {
        compact(s);
        step = Math.floor((now - s.startedAt) / (s.stepS * 1000));
      }
      while (s.maxW.length <= step) s.maxW.push(null);
      s.maxW[step] = Math.max(s.maxW[step] ?? 0, w);
      const p = this.peaks[i]!;
      p.samples++;
      p.maxW = Math.max(p.maxW, w);
      if (w > site.limitW * 1.01) p.over++;
    });
  }

  report(): FleetSitesReport {
    return {
      sites: this.sites.map((site, i) => ({
        name: site.name,
        chargers: this.members[i]!.length,
        limitW: site.limitW,
        limitA: site.limitA,
        phases: site.phases,
        voltageV: site.voltageV,
        maxW: this.peaks[i]!.maxW,
        samples: this.peaks[i]!.samples,
        samplesOverLimit: this.peaks[i]!.over,
        power: { ...this.series[i]!, maxW: [...this.series[i]!.maxW] },
      })),
      obey: { ...this.counts, ms: this.obeyMs.summary() },
      obeyLatency: this.obeyMs.state(),
    };
  }
}

function compact(s: SitePowerSeries): void {
  const out: (number | null)[] = [];
  for (let j = 0; j < s.maxW.length; j += 2) {
    const a = s.maxW[j] ?? null;
    const b = s.maxW[j + 1] ?? null;
    out.push(a === null ? b : b === null ? a : Math.max(a, b));
  }
  s.maxW = out;
  s.stepS *= 2;
}

/**
 * Sites of several parts (threads, shards) of one run: chargers add up, and per time step the
 * parts' power adds up (their peaks within a step, so an upper bound once steps are longer than
 * the 1 s samples); the obey latencies merge exactly.
 */
export function mergeSites(parts: readonly (FleetSitesReport | undefined)[]): FleetSitesReport | undefined {
  const present = parts.filter((p): p is FleetSitesReport => p !== undefined);
  if (present.length === 0) return undefined;
  if (present.length === 1) return present[0];
  const h = new LatencyHistogram();
  for (const p of present) h.absorb(p.obeyLatency);
  const names = [...new Set(present.flatMap((p) => p.sites.map((s) => s.name)))];
  const sites = names.map((name) => {
    const of = present.map((p) => p.sites.find((s) => s.name === name)).filter((s): s is SiteReport => s !== undefined);
    const first = of[0]!;
    const startedAt = Math.min(...of.map((s) => s.power.startedAt));
    const stepS = Math.max(...of.map((s) => s.power.stepS));
    const maxW: (number | null)[] = [];
    for (const s of of) {
      s.power.maxW.forEach((w, i) => {
        if (w === null) return;
        const j = Math.min(2 * MAX_POINTS - 1, Math.floor((s.power.startedAt + i * s.power.stepS * 1000 - startedAt) / (stepS * 1000)));
        while (maxW.length <= j) maxW.push(null);
        maxW[j] = (maxW[j] ?? 0) + w;
      });
    }
    const peak = Math.max(0, ...maxW.map((w) => w ?? 0));
    return {
      ...first,
      chargers: of.reduce((n, s) => n + s.chargers, 0),
      maxW: peak,
      samples: Math.max(...of.map((s) => s.samples)),
      samplesOverLimit: maxW.filter((w) => w !== null && w > first.limitW * 1.01).length,
      power: { startedAt, stepS, maxW },
    };
  });
  const sum = (f: (c: ObeyCounts) => number) => present.reduce((n, p) => n + f(p.obey), 0);
  return {
    sites,
    obey: { received: sum((c) => c.received), obeyed: sum((c) => c.obeyed), unchanged: sum((c) => c.unchanged), refused: sum((c) => c.refused), superseded: sum((c) => c.superseded), ms: h.summary() },
    obeyLatency: h.state(),
  };
}
