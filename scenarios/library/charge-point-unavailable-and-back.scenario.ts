import { scenario } from '../kit/scenario.js';

/**
 * ChangeAvailability of the whole charger (connector 0; a 2.0.1 station: no EVSE) makes its
 * connector Unavailable, told to the CSMS, and Operative brings it back to Available.
 */
export default scenario('the whole charger goes unavailable and back', async (t) => {
  const off = await t.csms.send('ChangeAvailability', { connectorId: 0, type: 'Inoperative' });
  if (off.status !== 'Accepted') throw new Error(`expected Accepted, got ${off.status}`);
  await t.expect.status(1, 'Unavailable');
  await t.csms.expect('StatusNotification', { connectorId: 1, status: 'Unavailable' });
  const on = await t.csms.send('ChangeAvailability', { connectorId: 0, type: 'Operative' });
  if (on.status !== 'Accepted') throw new Error(`expected Accepted, got ${on.status}`);
  await t.expect.status(1, 'Available');
  await t.csms.expect('StatusNotification', { connectorId: 1, status: 'Available' });
});
