import { scenario } from '../kit/scenario.js';

/** The EV pauses charging (SuspendedEV) without ending the transaction, then resumes (Charging). */
export default scenario('EV suspends and resumes within one transaction', { onlyOcpp: { version: '1.6', reason: 'checks SuspendedEV and Charging on the wire; a 2.0.1 station reports its EVSE Occupied throughout and does not send the chargingState changes (TransactionEvent Updated, ChargingStateChanged) yet' } }, async (t) => {
  await t.ev.plugIn(1);
  await t.rfid.present('04A1B2C3');
  await t.expect.status(1, 'Charging');
  await t.clock.advance('10m');
  await t.ev.suspend(1);
  await t.expect.status(1, 'SuspendedEV');
  await t.csms.expect('StatusNotification', { connectorId: 1, status: 'SuspendedEV' });
  await t.clock.advance('10m');
  await t.ev.resume(1);
  await t.expect.status(1, 'Charging');
  await t.csms.expectNone('StopTransaction', undefined, { within: '10s' });
  await t.expect.transactions(1);
});
