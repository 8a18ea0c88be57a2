import { gunzipSync } from 'node:zlib';
import { scenario } from '../kit/scenario.js';

/**
 * A firmware image changed after it was signed: the charger downloads it, finds that it does not
 * match its signature, reports InvalidSignature, keeps running its firmware (no reboot), and logs
 * the security event InvalidFirmwareSignature, which the CSMS then reads from the security log it
 * asks for (GetLog SecurityLog, every LogStatusNotification stage).
 */
export default scenario('a tampered firmware image is refused, the running firmware stays and the security log says why', { charger: { firmware: '1.0.0' } }, async (t) => {
  await t.csms.send('InstallCertificate', { certificateType: 'ManufacturerRootCertificate', certificate: t.firmware.manufacturerRoot() });
  const image = t.firmware.image('6.6.6');
  const signed = t.firmware.sign(image); // signed by the manufacturer …
  const location = await t.files.serve('firmware-6.6.6.bin', t.firmware.spoil(image, 'tampered')); // … changed on the way
  const answer = await t.csms.send('SignedUpdateFirmware', { requestId: 21, firmware: { location, retrieveDateTime: t.clock.now(), ...signed } });
  if (answer.status !== 'Accepted') throw new Error(`SignedUpdateFirmware answered ${answer.status}`);

  await t.csms.expect('SignedFirmwareStatusNotification', { status: 'Downloading', requestId: 21 });
  await t.csms.expect('SignedFirmwareStatusNotification', { status: 'Downloaded', requestId: 21 });
  await t.csms.expect('SignedFirmwareStatusNotification', { status: 'InvalidSignature', requestId: 21 });
  await t.csms.expectNone('SignedFirmwareStatusNotification', { status: 'Installing' }, { within: '5m' });
  await t.csms.expectNone('BootNotification', undefined, { within: '1m' });
  await t.expect.firmware('1.0.0');
  await t.expect.status(1, 'Available');

  // The CSMS reads the security log: the refused image is in it.
  const log = await t.csms.send('GetLog', { logType: 'SecurityLog', requestId: 22, log: { remoteLocation: await t.files.uploadUrl() } });
  if (log.status !== 'Accepted' || !log.filename) throw new Error(`GetLog answered ${JSON.stringify(log)}`);
  await t.csms.expect('LogStatusNotification', { status: 'Uploading', requestId: 22 });
  await t.csms.expect('LogStatusNotification', { status: 'Uploaded', requestId: 22 });
  const upload = await t.files.expectUpload();
  const text = gunzipSync(upload.content).toString('utf8');
  if (upload.name !== log.filename || !text.includes('InvalidFirmwareSignature')) throw new Error(`the uploaded security log ${upload.name} does not name InvalidFirmwareSignature:\n${text.slice(0, 500)}`);
});
