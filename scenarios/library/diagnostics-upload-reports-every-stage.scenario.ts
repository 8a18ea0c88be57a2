import { gunzipSync } from 'node:zlib';
import { scenario } from '../kit/scenario.js';

/**
 * GetDiagnostics (OCPP 1.6 FirmwareManagement) with every DiagnosticsStatusNotification stage:
 * to a server that refuses every attempt the charger reports Uploading, retries, and reports
 * UploadFailed; to one that takes it, Uploading and Uploaded, and the file arrives under the
 * name the charger announced, gzipped, naming the charger in its first line.
 */
export default scenario('GetDiagnostics reports Uploading, then UploadFailed after the retries or Uploaded', async (t) => {
  const refusing = await t.files.uploadUrl({ refuse: 2 });
  const first = await t.csms.send('GetDiagnostics', { location: refusing, retries: 1, retryInterval: 60 });
  if (!first.fileName) throw new Error(`GetDiagnostics answered ${JSON.stringify(first)}`);
  await t.csms.expect('DiagnosticsStatusNotification', { status: 'Uploading' });
  await t.csms.expect('DiagnosticsStatusNotification', { status: 'UploadFailed' }, { within: '3m' });
  if (t.files.uploaded().length !== 0) throw new Error('a refused upload was counted as received');

  const second = await t.csms.send('GetDiagnostics', { location: await t.files.uploadUrl() });
  await t.csms.expect('DiagnosticsStatusNotification', { status: 'Uploading' });
  await t.csms.expect('DiagnosticsStatusNotification', { status: 'Uploaded' });
  const upload = await t.files.expectUpload();
  const firstLine = gunzipSync(upload.content).toString('utf8').split('\n')[0] ?? '';
  if (upload.name !== second.fileName || !firstLine.includes(t.id)) throw new Error(`received ${upload.name} starting ${JSON.stringify(firstLine)}, expected ${second.fileName} naming ${t.id}`);
});
