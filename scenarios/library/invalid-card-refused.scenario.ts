import { scenario } from '../kit/scenario.js';

/** A card the CSMS does not know is refused: no transaction, the contactor stays open, the connector Preparing. */
export default scenario('an invalid card starts nothing', { cards: { '04A1B2C3': 'Accepted' } }, async (t) => {
  await t.ev.plugIn(1);
  await t.rfid.present('DEADBEEF');
  await t.csms.expect('Authorize', { idTag: 'DEADBEEF' });
  await t.csms.expectNone('StartTransaction', undefined, { within: '30s' });
  await t.expect.status(1, 'Preparing');
  await t.expect.transactions(0);
});
