/** The HTTP servers of the scenario tools (embedded CSMS, its HTTP API, the fleet's control API and metrics, the dashboard of evse run): starting one, reading a request body, answering JSON. */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Listens on `host:port` (port 0: any free one) and resolves with the bound address; rejects when
 * the address cannot be had (EADDRINUSE, EADDRNOTAVAIL, EACCES), which `listen`'s own callback
 * never hears of.
 */
export async function listenOn(server: Server, host: string, port: number): Promise<AddressInfo> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server.address() as AddressInfo;
}

/** A request body above the limit {@link readBody} was given. */
export class BodyTooLarge extends Error {
  constructor(readonly limitBytes: number) {
    super(`request body larger than ${limitBytes} bytes`);
  }
}

/**
 * The request body as text. Larger than `maxBytes`: rejects at once with {@link BodyTooLarge};
 * the rest is read and discarded, so the answer can still go out.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) reject(new BodyTooLarge(maxBytes));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Answers `body` as one line of JSON (nothing when the answer has begun or the client is gone). */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
