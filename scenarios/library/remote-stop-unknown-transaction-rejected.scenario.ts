import { scenario } from '../kit/scenario.js';

/** RemoteStopTransaction for a transaction id the charger does not run is Rejected; the running session goes on. */
export default scenario('remote stop of an unknown transaction is rejected', async (t) => {
  await t.ev.plugIn(1);
  await t.rfid.present('04A1B2C3');
  await t.expect.status(1, 'Charging');
  const answer = await t.csms.send('RemoteStopTransaction', { transactionId: 4242 });
  if (answer.status !== 'Rejected') throw new Error(`expected Rejected, got ${answer.status}`);
  await t.csms.expectNone('StopTransaction', undefined, { within: '30s' });
  await t.expect.status(1, 'Charging');
});
