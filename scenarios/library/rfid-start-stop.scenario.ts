import { scenario } from '../kit/scenario.js';

/** A driver plugs in and taps a card; charging starts; the same card stops it; unplugging frees the connector. */
export default scenario('RFID card starts and the same card stops a session', async (t) => {
  await t.ev.plugIn(1);
  await t.expect.status(1, 'Preparing');
  await t.rfid.present('04A1B2C3');
  await t.csms.expect('Authorize', { idTag: '04A1B2C3' });
  await t.csms.expect('StartTransaction', { connectorId: 1, idTag: '04A1B2C3' });
  await t.expect.status(1, 'Charging');
  await t.clock.advance('30m');
  await t.expect.energy('>', 3, 'kWh');
  await t.rfid.present('04A1B2C3');
  await t.csms.expect('StopTransaction', { idTag: '04A1B2C3' });
  await t.expect.status(1, 'Finishing');
  await t.ev.unplug(1);
  await t.expect.status(1, 'Available');
  await t.expect.transactions(1);
});
