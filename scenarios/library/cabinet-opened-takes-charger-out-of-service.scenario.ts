import { scenario } from '../kit/scenario.js';

/**
 * The cabinet is opened while charging: the session ends (reason Other), the connector goes
 * Faulted and stays so after the door is shut, until the CSMS sets MaintenanceMode; during
 * maintenance the door may be opened. The CSMS sets it with the DataTransfer both versions take
 * (vendorId org.evse-agent.maintenance, messageId MaintenanceMode; a 1.6 CSMS may also send
 * ChangeConfiguration MaintenanceMode, a vendor key with no 2.0.1 device-model variable).
 */
export default scenario('opening the cabinet ends the session and takes the charger out of service until maintenance', { charger: { tamperSwitch: true } }, async (t) => {
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

  const answer = await t.csms.send('DataTransfer', { vendorId: 'org.evse-agent.maintenance', messageId: 'MaintenanceMode', data: 'true' });
  if (answer.status !== 'Accepted') throw new Error(`DataTransfer MaintenanceMode answered ${answer.status}`);
  await t.expect.status(1, 'Finishing', { within: '10s' }); // back in service; the EV of the ended session is still plugged in
  await t.fault.tamper('open'); // the technician at work
  await t.clock.advance('1m');
  await t.expect.status(1, 'Finishing');
  await t.csms.expectNone('SecurityEventNotification', { type: 'TamperDetectionActivated' }, { within: '1m' });
});
