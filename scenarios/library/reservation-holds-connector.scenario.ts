import { scenario } from '../kit/scenario.js';

/** ReserveNow makes the connector Reserved: another card is ignored, the reserving card starts with the reservationId. */
export default scenario('a reservation holds the connector for its card', async (t) => {
  const answer = await t.csms.send('ReserveNow', { connectorId: 1, expiryDate: '2026-01-01T01:00:00.000Z', idTag: '04A1B2C3', reservationId: 7 });
  if (answer.status !== 'Accepted') throw new Error(`expected Accepted, got ${answer.status}`);
  await t.expect.status(1, 'Reserved');
  await t.ev.plugIn(1);
  await t.rfid.present('0BADCAFE');
  await t.csms.expectNone('StartTransaction', undefined, { within: '20s' });
  await t.rfid.present('04A1B2C3');
  await t.csms.expect('StartTransaction', { idTag: '04A1B2C3', reservationId: 7 });
  await t.expect.status(1, 'Charging');
});
