import { scenario } from '../kit/scenario.js';

/** ChangeAvailability on connector 0 makes the whole charger Unavailable, and Operative brings it back. */
export default scenario('the whole charger goes unavailable and back', { onlyOcpp: { version: '1.6', reason: 'expects the StatusNotification of connector 0 (the charger as a whole), which a 2.0.1 station does not send' } }, async (t) => {
  const off = await t.csms.send('ChangeAvailability', { connectorId: 0, type: 'Inoperative' });
  if (off.status !== 'Accepted') throw new Error(`expected Accepted, got ${off.status}`);
  await t.expect.status(1, 'Unavailable');
  await t.csms.expect('StatusNotification', { connectorId: 0, status: 'Unavailable' });
  const on = await t.csms.send('ChangeAvailability', { connectorId: 0, type: 'Operative' });
  if (on.status !== 'Accepted') throw new Error(`expected Accepted, got ${on.status}`);
  await t.expect.status(1, 'Available');
});
