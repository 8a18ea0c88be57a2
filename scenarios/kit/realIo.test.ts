/**
 * Real I/O under virtual time: a transfer that takes seconds of real time (a slow server, a loaded
 * machine) happens at the same virtual instant as a fast one. The kit waits for it; it used to wait
 * at most 3 s of real time per settle and then let virtual time run on past the transfer.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { report } from './reporters.js';
import { runScenario } from './run.js';
import { scenario } from './scenario.js';

/** Longer than the 3 s the kit once gave real I/O before it moved virtual time on. */
const SLOW_MS = 3500;

describe('real I/O under virtual time', () => {
  it('an upload the server answers only after 3.5 s of real time takes no virtual time', { timeout: 30_000 }, async () => {
    // The server holds each PUT before answering: real time passes, virtual time must not.
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => void setTimeout(() => res.writeHead(201).end(), SLOW_MS));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const r = await runScenario(
        scenario('slow upload', async (t) => {
          const answer = await t.csms.send('GetLog', { logType: 'DiagnosticsLog', requestId: 3, log: { remoteLocation: `http://127.0.0.1:${port}/logs/` } });
          if (answer.status !== 'Accepted') throw new Error(`GetLog answered ${JSON.stringify(answer)}`);
          await t.csms.expect('LogStatusNotification', { status: 'Uploaded', requestId: 3 });
        }),
      );
      expect(r.status, report('pretty', [r])).toBe('passed');
      const at = (status: string) => r.timeline.find((e) => e.kind === 'ocpp' && e.text.startsWith(`→ LogStatusNotification {status:"${status}"`))?.at;
      expect(at('Uploading')).toBeDefined();
      expect(at('Uploaded')).toBe(at('Uploading'));
      expect(r.wallMs).toBeGreaterThanOrEqual(SLOW_MS);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
