import { scenario } from '../kit/scenario.js';

/** The backend goes away mid-session: charging continues, the local stop is queued and delivered after reconnection. */
export default scenario('CSMS offline during a session: charging continues, the stop is delivered later', async (t) => {
  await t.ev.plugIn(1);
  await t.rfid.present('04A1B2C3');
  await t.csms.expect('StartTransaction');
  await t.csms.disconnect({ offline: true });
  await t.clock.advance('20m');
  await t.expect.status(1, 'Charging');
  await t.expect.energy('>', 2, 'kWh');
  await t.rfid.present('04A1B2C3');
  await t.expect.status(1, 'Finishing');
  await t.csms.online();
  await t.csms.expect('BootNotification', undefined, { within: '2m' });
  await t.csms.expect('StopTransaction', { reason: 'Local' }, { within: '2m' });
  await t.expect.transactions(1);
});
