import { scenario } from '../kit/scenario.js';

/**
 * The CSMS unlocks the connector while a driver charges. OCPP 1.6 ends the session (reason
 * UnlockCommand) and answers Unlocked; OCPP 2.0.1 refuses while the transaction runs
 * (OngoingAuthorizedTransaction, F05.FR.02): the session goes on until the CSMS stops it, then the
 * unlock is answered Unlocked. Either way no energy flows once the connector is released, and a
 * connector the charger does not have is NotSupported (2.0.1: UnknownConnector).
 */
export default scenario('unlock connector during a session: 1.6 stops the session and unlocks, 2.0.1 unlocks once the session is stopped', async (t) => {
  await t.ev.plugIn(1);
  await t.rfid.present('04A1B2C3');
  await t.expect.status(1, 'Charging');
  await t.clock.advance('5m');

  const during = await t.csms.send('UnlockConnector', { connectorId: 1 });
  if (t.ocppVersion === '1.6') {
    if (during.status !== 'Unlocked') throw new Error(`expected Unlocked, got ${during.status}`);
    await t.csms.expect('StopTransaction', { reason: 'UnlockCommand' });
  } else {
    // A 2.0.1 station keeps the cable locked under a running transaction: the CSMS must stop it first.
    if (String(during.status) !== 'OngoingAuthorizedTransaction') throw new Error(`expected OngoingAuthorizedTransaction, got ${during.status}`);
    await t.csms.expectNone('StopTransaction', undefined, { within: '30s' });
    await t.expect.status(1, 'Charging');
    const stop = await t.csms.send('RemoteStopTransaction', { transactionId: t.csms.lastTransactionId() });
    if (stop.status !== 'Accepted') throw new Error(`RemoteStopTransaction answered ${stop.status}`);
    await t.csms.expect('StopTransaction', { reason: 'Remote' });
    const after = await t.csms.send('UnlockConnector', { connectorId: 1 });
    if (after.status !== 'Unlocked') throw new Error(`expected Unlocked once the session was stopped, got ${after.status}`);
  }

  await t.expect.status(1, 'Finishing');
  const kWh = t.csms.sent('StopTransaction')[0]!.meterStop / 1000;
  await t.clock.advance('5m');
  await t.expect.energy('<=', kWh + 0.001, 'kWh');
  const unknown = await t.csms.send('UnlockConnector', { connectorId: 2 });
  if (unknown.status !== 'NotSupported') throw new Error(`UnlockConnector of connector 2 (the charger has one): expected NotSupported, got ${unknown.status}`);
  await t.ev.unplug(1);
  await t.expect.status(1, 'Available');
  await t.expect.transactions(1);
});
