import { scenario } from '../kit/scenario.js';

/**
 * A firmware update while a driver charges: the charger downloads and installs the image but keeps
 * charging; it reboots only once the session has ended, then boots with the new version and reports
 * Installed. Every stage is a firmware status notification. On OCPP 1.6 the CSMS sends the plain
 * UpdateFirmware of the FirmwareManagement profile (FirmwareStatusNotification); OCPP 2.0.1 has only
 * the signed update, so there the CSMS installs the manufacturer root and sends UpdateFirmware with the
 * image's signature (the kit's SignedUpdateFirmware; FirmwareStatusNotification with its requestId,
 * seen as SignedFirmwareStatusNotification).
 */
export default scenario('a firmware update during a session waits for the session to end before the reboot', { charger: { firmware: '1.0.0' } }, async (t) => {
  await t.ev.plugIn(1);
  await t.rfid.present('04A1B2C3');
  await t.expect.status(1, 'Charging');

  const image = t.firmware.image('1.1.0');
  const location = await t.files.serve('firmware-1.1.0.bin', image);
  let installed: () => Promise<unknown>;
  if (t.ocppVersion === '1.6') {
    await t.csms.send('UpdateFirmware', { location, retrieveDate: t.clock.now(), retries: 1 });
    for (const status of ['Downloading', 'Downloaded', 'Installing'] as const) await t.csms.expect('FirmwareStatusNotification', { status });
    installed = () => t.csms.expect('FirmwareStatusNotification', { status: 'Installed' });
  } else {
    const root = await t.csms.send('InstallCertificate', { certificateType: 'ManufacturerRootCertificate', certificate: t.firmware.manufacturerRoot() });
    if (root.status !== 'Accepted') throw new Error(`InstallCertificate answered ${root.status}`);
    const update = await t.csms.send('SignedUpdateFirmware', { requestId: 1, retries: 1, firmware: { location, retrieveDateTime: t.clock.now(), ...t.firmware.sign(image) } });
    if (update.status !== 'Accepted') throw new Error(`UpdateFirmware answered ${update.status}`);
    for (const status of ['Downloading', 'Downloaded', 'SignatureVerified', 'Installing'] as const) await t.csms.expect('SignedFirmwareStatusNotification', { status, requestId: 1 });
    installed = () => t.csms.expect('SignedFirmwareStatusNotification', { status: 'Installed', requestId: 1 });
  }

  // Installed and waiting: the driver charges on, the charger does not reboot under them.
  await t.clock.advance('10m');
  await t.expect.status(1, 'Charging');
  await t.csms.expectNone('BootNotification', undefined, { within: '1m' });

  await t.ev.unplug(1); // the session ends: now is a safe moment
  await t.csms.expect('StopTransaction', { reason: 'EVDisconnected' });
  await t.csms.expect('BootNotification', { firmwareVersion: '1.1.0' });
  await installed();
  await t.expect.firmware('1.1.0');
  await t.expect.status(1, 'Available');
});
