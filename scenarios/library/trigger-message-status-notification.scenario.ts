import { scenario } from '../kit/scenario.js';

/**
 * TriggerMessage StatusNotification for connector 1 is Accepted and followed by that connector's
 * StatusNotification again, with the status it already reported (1.6 Preparing, 2.0.1 Occupied:
 * the cable is in).
 */
export default scenario('trigger message sends the requested status notification', async (t) => {
  await t.ev.plugIn(1);
  const plugged = await t.csms.expect('StatusNotification', (p) => p.connectorId === 1 && p.status !== 'Available');
  const answer = await t.csms.send('TriggerMessage', { requestedMessage: 'StatusNotification', connectorId: 1 });
  if (answer.status !== 'Accepted') throw new Error(`expected Accepted, got ${answer.status}`);
  await t.csms.expect('StatusNotification', { connectorId: 1, status: plugged.status });
});
