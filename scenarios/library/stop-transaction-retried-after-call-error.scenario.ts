import { scenario } from '../kit/scenario.js';

/** The CSMS answers the first StopTransaction with a CallError: the charger sends it again later, not lost. */
export default scenario('a StopTransaction refused with a CallError is retried', { ocpp: { TransactionMessageRetryInterval: 30, TransactionMessageAttempts: 3 } }, async (t) => {
  await t.ev.plugIn(1);
  await t.rfid.present('04A1B2C3');
  await t.csms.expect('StartTransaction');
  t.csms.failNext('StopTransaction', 'InternalError');
  await t.rfid.present('04A1B2C3');
  await t.csms.expect('StopTransaction', { reason: 'Local' });
  await t.csms.expect('StopTransaction', { reason: 'Local' }, { within: '5m' });
});
