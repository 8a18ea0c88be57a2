/**
 * When a change of a limit is worth telling (OCPP 2.0.1 SmartChargingCtrlr.LimitChangeSignificance):
 * shared by the transaction messages (ChargingRateChanged) and the external-limit notifications.
 *
 * Whether a limit moved from `before` to `after` by more than `significance` (a fraction of
 * `before`; OCPP 2.0.1 LimitChangeSignificance). From 0 any rise is significant; an unreadable
 * significance counts as 0 (every change).
 */
export function significantChange(before: number, after: number, significance: number): boolean {
  if (after === before) return false;
  if (before === 0) return true;
  return Math.abs(after - before) / before > (Number.isFinite(significance) ? significance : 0);
}
