/**
 * OCPP 2.0.1 charging profiles ↔ the charger's own (agent/chargingLimits/chargingProfile.ts), the
 * 2.0.1 counterpart of v16/chargingProfile16.ts: SetChargingProfile and RequestStartTransaction's
 * chargingProfile in, ReportChargingProfiles and the GetCompositeSchedule answer out. An EVSE is the
 * shared services' connector (each EVSE has one connector).
 *
 * What this charger does not do is refused here with the reason, rather than half-applied:
 * ChargingStationExternalConstraints (set by an external system, never by the CSMS: K01.FR.22) and
 * more than one chargingSchedule (only ISO 15118 uses the alternatives: K01.FR.41).
 */
import { scheduleFromOcpp, type ChargingProfile, type ProfilePurpose } from '../../chargingLimits/chargingProfile.js';
import type { CompositeSchedule } from '../../chargingLimits/compositeSchedule.js';
import type { ChargingProfilePurposeEnumType, ChargingProfileType, CompositeScheduleType } from '../../ocpp201/messages.js';

const PURPOSES: Partial<Record<ChargingProfilePurposeEnumType, ProfilePurpose>> = { ChargingStationMaxProfile: 'ChargePointMax', TxDefaultProfile: 'TxDefault', TxProfile: 'Tx' };
const PURPOSES_201: Record<ProfilePurpose, ChargingProfilePurposeEnumType> = { ChargePointMax: 'ChargingStationMaxProfile', TxDefault: 'TxDefaultProfile', Tx: 'TxProfile' };

/** The shared purpose of a 2.0.1 one; undefined for ChargingStationExternalConstraints (not a CSMS's to set). */
export const purposeFrom201 = (p: ChargingProfilePurposeEnumType): ProfilePurpose | undefined => PURPOSES[p];
export const purposeTo201 = (p: ProfilePurpose): ChargingProfilePurposeEnumType => PURPOSES_201[p];

const time = (iso: string | undefined): number | undefined => (iso === undefined ? undefined : Date.parse(iso));

/**
 * A transactionId of ours is the decimal form of the shared number (TransactionEvents.ts): as that
 * number, so the charging-limit service compares it with the running transaction's; anything else
 * stays text and matches no transaction here.
 */
export function transactionIdFrom201(id: string): number | string {
  return /^\d{1,16}$/.test(id) ? Number(id) : id;
}

/** The profile for EVSE `evseId` (0: the station), or why this charger cannot take it. */
export function profileFrom201(p: ChargingProfileType, evseId: number): { profile: ChargingProfile } | { problem: string } {
  const purpose = purposeFrom201(p.chargingProfilePurpose);
  if (!purpose) return { problem: `${p.chargingProfilePurpose} is set by an external system, not by the CSMS` };
  if (p.chargingSchedule.length > 1) return { problem: 'only one chargingSchedule is supported (no ISO 15118 schedule selection)' };
  for (const [name, value] of [['validFrom', p.validFrom], ['validTo', p.validTo], ['startSchedule', p.chargingSchedule[0].startSchedule]] as const) {
    if (value !== undefined && Number.isNaN(Date.parse(value))) return { problem: `${name} is not a date-time` };
  }
  const s = p.chargingSchedule[0];
  const validFrom = time(p.validFrom);
  const validTo = time(p.validTo);
  return {
    profile: {
      id: p.id,
      connectorId: evseId,
      stackLevel: p.stackLevel,
      purpose,
      kind: p.chargingProfileKind,
      ...(p.recurrencyKind !== undefined && { recurrency: p.recurrencyKind }),
      ...(validFrom !== undefined && { validFrom }),
      ...(validTo !== undefined && { validTo }),
      ...(p.transactionId !== undefined && { transactionId: transactionIdFrom201(p.transactionId) }),
      scheduleId: s.id,
      schedule: scheduleFromOcpp(s),
    },
  };
}

/** A profile as ReportChargingProfiles gives it (a profile installed over 1.6 gets schedule id 0). */
export function profileTo201(p: ChargingProfile): ChargingProfileType {
  const iso = (ms: number) => new Date(ms).toISOString();
  const s = p.schedule;
  return {
    id: p.id,
    stackLevel: p.stackLevel,
    chargingProfilePurpose: purposeTo201(p.purpose),
    chargingProfileKind: p.kind,
    ...(p.recurrency !== undefined && { recurrencyKind: p.recurrency }),
    ...(p.validFrom !== undefined && { validFrom: iso(p.validFrom) }),
    ...(p.validTo !== undefined && { validTo: iso(p.validTo) }),
    ...(p.transactionId !== undefined && { transactionId: String(p.transactionId) }),
    chargingSchedule: [{
      id: p.scheduleId ?? 0,
      chargingRateUnit: s.unit,
      chargingSchedulePeriod: s.periods.map((x) => ({ startPeriod: x.startPeriod, limit: x.limit, ...(x.numberPhases !== undefined && { numberPhases: x.numberPhases }) })) as ChargingProfileType['chargingSchedule'][0]['chargingSchedulePeriod'],
      ...(s.startSchedule !== undefined && { startSchedule: iso(s.startSchedule) }),
      ...(s.duration !== undefined && { duration: s.duration }),
      ...(s.minChargingRate !== undefined && { minChargingRate: s.minChargingRate }),
    }],
  };
}

/** The GetCompositeSchedule schedule of a composite schedule. */
export function compositeTo201(evseId: number, c: CompositeSchedule): CompositeScheduleType {
  return {
    evseId,
    duration: c.duration,
    scheduleStart: new Date(c.start).toISOString(),
    chargingRateUnit: c.unit,
    chargingSchedulePeriod: c.periods.map((x) => ({ startPeriod: x.startPeriod, limit: x.limit, ...(x.numberPhases !== undefined && { numberPhases: x.numberPhases }) })) as CompositeScheduleType['chargingSchedulePeriod'],
  };
}
