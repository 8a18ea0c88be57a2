import { scenario } from '../kit/scenario.js';

/** A card the CSMS reports Blocked starts nothing. */
export default scenario('a blocked card starts nothing', { cards: { '0B10C4ED': 'Blocked' } }, async (t) => {
  await t.ev.plugIn(1);
  await t.rfid.present('0B10C4ED');
  await t.csms.expect('Authorize', { idTag: '0B10C4ED' });
  await t.csms.expectNone('StartTransaction', undefined, { within: '30s' });
  await t.expect.status(1, 'Preparing');
});
