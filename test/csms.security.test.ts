/**
 * `evse csms` serving wss:// and checking HTTP Basic passwords and client certificates, so OCPP
 * security profiles 2 and 3 can be tried with the CLI tools alone: the built binary with
 * `--tls-demo` (throwaway certificates written for the charger), probed with WebSocket upgrade
 * requests over TLS, and a real `evse run` on profile 3 using the files it wrote.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDemoPki } from '../scenarios/csms/demoCertificates.js';
import { spawnEvse, type EvseProcess } from './support/spawnEvse.js';
import { until } from './support/until.js';

const PASSWORD = 'csms-cli-password-42';

/** A WebSocket upgrade over TLS: 101 (accepted), the HTTP status it was refused with, or the TLS error. */
function upgrade(url: string, o: { ca?: string; cert?: string; key?: string; identity: string; password?: string }): Promise<number | string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const req = request({
      host: hostname,
      port,
      path: `/ocpp/${o.identity}`,
      ...(o.ca !== undefined && { ca: o.ca }),
      ...(o.cert !== undefined && { cert: o.cert, key: o.key }),
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': randomBytes(16).toString('base64'),
        'sec-websocket-protocol': 'ocpp1.6',
        ...(o.password !== undefined && { authorization: `Basic ${Buffer.from(`${o.identity}:${o.password}`).toString('base64')}` }),
      },
      timeout: 10_000,
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

describe('evse csms --tls-demo --password', () => {
  let dir: string;
  let csms: EvseProcess;
  let url: string;
  const agents: EvseProcess[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'evse-csms-tls-'));
    csms = spawnEvse(['csms', '--no-interactive', '--port', '0', '--json', '--tls-demo', join(dir, 'pki'), '--password', PASSWORD], {});
    await until('the CSMS to listen', () => /listening on wss:\/\/127\.0\.0\.1:\d+/.test(csms.stderr()) || csms.child.exitCode !== null, 15_000);
    url = /listening on (wss:\/\/127\.0\.0\.1:\d+)/.exec(csms.stderr())?.[1] ?? '';
    expect(url, csms.stderr()).not.toBe('');
  });
  afterAll(async () => {
    for (const a of agents) await a.stop('SIGKILL').catch(() => undefined);
    await csms.stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  it('serves wss:// with a certificate from the CA it wrote, and asks profile 2 chargers for the password', async () => {
    const ca = await readFile(join(dir, 'pki', 'csms-ca.pem'), 'utf8');
    expect((await stat(join(dir, 'pki', 'charger.key'))).mode & 0o077).toBe(0);
    expect(JSON.parse(csms.stdout().split('\n')[0]!)).toMatchObject({ type: 'listening', security: expect.stringMatching(/TLS ≥ 1\.2, HTTP Basic password \(security profile 2\) or a client certificate/) });
    expect(await upgrade(url, { ca, identity: 'P2-CP', password: PASSWORD })).toBe(101);
    expect(await upgrade(url, { ca, identity: 'P2-CP', password: 'wrong-password-000' })).toBe(401);
    expect(await upgrade(url, { ca, identity: 'P2-CP' })).toBe(401);
    expect(await upgrade(url, { identity: 'P2-CP', password: PASSWORD })).toMatch(/CERT|SELF_SIGNED|UNABLE/); // not trusted by Node's roots
  });

  it('accepts a client certificate from its CA without a password (profile 3), and refuses one from another CA', async () => {
    const ca = await readFile(join(dir, 'pki', 'csms-ca.pem'), 'utf8');
    const charger = { cert: await readFile(join(dir, 'pki', 'charger.pem'), 'utf8'), key: await readFile(join(dir, 'pki', 'charger.key'), 'utf8') };
    expect(await upgrade(url, { ca, ...charger, identity: 'P3-CP' })).toBe(101);
    const stranger = makeDemoPki().client('stranger');
    expect(await upgrade(url, { ca, ...stranger, identity: 'P3-CP', password: PASSWORD })).toBe(401);
  });

  it('a real `evse run` on security profile 3 boots with the files it wrote', { timeout: 40_000 }, async () => {
    const data = join(dir, 'agent');
    const agent = spawnEvse(['run'], {
      EVSE_DATA_DIR: data,
      EVSE_CHARGE_POINT_ID: 'P3-CLI',
      EVSE_LOG_LEVEL: 'warn',
      EVSE_CSMS_URL: `${url}/ocpp`,
      EVSE_SECURITY_PROFILE: '3',
      EVSE_CSMS_CA_FILE: join(dir, 'pki', 'csms-ca.pem'),
      EVSE_CSMS_CERT_FILE: join(dir, 'pki', 'charger.pem'),
      EVSE_CSMS_KEY_FILE: join(dir, 'pki', 'charger.key'),
    });
    agents.push(agent);
    await until('BootNotification of P3-CLI at the CSMS', () => /"chargePointId":"P3-CLI"[^\n]*"action":"SecurityEventNotification"/.test(csms.stdout()) || agent.child.exitCode !== null, 20_000);
    expect(csms.stdout(), agent.stderr()).toMatch(/"chargePointId":"P3-CLI"[^\n]*"action":"BootNotification"/);
    expect((await agent.stop()).code).toBe(0);
  });
});

describe('evse csms security options that cannot work', () => {
  it.each([
    [['--tls-key', 'KEY'], /--tls-cert: expected the certificate of --tls-key, but it is not given/],
    [['--tls-cert', '/nonexistent/csms.pem'], /--tls-cert: cannot read \/nonexistent\/csms\.pem: ENOENT/],
  ])('%j: exit 64 naming the option', async (args, message) => {
    const dir = await mkdtemp(join(tmpdir(), 'evse-csms-usage-'));
    try {
      const key = makeDemoPki().server.key;
      const { writeFile } = await import('node:fs/promises');
      await writeFile(join(dir, 'key.pem'), key);
      const p = spawnEvse(['csms', '--no-interactive', '--port', '0', ...args.map((a) => (a === 'KEY' ? join(dir, 'key.pem') : a))], {});
      expect(await p.exited).toBe(64);
      expect(p.stderr()).toMatch(message);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
