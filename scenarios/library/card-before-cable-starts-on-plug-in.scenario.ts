import { scenario } from '../kit/scenario.js';

/** The driver taps first and plugs in within ConnectionTimeOut: the transaction starts on plug-in. */
export default scenario('card tapped before the cable starts the session on plug-in', { ocpp: { ConnectionTimeOut: 60 } }, async (t) => {
  await t.rfid.present('04A1B2C3');
  await t.csms.expect('Authorize', { idTag: '04A1B2C3' });
  await t.clock.advance('20s');
  await t.ev.plugIn(1);
  await t.csms.expect('StartTransaction', { connectorId: 1, idTag: '04A1B2C3' });
  await t.expect.status(1, 'Charging');
});
