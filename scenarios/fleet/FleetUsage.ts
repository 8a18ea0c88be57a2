/**
 * The fleet's usage data: every charger's {@link UsageTracker} writes into one running
 * {@link UsageTally} (no records kept: a fleet's memory is per-charger state only), and the report
 * carries the tally and its summary — the same summary `evse sessions` prints for one charger
 * (agent/sessions/usageSummary.ts). Sessions count once the EV has left (or the fleet stopped);
 * connector time counts from each charger's start to its stop, so a progress report shows the
 * sessions completed so far against the time run so far.
 */
import type { Agent } from '../../agent/Agent.js';
import { UsageTracker } from '../../agent/sessions/UsageTracker.js';
import { addTallies, countInterval, countSession, emptyTally, summarizeUsage, type UsageSummary, type UsageTally } from '../../agent/sessions/usageSummary.js';
import type { SessionRecord, UsageInterval, UsageSink } from '../../agent/store/usageTypes.js';
import type { Clock } from '../../hal/clock.js';

export interface FleetUsageReport {
  tally: UsageTally;
  summary: UsageSummary;
}

const EVER = { from: -Infinity, to: Infinity };

export class FleetUsage implements UsageSink {
  private readonly tally = emptyTally();
  /** Connectors tracked now, and the sum of their start times relative to `base` (ms; relative, so it stays exact). */
  private trackedConnectors = 0;
  private trackedSince = 0;
  private readonly base: number;

  constructor(private readonly clock: Clock) {
    this.base = clock.now();
  }

  session(record: Readonly<SessionRecord>, complete: boolean): void {
    if (complete) countSession(this.tally, record);
  }

  interval(interval: Readonly<UsageInterval>): void {
    if (interval.to !== undefined) countInterval(this.tally, interval, EVER);
  }

  /** Starts tracking a charger (before `agent.start()`). */
  track(agent: Agent): UsageTracker {
    const tracker = new UsageTracker({ agent, clock: this.clock, sink: this });
    tracker.start();
    const connectors = tracker.connectorCount;
    this.tally.connectors += connectors;
    this.trackedConnectors += connectors;
    this.trackedSince += connectors * (tracker.startedAt! - this.base);
    return tracker;
  }

  /** Ends a charger's observation (after `agent.stop()`): what is open counts until now. */
  untrack(tracker: UsageTracker): void {
    if (tracker.startedAt === undefined || !tracker.stop({ close: true })) return;
    const connectors = tracker.connectorCount;
    const at = tracker.startedAt - this.base;
    this.trackedConnectors -= connectors;
    this.trackedSince -= connectors * at;
    this.tally.connectorMs += connectors * (this.clock.now() - this.base - at);
  }

  report(): FleetUsageReport {
    const tally = { ...this.tally, connectorMs: this.tally.connectorMs + this.trackedConnectors * (this.clock.now() - this.base) - this.trackedSince };
    return { tally, summary: summarizeUsage(tally) };
  }
}

/** Usage of several reports (threads, shards): tallies add up, the summary follows from the sum. */
export function mergeUsage(parts: readonly (FleetUsageReport | undefined)[]): FleetUsageReport | undefined {
  const present = parts.filter((p): p is FleetUsageReport => p !== undefined);
  if (present.length === 0) return undefined;
  const tally = addTallies(...present.map((p) => p.tally));
  return { tally, summary: summarizeUsage(tally) };
}
