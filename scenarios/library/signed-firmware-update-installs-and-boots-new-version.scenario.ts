import { scenario } from '../kit/scenario.js';

/**
 * A signed firmware update (OCPP 1.6 Security Whitepaper, SignedUpdateFirmware): the CSMS installs
 * the manufacturer root, the charger downloads the image from the scenario's HTTP server, checks
 * its signature, installs it, reboots, boots with the new version and reports every stage and
 * the security event FirmwareUpdated.
 */
export default scenario('a signed firmware update is installed, the charger reboots and reports the new version', { charger: { firmware: '1.0.0' } }, async (t) => {
  await t.expect.firmware('1.0.0');
  const root = await t.csms.send('InstallCertificate', { certificateType: 'ManufacturerRootCertificate', certificate: t.firmware.manufacturerRoot() });
  if (root.status !== 'Accepted') throw new Error(`InstallCertificate answered ${root.status}`);

  const image = t.firmware.image('2.0.0');
  const location = await t.files.serve('firmware-2.0.0.bin', image);
  const answer = await t.csms.send('SignedUpdateFirmware', {
    requestId: 11,
    retries: 2,
    retryInterval: 60,
    firmware: { location, retrieveDateTime: t.clock.now(), ...t.firmware.sign(image) },
  });
  if (answer.status !== 'Accepted') throw new Error(`SignedUpdateFirmware answered ${answer.status}`);

  for (const status of ['Downloading', 'Downloaded', 'SignatureVerified', 'Installing', 'InstallRebooting'] as const) {
    await t.csms.expect('SignedFirmwareStatusNotification', { status, requestId: 11 });
  }
  await t.csms.expect('BootNotification', { firmwareVersion: '2.0.0' });
  await t.csms.expect('SignedFirmwareStatusNotification', { status: 'Installed', requestId: 11 });
  await t.csms.expect('SecurityEventNotification', { type: 'FirmwareUpdated' });
  await t.expect.firmware('2.0.0');
  await t.expect.status(1, 'Available');
});
