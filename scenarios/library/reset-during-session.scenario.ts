import { scenario } from '../kit/scenario.js';

/** A soft Reset while charging ends the transaction with reason SoftReset and the charger boots again. */
export default scenario('soft reset during a session stops it with SoftReset and reboots', async (t) => {
  await t.ev.plugIn(1);
  await t.rfid.present('04A1B2C3');
  await t.csms.expect('StartTransaction');
  await t.clock.advance('5m');
  const answer = await t.csms.send('Reset', { type: 'Soft' });
  if (answer.status !== 'Accepted') throw new Error(`Reset answered ${answer.status}`);
  await t.csms.expect('StopTransaction', { reason: 'SoftReset' });
  await t.csms.expect('BootNotification', undefined, { within: '2m' });
});
