import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { scenario } from '../kit/scenario.js';

/**
 * GetLog (DiagnosticsLog) to an HTTP server that refuses the first attempt: the charger answers
 * with the file name, reports Uploading, retries after retryInterval and reports Uploaded; the
 * file arrives under the name it announced.
 */
export default scenario('a log upload the server refuses once is retried and reported Uploaded', async (t) => {
  const received: string[] = [];
  let refuse = 1;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (refuse-- > 0) return void res.writeHead(503).end();
      received.push(req.url ?? '');
      res.writeHead(201).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const answer = await t.csms.send('GetLog', { logType: 'DiagnosticsLog', requestId: 7, retries: 2, retryInterval: 60, log: { remoteLocation: `http://127.0.0.1:${port}/logs/` } });
    if (answer.status !== 'Accepted' || !answer.filename) throw new Error(`GetLog answered ${JSON.stringify(answer)}`);
    await t.csms.expect('LogStatusNotification', { status: 'Uploading', requestId: 7 });
    await t.csms.expectNone('LogStatusNotification', { status: 'Uploaded' }, { within: '30s' }); // the first attempt was refused
    await t.csms.expect('LogStatusNotification', { status: 'Uploaded', requestId: 7 }, { within: '1m' });
    if (received.join() !== `/logs/${answer.filename}`) throw new Error(`the server received ${JSON.stringify(received)}, expected /logs/${answer.filename}`);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
