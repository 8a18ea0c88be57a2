import { scenario } from '../kit/scenario.js';

/** Pulling the cable while charging ends the transaction with reason EVDisconnected and frees the connector. */
export default scenario('unplugging while charging stops with EVDisconnected', async (t) => {
  await t.ev.plugIn(1);
  await t.rfid.present('04A1B2C3');
  await t.csms.expect('StartTransaction');
  await t.clock.advance('15m');
  await t.ev.unplug(1);
  await t.csms.expect('StopTransaction', { reason: 'EVDisconnected' });
  await t.expect.status(1, 'Available');
});
