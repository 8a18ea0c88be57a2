import { scenario } from '../kit/scenario.js';

/** ChangeAvailability Inoperative during a transaction is Scheduled: charging goes on and the connector becomes Unavailable when the session ends. */
export default scenario('change availability while charging is scheduled until the session ends', async (t) => {
  await t.ev.plugIn(1);
  await t.rfid.present('04A1B2C3');
  await t.expect.status(1, 'Charging');
  const answer = await t.csms.send('ChangeAvailability', { connectorId: 1, type: 'Inoperative' });
  if (answer.status !== 'Scheduled') throw new Error(`expected Scheduled, got ${answer.status}`);
  await t.clock.advance('5m');
  await t.expect.status(1, 'Charging');
  await t.rfid.present('04A1B2C3');
  await t.ev.unplug(1);
  await t.expect.status(1, 'Unavailable');
  await t.csms.expect('StatusNotification', { connectorId: 1, status: 'Unavailable' });
});
