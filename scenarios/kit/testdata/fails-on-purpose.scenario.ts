import { scenario } from '../scenario.js';

/** Used by the kit's tests: a scenario that must fail (a card does not make the connector Faulted). */
export default scenario('fails on purpose: expects Faulted after a card tap', async (t) => {
  await t.ev.plugIn(1);
  await t.rfid.present('04A1B2C3');
  await t.expect.status(1, 'Faulted');
});
