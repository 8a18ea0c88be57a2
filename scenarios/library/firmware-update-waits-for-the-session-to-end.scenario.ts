import { scenario } from '../kit/scenario.js';

/**
 * A plain firmware update (OCPP 1.6 FirmwareManagement, UpdateFirmware) while a driver charges:
 * the charger downloads and installs the image but keeps charging; it reboots only once the
 * session has ended, then boots with the new version and reports Installed. Every stage is a
 * FirmwareStatusNotification.
 */
export default scenario('a firmware update during a session waits for the session to end before the reboot', { onlyOcpp: { version: '1.6', reason: 'the plain (unsigned) UpdateFirmware of the 1.6 FirmwareManagement profile; 2.0.1 updates are always signed' }, charger: { firmware: '1.0.0' } }, async (t) => {
  await t.ev.plugIn(1);
  await t.rfid.present('04A1B2C3');
  await t.expect.status(1, 'Charging');

  const location = await t.files.serve('firmware-1.1.0.bin', t.firmware.image('1.1.0'));
  await t.csms.send('UpdateFirmware', { location, retrieveDate: t.clock.now(), retries: 1 });
  for (const status of ['Downloading', 'Downloaded', 'Installing'] as const) await t.csms.expect('FirmwareStatusNotification', { status });

  // Installed and waiting: the driver charges on, the charger does not reboot under them.
  await t.clock.advance('10m');
  await t.expect.status(1, 'Charging');
  await t.csms.expectNone('BootNotification', undefined, { within: '1m' });

  await t.ev.unplug(1); // the session ends: now is a safe moment
  await t.csms.expect('StopTransaction', { reason: 'EVDisconnected' });
  await t.csms.expect('BootNotification', { firmwareVersion: '1.1.0' });
  await t.csms.expect('FirmwareStatusNotification', { status: 'Installed' });
  await t.expect.firmware('1.1.0');
  await t.expect.status(1, 'Available');
});
