import { scenario } from '../kit/scenario.js';

/** RemoteStartTransaction on a connector that already charges is Rejected and changes nothing. */
export default scenario('remote start on an occupied connector is rejected', async (t) => {
  await t.ev.plugIn(1);
  await t.rfid.present('04A1B2C3');
  await t.expect.status(1, 'Charging');
  const answer = await t.csms.send('RemoteStartTransaction', { connectorId: 1, idTag: 'APP-USER-2' });
  if (answer.status !== 'Rejected') throw new Error(`expected Rejected, got ${answer.status}`);
  await t.csms.expectNone('StartTransaction', { idTag: 'APP-USER-2' }, { within: '30s' });
  await t.expect.transactions(1);
});
