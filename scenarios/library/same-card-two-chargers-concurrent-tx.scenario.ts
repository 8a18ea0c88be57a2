import { scenario } from '../kit/scenario.js';

/**
 * Two chargers on one site, one card: it starts a session at the first charger; presented at the
 * second while that session runs, the CSMS answers ConcurrentTx and the second charger must not
 * start (nor close its contactor), while the first keeps charging.
 */
export default scenario('one card at two chargers: the CSMS answers ConcurrentTx and the second does not start', { chargers: 2 }, async (t) => {
  const [first, second] = [t.charger(1), t.charger(2)];
  await first.ev.plugIn(1);
  await second.ev.plugIn(1);
  await first.rfid.present('04A1B2C3');
  await first.csms.expect('StartTransaction', { connectorId: 1, idTag: '04A1B2C3' });
  await first.expect.status(1, 'Charging');

  second.csms.respondTo('Authorize', { idTagInfo: { status: 'ConcurrentTx' } });
  await second.rfid.present('04A1B2C3');
  await second.csms.expect('Authorize', { idTag: '04A1B2C3' });
  await second.csms.expectNone('StartTransaction', undefined, { within: '2m' });
  await second.expect.status(1, 'Preparing');
  await second.expect.transactions(0);

  await t.clock.advance('10m');
  await first.expect.status(1, 'Charging');
  await first.expect.energy('>', 2, 'kWh');
  await second.expect.energy('==', 0, 'Wh');
  await first.expect.transactions(1);
});
