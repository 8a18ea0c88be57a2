import { scenario } from '../kit/scenario.js';

/** The CSMS starts a session on a plugged-in connector and stops it remotely (reason Remote). */
export default scenario('RemoteStartTransaction starts and RemoteStopTransaction stops a session', async (t) => {
  await t.ev.plugIn(1);
  const started = await t.csms.send('RemoteStartTransaction', { connectorId: 1, idTag: 'APP-USER-1' });
  if (started.status !== 'Accepted') t.note(`unexpected RemoteStart answer ${started.status}`);
  await t.csms.expect('StartTransaction', { connectorId: 1, idTag: 'APP-USER-1' });
  await t.expect.status(1, 'Charging');
  await t.clock.advance('10m');
  const stopped = await t.csms.send('RemoteStopTransaction', { transactionId: t.csms.lastTransactionId() });
  await t.csms.expect('StopTransaction', { reason: 'Remote' });
  await t.expect.status(1, 'Finishing');
  if (stopped.status !== 'Accepted') throw new Error(`RemoteStopTransaction answered ${stopped.status}`);
});
