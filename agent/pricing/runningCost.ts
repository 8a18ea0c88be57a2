/**
 * The cost of a running session between two RunningCost messages of the OCA "California Pricing"
 * application note: the CSMS sends the cost up to a meter value and the unit prices; the charger
 * adds what was used since, so the driver sees the cost rise live. Pure.
 */

/** ChargingPrice: per kWh, per hour of charging, a flat fee for the session (part). */
export interface ChargingPrice {
  readonly kWhPrice?: number;
  readonly hourPrice?: number;
  readonly flatFee?: number;
}

/** IdlePrice: per hour while idle, after graceMinutes from the start of idling. */
export interface IdlePrice {
  readonly graceMinutes?: number;
  readonly hourPrice?: number;
}

/** The RunningCost message's data (transactionId as the CSMS numbers it; timestamp RFC 3339; meterValue Wh). */
export interface RunningCost {
  readonly transactionId: number;
  readonly timestamp: string;
  readonly meterValue: number;
  readonly cost: number;
  readonly state: 'Charging' | 'Idle';
  readonly chargingPrice: ChargingPrice;
  readonly idlePrice?: IdlePrice;
  readonly nextPeriod?: { readonly atTime: string; readonly chargingPrice: ChargingPrice; readonly idlePrice?: IdlePrice };
  readonly triggerMeterValue?: { readonly atTime?: string; readonly atEnergykWh?: number; readonly atPowerkW?: number; readonly atCPStatus?: readonly string[] };
}

/** A price text in its languages: `text` the default, `byLanguage` the translations. */
export interface PriceText {
  readonly text: string;
  readonly byLanguage?: Readonly<Record<string, string>>;
}

const HOUR = 3_600_000;

/**
 * The cost at `now` with the register at `meterWh`: the CSMS's cost plus, since its meter value and
 * timestamp, energy × kWhPrice and time × hourPrice while Charging, or time beyond the grace ×
 * idle hourPrice while Idle. From nextPeriod.atTime on, its prices apply (energy used after a
 * price change is counted at the new price by the share of time after it). Never below the CSMS's
 * cost; time before the message counts nothing.
 */
export function costAt(rc: RunningCost, now: number, meterWh: number, idleSince?: number): number {
  const since = Date.parse(rc.timestamp);
  const elapsed = Math.max(0, now - since);
  const energyKWh = Math.max(0, meterWh - rc.meterValue) / 1000;
  const change = rc.nextPeriod ? Date.parse(rc.nextPeriod.atTime) : Number.POSITIVE_INFINITY;
  const before = Math.max(0, Math.min(now, change) - since);
  const after = elapsed - before;
  const share = elapsed > 0 ? before / elapsed : 1;
  const periods: [number, ChargingPrice, IdlePrice | undefined][] = [[before, rc.chargingPrice, rc.idlePrice]];
  if (after > 0 && rc.nextPeriod) periods.push([after, rc.nextPeriod.chargingPrice, rc.nextPeriod.idlePrice ?? rc.idlePrice]);
  let added = 0;
  for (const [ms, charging, idle] of periods) {
    if (rc.state === 'Charging') {
      const energyShare = periods.length === 1 ? energyKWh : ms === before ? energyKWh * share : energyKWh * (1 - share);
      added += energyShare * (charging.kWhPrice ?? 0) + (ms / HOUR) * (charging.hourPrice ?? 0);
    } else {
      const graceEnds = (idleSince ?? since) + (idle?.graceMinutes ?? 0) * 60_000;
      const start = ms === before ? since : change;
      const billable = Math.max(0, start + ms - Math.max(start, graceEnds));
      added += (billable / HOUR) * (idle?.hourPrice ?? 0);
    }
  }
  return rc.cost + added;
}
