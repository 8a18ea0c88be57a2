import { scenario } from '../kit/scenario.js';

/** While charging, another (accepted) card of no shared group does not stop someone else's session. */
export default scenario('a different card does not stop the session', async (t) => {
  await t.ev.plugIn(1);
  await t.rfid.present('04A1B2C3');
  await t.csms.expect('StartTransaction', { idTag: '04A1B2C3' });
  await t.clock.advance('5m');
  await t.rfid.present('0BADCAFE');
  await t.csms.expectNone('StopTransaction', undefined, { within: '1m' });
  await t.expect.status(1, 'Charging');
  await t.expect.transactions(1);
});
