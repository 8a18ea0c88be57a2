/**
 * OCPP 1.6 charging profiles ↔ the charger's own (agent/chargingLimits/chargingProfile.ts): the
 * SetChargingProfile and RemoteStartTransaction csChargingProfiles/chargingProfile, the purposes of
 * ClearChargingProfile, the GetCompositeSchedule answer.
 */
import { scheduleFromOcpp, type ChargingProfile, type ProfilePurpose } from '../../chargingLimits/chargingProfile.js';
import type { CompositeSchedule } from '../../chargingLimits/compositeSchedule.js';
import type { GetCompositeScheduleResponse, SetChargingProfileRequest } from '../../ocpp16/messages.js';

export type ChargingProfile16 = SetChargingProfileRequest['csChargingProfiles'];
export type Purpose16 = ChargingProfile16['chargingProfilePurpose'];

const PURPOSES: Record<Purpose16, ProfilePurpose> = { ChargePointMaxProfile: 'ChargePointMax', TxDefaultProfile: 'TxDefault', TxProfile: 'Tx' };

export const purposeFrom16 = (p: Purpose16): ProfilePurpose => PURPOSES[p];

const time = (iso: string | undefined): number | undefined => (iso === undefined ? undefined : Date.parse(iso));

/** A 1.6 profile for `connectorId` (SetChargingProfile's connectorId; RemoteStart: the one asked for, else 0 until chosen). */
export function profileFrom16(p: ChargingProfile16, connectorId: number): ChargingProfile {
  const s = p.chargingSchedule;
  const validFrom = time(p.validFrom);
  const validTo = time(p.validTo);
  return {
    id: p.chargingProfileId,
    connectorId,
    stackLevel: p.stackLevel,
    purpose: purposeFrom16(p.chargingProfilePurpose),
    kind: p.chargingProfileKind,
    ...(p.recurrencyKind !== undefined && { recurrency: p.recurrencyKind }),
    ...(validFrom !== undefined && { validFrom }),
    ...(validTo !== undefined && { validTo }),
    ...(p.transactionId !== undefined && { transactionId: p.transactionId }),
    schedule: scheduleFromOcpp(s),
  };
}

/** A date-time the 1.6 schemas accept, or why not. */
export function invalidTimeIn(p: ChargingProfile16): string | undefined {
  for (const [name, value] of [['validFrom', p.validFrom], ['validTo', p.validTo], ['startSchedule', p.chargingSchedule.startSchedule]] as const) {
    if (value !== undefined && Number.isNaN(Date.parse(value))) return `${name} is not a date-time`;
  }
  return undefined;
}

/** The GetCompositeSchedule.conf of a composite schedule. */
export function compositeTo16(connectorId: number, c: CompositeSchedule): GetCompositeScheduleResponse {
  const start = new Date(c.start).toISOString();
  return {
    status: 'Accepted',
    connectorId,
    scheduleStart: start,
    chargingSchedule: {
      duration: c.duration,
      startSchedule: start,
      chargingRateUnit: c.unit,
      chargingSchedulePeriod: c.periods.map((x) => ({ startPeriod: x.startPeriod, limit: x.limit, ...(x.numberPhases !== undefined && { numberPhases: x.numberPhases }) })),
      ...(c.minChargingRate !== undefined && { minChargingRate: c.minChargingRate }),
    },
  };
}
