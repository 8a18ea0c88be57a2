import { scenario } from '../kit/scenario.js';

/** The CSMS answers StartTransaction with idTagInfo Invalid: the charger ends the session with reason DeAuthorized. */
export default scenario('an Invalid idTag in the StartTransaction answer ends the session', { ocpp: { StopTransactionOnInvalidId: true } }, async (t) => {
  t.csms.respondTo('StartTransaction', (_request, ctx) => ({ ...ctx.defaultReply(), idTagInfo: { status: 'Invalid' } }), { times: 1 });
  await t.ev.plugIn(1);
  await t.rfid.present('04A1B2C3');
  await t.csms.expect('StartTransaction');
  await t.csms.expect('StopTransaction', { reason: 'DeAuthorized' });
});
