import { scenario } from '../kit/scenario.js';

/** TriggerMessage StatusNotification for connector 1 is Accepted and followed by that StatusNotification. */
export default scenario('trigger message sends the requested status notification', { onlyOcpp: { version: '1.6', reason: 'expects Preparing on the wire; a 2.0.1 station says Occupied' } }, async (t) => {
  await t.ev.plugIn(1);
  await t.csms.expect('StatusNotification', { connectorId: 1, status: 'Preparing' });
  const answer = await t.csms.send('TriggerMessage', { requestedMessage: 'StatusNotification', connectorId: 1 });
  if (answer.status !== 'Accepted') throw new Error(`expected Accepted, got ${answer.status}`);
  await t.csms.expect('StatusNotification', { connectorId: 1, status: 'Preparing' });
});
