/**
 * Test support for firmware updates: a manufacturer root CA and signing certificates (RSA and
 * ECDSA, made with the openssl CLI in a temp dir), simulator images signed the whitepaper's way
 * (base64 of a SHA-256 signature over the file), and an HTTP server on 127.0.0.1 that serves them
 * with Range support — whole, tampered, truncated, or stalling mid-transfer once.
 */
import { execFileSync } from 'node:child_process';
import { createSign } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OPENSSL_BIN } from './testCertificates.js';

export interface SigningMaterial {
  /** PEM of the manufacturer root CA (what the charger must have installed). */
  rootPem: string;
  /** PEM of a root that signed nothing here. */
  otherRootPem: string;
  /** Signing certificates and keys, PEM. */
  rsa: { cert: string; key: string };
  ec: { cert: string; key: string };
  /** Signed by the unrelated root. */
  untrusted: { cert: string; key: string };
  remove(): Promise<void>;
}

export async function makeSigningMaterial(): Promise<SigningMaterial> {
  const dir = await mkdtemp(join(tmpdir(), 'evse-fwsign-'));
  const openssl = (...args: string[]) => execFileSync(OPENSSL_BIN, args, { cwd: dir, stdio: 'pipe' });
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const rsaKey = ['-newkey', 'rsa:2048', '-nodes'];
  const caExt = 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n';
  await writeFile(join(dir, 'ca.ext'), caExt);
  const root = (name: string, cn: string) =>
    openssl('req', '-x509', ...ecKey, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${cn}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  const leaf = async (name: string, key: string[], ca: string) => {
    openssl('req', ...key, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name} firmware signing`);
    await writeFile(join(dir, `${name}.ext`), 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n');
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-set_serial', String(Math.floor(Math.random() * 1e9)), '-days', '1', '-out', `${name}.pem`, '-extfile', `${name}.ext`);
    return { cert: await readFile(join(dir, `${name}.pem`), 'utf8'), key: await readFile(join(dir, `${name}.key`), 'utf8') };
  };
  try {
    root('root', 'evse-agent test manufacturer root');
    root('other', 'unrelated root');
    const rsa = await leaf('rsa', rsaKey, 'root');
    const ec = await leaf('ec', ecKey, 'root');
    const untrusted = await leaf('untrusted', ecKey, 'other');
    return {
      rootPem: await readFile(join(dir, 'root.pem'), 'utf8'),
      otherRootPem: await readFile(join(dir, 'other.pem'), 'utf8'),
      rsa,
      ec,
      untrusted,
      remove: () => rm(dir, { recursive: true, force: true }),
    };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/** A simulator firmware image carrying `version`, padded to `size` bytes. */
export function simImage(version: string, size = 256 * 1024): Buffer {
  const header = Buffer.from(`EVSE-SIM-FIRMWARE ${version}\n`);
  const body = Buffer.alloc(Math.max(0, size - header.length));
  for (let i = 0; i < body.length; i++) body[i] = (i * 31 + 7) & 0xff;
  return Buffer.concat([header, body]);
}

/** The whitepaper signature: base64 of a SHA-256 signature over the image (PKCS#1 v1.5 or ECDSA DER). */
export function signImage(image: Buffer, keyPem: string): string {
  return createSign('sha256').update(image).sign(keyPem).toString('base64');
}

export interface ServedFile {
  body: Buffer;
  /** Send this many bytes of the first request, then hang (a stalled transfer). */
  stallAfter?: number;
  /** Announce a longer Content-Length and close after the body (a cut connection). */
  cutShort?: boolean;
}

/** An HTTP server on 127.0.0.1 serving files by path, with Range requests, and taking uploads (PUT); records every request. */
export class ImageServer {
  readonly requests: { path: string; range: string | undefined }[] = [];
  /** Bodies PUT to the server, by path. */
  readonly uploads: { path: string; body: Buffer }[] = [];
  private readonly files = new Map<string, ServedFile>();
  private readonly stalledOnce = new Set<string>();
  private readonly hanging = new Set<ServerResponse>();

  private constructor(private readonly server: Server) {}

  static async start(): Promise<ImageServer> {
    const server = createServer();
    const image = new ImageServer(server);
    server.on('request', (req, res) => image.serve(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return image;
  }

  url(path: string): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }

  put(path: string, file: ServedFile): string {
    this.files.set(path, file);
    return this.url(path);
  }

  private serve(req: IncomingMessage, res: ServerResponse): void {
    const path = req.url ?? '/';
    this.requests.push({ path, range: req.headers.range });
    if (req.method === 'PUT') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.uploads.push({ path, body: Buffer.concat(chunks) });
        res.writeHead(201).end();
      });
      return;
    }
    const file = this.files.get(path);
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    const m = req.headers.range?.match(/^bytes=(\d+)-$/);
    const start = m ? Number(m[1]) : 0;
    const total = file.body.length;
    if (start >= total && m) {
      res.writeHead(416, { 'content-range': `bytes */${total}` }).end();
      return;
    }
    const part = file.body.subarray(start);
    const headers: Record<string, string | number> = { 'content-type': 'application/octet-stream', 'accept-ranges': 'bytes', 'content-length': part.length };
    if (m) headers['content-range'] = `bytes ${start}-${total - 1}/${total}`;
    if (file.cutShort) headers['content-length'] = part.length + 1000;
    res.writeHead(m ? 206 : 200, headers);
    if (file.stallAfter !== undefined && !this.stalledOnce.has(path)) {
      this.stalledOnce.add(path);
      res.write(part.subarray(0, file.stallAfter));
      this.hanging.add(res); // never ends: the client must give up
      return;
    }
    if (file.cutShort) {
      res.write(part, () => res.destroy());
      return;
    }
    res.end(part);
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
