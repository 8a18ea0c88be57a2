/**
 * A charging profile as the charger keeps it, whichever OCPP version installed it: the OCPP 1.6
 * SetChargingProfile and RemoteStartTransaction faces translate to and from this shape
 * (agent/ocpp/v16/chargingProfile16.ts), and OCPP 2.0.1 can do the same. Times are clock epoch
 * milliseconds, durations and period starts seconds (as on the wire).
 */

/**
 * What a profile limits: the whole charge point (ChargePointMax, connector 0), the default for
 * transactions (TxDefault, connector 0 = every connector) or one running transaction (Tx).
 */
export type ProfilePurpose = 'ChargePointMax' | 'TxDefault' | 'Tx';
export type ProfileKind = 'Absolute' | 'Relative' | 'Recurring';
export type RateUnit = 'A' | 'W';

export interface SchedulePeriod {
  /** Seconds from the start of the schedule. */
  startPeriod: number;
  /** In the schedule's unit: A per phase, or W in total. */
  limit: number;
  /** Phases the EV may use (default 3; never more than the connector has wired). */
  numberPhases?: number;
}

export interface ChargingSchedule {
  unit: RateUnit;
  /** Ascending startPeriod, the first at 0. */
  periods: SchedulePeriod[];
  /** Absolute: when period 0 starts; Recurring: the start of the first recurrence. */
  startSchedule?: number;
  /** Seconds; absent: the last period lasts until the profile is no longer valid. */
  duration?: number;
  /** The lowest rate the EV can charge at, in the schedule's unit: a lower limit suspends. */
  minChargingRate?: number;
}

/** A chargingSchedule as OCPP sends it: 1.6 and 2.0.1 name these fields alike. */
export interface OcppChargingSchedule {
  chargingRateUnit: RateUnit;
  chargingSchedulePeriod: readonly SchedulePeriod[];
  startSchedule?: string;
  duration?: number;
  minChargingRate?: number;
}

/** The charger's schedule from an OCPP chargingSchedule (either version). */
export function scheduleFromOcpp(s: OcppChargingSchedule): ChargingSchedule {
  return {
    unit: s.chargingRateUnit,
    periods: s.chargingSchedulePeriod.map((x) => ({ startPeriod: x.startPeriod, limit: x.limit, ...(x.numberPhases !== undefined && { numberPhases: x.numberPhases }) })),
    ...(s.startSchedule !== undefined && { startSchedule: Date.parse(s.startSchedule) }),
    ...(s.duration !== undefined && { duration: s.duration }),
    ...(s.minChargingRate !== undefined && { minChargingRate: s.minChargingRate }),
  };
}

export interface ChargingProfile {
  id: number;
  /** 0: the charge point as a whole (ChargePointMax, or TxDefault for every connector). */
  connectorId: number;
  stackLevel: number;
  purpose: ProfilePurpose;
  kind: ProfileKind;
  recurrency?: 'Daily' | 'Weekly';
  validFrom?: number;
  validTo?: number;
  /** Tx: the transaction it was set for (informational: a Tx profile ends with its connector's transaction). */
  transactionId?: number | string;
  schedule: ChargingSchedule;
  /** OCPP 2.0.1: the chargingSchedule's own id, given back when the CSMS asks for its profiles (1.6 has none). */
  scheduleId?: number;
}

/** The conditions a schedule is evaluated for on one connector. */
export interface ConnectorSituation {
  connectorId: number;
  /** Start of the session on the connector (Relative profiles count from it); absent: from the evaluation's start. */
  sessionStart?: number;
  /** Nominal phase-to-neutral voltage, V (W ↔ A). */
  voltageV: number;
  /** Phases wired to the connector. */
  phases: 1 | 3;
  /** IANA time zone recurring schedules repeat in (absent: UTC). */
  timeZone?: string;
}
