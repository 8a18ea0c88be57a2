import { scenario } from '../kit/scenario.js';

/** The contactor welds and fails to open when the EV pauses: StopTransaction reason Other, Faulted/PowerSwitchFailure, no new session. */
export default scenario('welded relay faults the connector and ends the session', async (t) => {
  await t.ev.plugIn(1);
  await t.rfid.present('04A1B2C3');
  await t.expect.status(1, 'Charging');
  await t.clock.advance('5m');
  await t.fault.relay('welded');
  await t.ev.suspend(1);
  await t.csms.expect('StopTransaction', { reason: 'Other' });
  await t.csms.expect('StatusNotification', { connectorId: 1, status: 'Faulted', errorCode: 'PowerSwitchFailure' });
  await t.expect.status(1, 'Faulted');
  await t.ev.resume(1);
  await t.rfid.present('04A1B2C3');
  await t.csms.expectNone('StartTransaction', undefined, { within: '30s' });
});
