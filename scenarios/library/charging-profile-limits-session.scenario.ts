import { scenario } from '../kit/scenario.js';

type Sampled = { measurand?: string; value: string };
const offered = (amps: number) => (p: unknown) =>
  (p as { meterValue: { sampledValue: Sampled[] }[] }).meterValue.some((mv) => mv.sampledValue.some((s) => s.measurand === 'Current.Offered' && Number(s.value) === amps));

/**
 * SmartCharging the hardware obeys: a TxDefaultProfile of 10 A, then a TxProfile that lowers the
 * session to 6 A from minute 5 and to 0 A from minute 10. MeterValues show the offer follow, the
 * connector is SuspendedEVSE at 0 A (the charger's own status: a 2.0.1 station keeps its EVSE Occupied
 * on the wire), and GetCompositeSchedule answers what the charger will do.
 */
export default scenario('charging profiles limit a session', async (t) => {
  const configured = await t.csms.send('ChangeConfiguration', { key: 'MeterValuesSampledData', value: 'Energy.Active.Import.Register,Current.Offered,Power.Active.Import' });
  const interval = await t.csms.send('ChangeConfiguration', { key: 'MeterValueSampleInterval', value: '60' });
  if (configured.status !== 'Accepted' || interval.status !== 'Accepted') throw new Error('meter values not configured');
  const txDefault = await t.csms.send('SetChargingProfile', {
    connectorId: 0,
    csChargingProfiles: { chargingProfileId: 1, stackLevel: 0, chargingProfilePurpose: 'TxDefaultProfile', chargingProfileKind: 'Relative', chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 10 }] } },
  });
  if (txDefault.status !== 'Accepted') throw new Error(`TxDefaultProfile: ${txDefault.status}`);

  await t.ev.plugIn(1);
  await t.rfid.present('04A1B2C3');
  await t.expect.status(1, 'Charging');
  const start = await t.csms.expect('StartTransaction');
  await t.csms.expect('MeterValues', offered(10), { within: '70s' });

  const tx = await t.csms.send('SetChargingProfile', {
    connectorId: 1,
    csChargingProfiles: {
      chargingProfileId: 2,
      transactionId: t.csms.lastTransactionId(),
      stackLevel: 1,
      chargingProfilePurpose: 'TxProfile',
      chargingProfileKind: 'Relative',
      chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 10 }, { startPeriod: 300, limit: 6 }, { startPeriod: 600, limit: 0 }] },
    },
  });
  if (tx.status !== 'Accepted') throw new Error(`TxProfile: ${tx.status}`);
  const composite = await t.csms.send('GetCompositeSchedule', { connectorId: 1, duration: 900 });
  const limits = composite.chargingSchedule?.chargingSchedulePeriod.map((p) => p.limit);
  if (JSON.stringify(limits) !== '[10,6,0]') throw new Error(`GetCompositeSchedule: limits ${JSON.stringify(limits)} (expected [10,6,0]) from ${start.timestamp}`);

  await t.csms.expect('MeterValues', offered(6), { within: '6m' });
  await t.expect.status(1, 'Charging');
  await t.expect.status(1, 'SuspendedEVSE', { within: '6m' });
  await t.csms.expect('MeterValues', offered(0), { within: '70s' });
  await t.csms.expectNone('StopTransaction', undefined, { within: '1m' });
});
