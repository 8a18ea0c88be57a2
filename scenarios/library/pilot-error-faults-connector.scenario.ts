import { scenario } from '../kit/scenario.js';

/** A control-pilot short (state F) while charging opens the contactor and faults the connector; clearing it brings the connector back. */
export default scenario('control pilot error faults the connector', async (t) => {
  await t.ev.plugIn(1);
  await t.rfid.present('04A1B2C3');
  await t.expect.status(1, 'Charging');
  await t.clock.advance('5m');
  await t.fault.pilot('F');
  await t.clock.advance('10s');
  await t.expect.status(1, 'Faulted');
  await t.csms.expect('StatusNotification', { connectorId: 1, status: 'Faulted' });
  await t.fault.pilot('clear');
  await t.clock.advance('10s');
  await t.csms.expect('StatusNotification', (s) => s.connectorId === 1 && s.status !== 'Faulted');
});
