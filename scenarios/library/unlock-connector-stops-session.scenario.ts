import { scenario } from '../kit/scenario.js';

/** UnlockConnector during a transaction stops it with reason UnlockCommand and answers Unlocked. */
export default scenario('unlock connector during a session stops it with UnlockCommand', { onlyOcpp: { version: '1.6', reason: 'in 1.6 UnlockConnector stops the running session; in 2.0.1 it is refused while a transaction runs (OngoingAuthorizedTransaction)' } }, async (t) => {
  await t.ev.plugIn(1);
  await t.rfid.present('04A1B2C3');
  await t.expect.status(1, 'Charging');
  const answer = await t.csms.send('UnlockConnector', { connectorId: 1 });
  if (answer.status !== 'Unlocked') throw new Error(`expected Unlocked, got ${answer.status}`);
  await t.csms.expect('StopTransaction', { reason: 'UnlockCommand' });
});
