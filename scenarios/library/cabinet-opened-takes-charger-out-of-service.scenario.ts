import { scenario } from '../kit/scenario.js';

/**
 * The cabinet is opened while charging: the session ends (reason Other), the connector goes
 * Faulted and stays so after the door is shut, until the CSMS sets MaintenanceMode; during
 * maintenance the door may be opened.
 */
export default scenario('opening the cabinet ends the session and takes the charger out of service until maintenance', { onlyOcpp: { version: '1.6', reason: 'the CSMS ends maintenance with ChangeConfiguration MaintenanceMode, a vendor key that is no 2.0.1 device-model variable yet' }, charger: { tamperSwitch: true } }, async (t) => {
  await t.ev.plugIn(1);
  await t.rfid.present('04A1B2C3');
  await t.expect.status(1, 'Charging');
  await t.clock.advance('5m');
  await t.fault.tamper('open');
  await t.csms.expect('SecurityEventNotification', { type: 'TamperDetectionActivated' });
  await t.csms.expect('StopTransaction', { reason: 'Other' });
  await t.csms.expect('StatusNotification', { connectorId: 1, status: 'Faulted', errorCode: 'OtherError' });
  await t.fault.tamper('clear');
  await t.clock.advance('1m');
  await t.expect.status(1, 'Faulted');
  await t.rfid.present('04A1B2C3');
  await t.csms.expectNone('StartTransaction', undefined, { within: '30s' });

  const answer = await t.csms.send('ChangeConfiguration', { key: 'MaintenanceMode', value: 'true' });
  if (answer.status !== 'Accepted') throw new Error(`ChangeConfiguration MaintenanceMode answered ${answer.status}`);
  await t.expect.status(1, 'Finishing', { within: '10s' }); // back in service; the EV of the ended session is still plugged in
  await t.fault.tamper('open'); // the technician at work
  await t.clock.advance('1m');
  await t.expect.status(1, 'Finishing');
  await t.csms.expectNone('SecurityEventNotification', { type: 'TamperDetectionActivated' }, { within: '1m' });
});
