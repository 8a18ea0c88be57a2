import { scenario } from '../kit/scenario.js';

/**
 * ReserveNow on connector 0 (any connector) of a two-connector charger: both stay Available until a
 * walk-up driver takes one; the last is then held (Reserved), another card there is refused, and
 * the reserving card starts on it with the reservationId.
 */
export default scenario('a reservation of connector 0 holds the last free connector', { charger: { connectors: 2 } }, async (t) => {
  const answer = await t.csms.send('ReserveNow', { connectorId: 0, expiryDate: '2026-01-01T01:00:00.000Z', idTag: '04A1B2C3', reservationId: 9 });
  if (answer.status !== 'Accepted') throw new Error(`expected Accepted, got ${answer.status}`);
  await t.expect.status(1, 'Available');
  await t.expect.status(2, 'Available');
  await t.ev.plugIn(1);
  await t.rfid.present('0BADCAFE');
  await t.csms.expect('StartTransaction', { connectorId: 1, idTag: '0BADCAFE' });
  await t.expect.status(2, 'Reserved');
  await t.ev.plugIn(2);
  await t.rfid.present('0C0FFEE0');
  await t.csms.expectNone('Authorize', { idTag: '0C0FFEE0' }, { within: '20s' });
  await t.rfid.present('04A1B2C3');
  await t.csms.expect('StartTransaction', { connectorId: 2, idTag: '04A1B2C3', reservationId: 9 });
  await t.expect.status(2, 'Charging');
});
