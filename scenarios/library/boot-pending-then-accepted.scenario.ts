import { scenario } from '../kit/scenario.js';

/** The CSMS answers the first BootNotification Pending (retry in 60 s): the charger boots again and is then accepted. */
export default scenario('boot Pending, then Accepted on the retry', { boot: { interval: 3600, first: { status: 'Pending', count: 1, interval: 60 } }, waitForBoot: false }, async (t) => {
  await t.csms.expect('BootNotification', undefined, { within: '10s' });
  await t.csms.expect('BootNotification', undefined, { within: '2m' });
  await t.csms.expect('StatusNotification', { connectorId: 1, status: 'Available' }, { within: '30s' });
  await t.expect.status(1, 'Available');
});
