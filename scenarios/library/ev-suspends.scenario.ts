import { scenario } from '../kit/scenario.js';

/**
 * The EV pauses charging (SuspendedEV) without ending the transaction, then resumes (Charging), and
 * the charger tells the CSMS each time: on OCPP 1.6 as the connector's status, on 2.0.1 as the
 * transaction's chargingState (TransactionEvent Updated, ChargingStateChanged; the EVSE stays Occupied).
 */
export default scenario('EV suspends and resumes within one transaction', async (t) => {
  await t.ev.plugIn(1);
  await t.rfid.present('04A1B2C3');
  await t.expect.status(1, 'Charging');
  // Past the start: a 1.6 charger reports SuspendedEV for an instant before the EV draws current.
  await t.csms.expectChargingState(1, 'Charging');
  await t.clock.advance('10m');
  await t.ev.suspend(1);
  await t.expect.status(1, 'SuspendedEV');
  await t.csms.expectChargingState(1, 'SuspendedEV', { within: '10s' });
  await t.clock.advance('10m');
  await t.ev.resume(1);
  await t.expect.status(1, 'Charging');
  await t.csms.expectChargingState(1, 'Charging', { within: '10s' });
  await t.csms.expectNone('StopTransaction', undefined, { within: '10s' });
  await t.expect.transactions(1);
  if (t.ocppVersion === '2.0.1') {
    // The EVSE was Occupied throughout: 2.0.1 tells the suspension in the transaction only.
    const statuses = t.csms.sent('StatusNotification').map((s) => String(s.status));
    if (statuses.at(-1) !== 'Occupied' || statuses.some((s) => s !== 'Available' && s !== 'Occupied')) throw new Error(`EVSE 1 reported ${statuses.join(', ')}`);
  }
});
