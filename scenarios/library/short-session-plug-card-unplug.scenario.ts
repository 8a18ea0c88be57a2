import { scenario } from '../kit/scenario.js';

/**
 * The bench smoke test: plug in, tap a card, charge a few seconds, unplug. Short enough to run
 * on real time (`--hal serial --rig sim-devices`, or `--rig prompt` at a real charger) as well
 * as on the simulated HAL; the waits are generous for hardware that is polled.
 */
export default scenario('short session: plug in, card, a few seconds of charging, unplug', async (t) => {
  await t.ev.plugIn(1);
  await t.expect.status(1, 'Preparing');
  await t.rfid.present('04A1B2C3');
  await t.csms.expect('StartTransaction', { connectorId: 1, idTag: '04A1B2C3' }, { within: '30s' });
  await t.expect.status(1, 'Charging');
  await t.clock.advance('5s');
  await t.expect.energy('>', 5, 'Wh');
  await t.ev.unplug(1);
  await t.csms.expect('StopTransaction', { reason: 'EVDisconnected' }, { within: '30s' });
  await t.expect.status(1, 'Available');
  await t.expect.transactions(1);
});
