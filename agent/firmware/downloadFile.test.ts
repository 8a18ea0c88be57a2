/** One download attempt against a real HTTP server on 127.0.0.1 (test/support/firmwareRig.ts). */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageServer, simImage } from '../../test/support/firmwareRig.js';
import { DownloadError, checkDownloadUrl, downloadFile } from './downloadFile.js';

let server: ImageServer;
let dir: string;
const image = simImage('1.2.3', 64 * 1024);

beforeAll(async () => {
  server = await ImageServer.start();
  dir = await mkdtemp(join(tmpdir(), 'evse-dl-'));
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

const opts = (url: string, file: string) => ({ url, file: join(dir, file), stallTimeoutMs: 300, maxBytes: 1 << 20 });

describe('downloadFile', () => {
  it('fetches a whole file', async () => {
    const url = server.put('/whole', { body: image });
    expect(await downloadFile(opts(url, 'whole'))).toEqual({ bytes: image.length, resumedFrom: 0 });
    expect((await readFile(join(dir, 'whole'))).equals(image)).toBe(true);
  });

  it('gives up on a stalled transfer, and the next attempt resumes with a Range request', async () => {
    const url = server.put('/stall', { body: image, stallAfter: 10_000 });
    const t0 = performance.now();
    await expect(downloadFile(opts(url, 'stall'))).rejects.toThrow(/no data for 300 ms after 10000 bytes/);
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(await downloadFile(opts(url, 'stall'))).toEqual({ bytes: image.length, resumedFrom: 10_000 });
    expect((await readFile(join(dir, 'stall'))).equals(image)).toBe(true);
    expect(server.requests.filter((r) => r.path === '/stall').map((r) => r.range)).toEqual([undefined, 'bytes=10000-']);
  });

  it('refuses a transfer cut short of its Content-Length', async () => {
    const url = server.put('/cut', { body: image, cutShort: true });
    await expect(downloadFile(opts(url, 'cut'))).rejects.toBeInstanceOf(DownloadError);
  });

  it('takes a file already complete (416 with the same total) as done', async () => {
    const url = server.put('/done', { body: image });
    await writeFile(join(dir, 'done'), image);
    expect(await downloadFile(opts(url, 'done'))).toEqual({ bytes: image.length, resumedFrom: image.length });
  });

  it('starts over when the server ignores Range (200 with the whole file)', async () => {
    const plain: Server = createServer((_req, res) => res.end(image));
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    try {
      await writeFile(join(dir, 'norange'), Buffer.from('garbage from an earlier attempt'));
      const url = `http://127.0.0.1:${(plain.address() as AddressInfo).port}/x`;
      expect(await downloadFile(opts(url, 'norange'))).toEqual({ bytes: image.length, resumedFrom: 0 });
      expect((await readFile(join(dir, 'norange'))).equals(image)).toBe(true);
    } finally {
      plain.closeAllConnections();
      await new Promise<void>((resolve) => plain.close(() => resolve()));
    }
  });

  it('refuses files above maxBytes, HTTP errors and schemes other than http(s)', async () => {
    const url = server.put('/big', { body: image });
    await expect(downloadFile({ ...opts(url, 'big'), maxBytes: 1000 })).rejects.toThrow(/more than the 1000 allowed/);
    await expect(downloadFile(opts(server.url('/nothing'), 'nothing'))).rejects.toThrow(/HTTP 404/);
    expect(checkDownloadUrl('ftp://example.com/fw.bin')).toMatch(/unsupported scheme ftp:/);
    await expect(downloadFile(opts('ftp://example.com/fw.bin', 'ftp'))).rejects.toThrow(/unsupported scheme/);
  });

  it('stops when cancelled', async () => {
    const url = server.put('/cancel', { body: image, stallAfter: 1000 });
    const abort = new AbortController();
    const pending = downloadFile({ ...opts(url, 'cancel'), stallTimeoutMs: 10_000, signal: abort.signal });
    setTimeout(() => abort.abort(), 50);
    await expect(pending).rejects.toThrow(/cancelled/);
  });
});
