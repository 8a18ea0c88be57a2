/**
 * Security profiles 1–3 over real sockets: a strict ocpp-rpc CSMS on 127.0.0.1 serving ws:// or
 * wss:// with certificates made by openssl for the test (testing/testPki.ts), the agent's
 * OcppLink with the ConnectionSecurity service. Security events are recorded as raised.
 */
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ServerOptions as HttpsOptions } from 'node:https';
import { cleanupLinks, eventually, linkFixture } from '../ocpp/testing/linkFixture.js';
import type { StubCsmsOptions } from '../ocpp/testing/StubCsms.js';
import { CertificateStore } from './CertificateStore.js';
import { ConnectionSecurity, DEFAULT_CIPHERS } from './ConnectionSecurity.js';
import { CsmsCredentials, type SecurityProfile } from './CsmsCredentials.js';
import type { SecurityEventType } from './securityEvents.js';
import { makeTestPki, type TestPki } from './testing/testPki.js';

const log = pino({ level: 'silent' });
const PASSWORD = 'correct-horse-battery-1';
let pki: TestPki;
beforeAll(async () => {
  pki = await makeTestPki();
});
afterAll(() => pki.remove());
afterEach(cleanupLinks);

interface Setup {
  profile: SecurityProfile;
  csms: StubCsmsOptions;
  /** CA bundle from the settings (default: the test CPO's root). */
  ca?: string[];
  clientCertificate?: boolean;
  installRoot?: boolean;
}

async function connectWith(setup: Setup) {
  const events: { type: SecurityEventType; techInfo: string | undefined }[] = [];
  const credentials = await CsmsCredentials.open({ file: null, settingsProfile: setup.profile, settingsPassword: PASSWORD, log });
  const certificates = await CertificateStore.open({ file: null, log, maxCertificates: 10 });
  if (setup.installRoot) expect(await certificates.install('CentralSystemRootCertificate', pki.ca.cert, Date.now())).toBe('Accepted');
  let attached: { reconnect(): void } | undefined;
  // The URL is the stub's, known once it listens: the fixture starts it first.
  const f = await linkFixture({
    csms: setup.csms,
    link: {
      security: {
        attach: (link) => void (attached = link),
        connection: () => security.connection(),
        connectFailed: (err) => security.connectFailed(err),
        connected: () => security.connected(),
        invalidMessage: (what) => security.invalidMessage(what),
        attemptedReplay: (what) => security.attemptedReplay(what),
      },
    },
  });
  const security: ConnectionSecurity = new ConnectionSecurity({
    url: f.csms().url,
    credentials,
    certificates,
    events: { raise: (type, techInfo) => void events.push({ type, techInfo }) },
    log,
    tls: { ...(setup.ca !== undefined ? { ca: setup.ca } : !setup.installRoot && { ca: [pki.ca.cert] }), ...(setup.clientCertificate && { cert: pki.chargePoint.cert, key: pki.chargePoint.key }), ciphers: DEFAULT_CIPHERS },
  });
  security.attach(attached!);
  security.own(f.config);
  return { ...f, events, credentials, certificates, security };
}

const serving = (pem: { cert: string; key: string }, extra: HttpsOptions = {}): HttpsOptions => ({ cert: pem.cert, key: pem.key, ...extra });
const MUTUAL = (): HttpsOptions => ({ requestCert: true, rejectUnauthorized: true, ca: [pki.ca.cert] });

describe('security profiles', () => {
  it('profile 1: HTTP Basic over ws://', async () => {
    const f = await connectWith({ profile: 1, csms: { password: PASSWORD } });
    f.link.start();
    await f.until('accepted');
    expect(f.csms().handshakes).toEqual([{ identity: 'CP1', password: PASSWORD }]);
  });

  it('profile 2: TLS verified against the configured CA, HTTP Basic', async () => {
    const f = await connectWith({ profile: 2, csms: { password: PASSWORD, tls: serving(pki.csms) } });
    f.link.start();
    await f.until('accepted');
    expect(f.csms().url).toMatch(/^wss:/);
    expect(f.csms().handshakes.at(-1)?.password).toBe(PASSWORD);
  });

  it('profile 2: TLS verified against an installed CentralSystemRootCertificate', async () => {
    const f = await connectWith({ profile: 2, installRoot: true, csms: { password: PASSWORD, tls: serving(pki.csms) } });
    f.link.start();
    await f.until('accepted');
  });

  it('profile 3: mutual TLS with the charger certificate, no password', async () => {
    const f = await connectWith({ profile: 3, clientCertificate: true, csms: { tls: serving(pki.csms, MUTUAL()) } });
    f.link.start();
    await f.until('accepted');
    expect(f.csms().handshakes.at(-1)).toEqual({ identity: 'CP1', password: undefined, clientCertificate: 'CN=CP-SERIAL' });
  });

  it.each([
    ['a CSMS certificate from another CA', () => serving(pki.foreignCsms), 'InvalidCentralSystemCertificate', /UNABLE_TO_VERIFY_LEAF_SIGNATURE/],
    ['an expired CSMS certificate', () => serving(pki.expiredCsms), 'InvalidCentralSystemCertificate', /CERT_HAS_EXPIRED/],
    ['a CSMS speaking TLS 1.0/1.1 only', () => serving(pki.csms, { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }), 'InvalidTLSVersion', /TLS 1.2 or newer/],
    // TLS 1.2 with only a suite outside csms.tls.ciphers (CBC, no AEAD): no suite in common.
    ['a CSMS offering only cipher suites outside the configured list', () => serving(pki.csms, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-SHA' }), 'InvalidTLSCipherSuite', /cipher|handshake/i],
  ] as const)('refuses %s and raises %s', async (_what, tls, event, techInfo) => {
    const f = await connectWith({ profile: 2, csms: { password: PASSWORD, tls: tls() } });
    f.link.start();
    await eventually(() => expect(f.events.map((e) => e.type)).toContain(event));
    expect(f.events.find((e) => e.type === event)?.techInfo).toMatch(techInfo);
    expect(f.link.state).toBe('connecting');
    expect(f.csms().handshakes).toEqual([]); // never got as far as the WebSocket upgrade
  });

  it('what the CSMS sends that is not valid OCPP raises InvalidMessages', async () => {
    const f = await connectWith({ profile: 2, csms: { password: PASSWORD, tls: serving(pki.csms) } });
    f.link.start();
    await f.until('accepted');
    f.csms().client.sendRaw('[2,"bad-1","Reset",{"type":"Sideways"}]');
    f.csms().client.sendRaw('this is not OCPP-J');
    await eventually(() => expect(f.events.filter((e) => e.type === 'InvalidMessages')).toHaveLength(2));
    expect(f.events.map((e) => e.techInfo)).toEqual([expect.stringMatching(/^Reset call violates the OCPP 1\.6 schema/), expect.stringMatching(/^invalid frame: this is not OCPP-J/)]);
  });

  it('a CSMS call sent again under a message id already used on the connection is refused (SecurityError) and raises AttemptedReplayAttacks', async () => {
    const f = await connectWith({ profile: 2, csms: { password: PASSWORD, tls: serving(pki.csms) } });
    f.link.start();
    await f.until('accepted');
    const answers: string[] = [];
    f.csms().client.on('message', ({ message, outbound }: { message: Buffer | string; outbound: boolean }) => {
      if (!outbound && String(message).includes('"replay-1"')) answers.push(String(message));
    });
    f.csms().client.sendRaw('[2,"replay-1","GetConfiguration",{"key":["HeartbeatInterval"]}]');
    await eventually(() => expect(answers).toHaveLength(1));
    f.csms().client.sendRaw('[2,"replay-1","GetConfiguration",{"key":["HeartbeatInterval"]}]'); // the same frame again
    await eventually(() => expect(f.events.map((e) => e.type)).toContain('AttemptedReplayAttacks'));
    await eventually(() => expect(answers).toHaveLength(2));
    expect(JSON.parse(answers[0]!)[0]).toBe(3);
    expect(JSON.parse(answers[1]!)).toEqual([4, 'replay-1', 'SecurityError', expect.any(String), {}]);
    expect(f.events.find((e) => e.type === 'AttemptedReplayAttacks')?.techInfo).toMatch(/GetConfiguration with message id replay-1/);
  });

  it('a CSMS refusing the password raises FailedToAuthenticateAtCentralSystem', async () => {
    const f = await connectWith({ profile: 2, csms: { password: 'another-password-123', tls: serving(pki.csms) } });
    f.link.start();
    await eventually(() => expect(f.events.map((e) => e.type)).toContain('FailedToAuthenticateAtCentralSystem'));
    expect(f.link.state).toBe('connecting');
  });
});

describe('SecurityProfile and AuthorizationKey over ChangeConfiguration', () => {
  it('refuses a downgrade and logs the attempt as a security event', async () => {
    const f = await connectWith({ profile: 2, csms: { password: PASSWORD, tls: serving(pki.csms) } });
    f.link.start();
    await f.until('accepted');
    const cp = f.csms().client;
    expect(await cp.call('ChangeConfiguration', { key: 'SecurityProfile', value: '1' })).toEqual({ status: 'Rejected' });
    expect(f.events).toContainEqual({ type: 'ReconfigurationOfSecurityParameters', techInfo: expect.stringMatching(/refused: SecurityProfile 2 -> 1/) });
    expect(await cp.call('GetConfiguration', { key: ['SecurityProfile'] })).toEqual({ configurationKey: [{ key: 'SecurityProfile', readonly: false, value: '2' }] });
    expect(f.credentials.profile).toBe(2);
  });

  it('raises 2 -> 3: reconnects with the client certificate and keeps it once the CSMS accepts', async () => {
    // The CSMS takes a password (profile 2) or a client certificate (3) on the same port.
    const f = await connectWith({ profile: 2, clientCertificate: true, csms: { tls: serving(pki.csms, { requestCert: true, rejectUnauthorized: false, ca: [pki.ca.cert] }) } });
    f.link.start();
    await f.until('accepted');
    expect(await f.csms().client.call('ChangeConfiguration', { key: 'SecurityProfile', value: '3' })).toEqual({ status: 'Accepted' });
    await f.until('connecting');
    f.clock.advance(1000);
    await eventually(() => expect(f.credentials.profile).toBe(3));
    expect(f.csms().handshakes.at(-1)).toEqual({ identity: 'CP1', password: undefined, clientCertificate: 'CN=CP-SERIAL' });
    expect(f.events.at(-1)).toEqual({ type: 'ReconfigurationOfSecurityParameters', techInfo: 'SecurityProfile 2 -> 3: in effect' });
  });

  it('falls back to the previous profile when the raised one cannot connect, and reports it', async () => {
    const f = await connectWith({ profile: 2, clientCertificate: true, csms: { password: PASSWORD, refuseClientCertificates: true, tls: serving(pki.csms, { requestCert: true, rejectUnauthorized: false }) } });
    f.link.start();
    await f.until('accepted');
    expect(await f.csms().client.call('ChangeConfiguration', { key: 'SecurityProfile', value: '3' })).toEqual({ status: 'Accepted' });
    await f.until('connecting');
    for (const [i, delay] of [1000, 2000, 4000].entries()) {
      // Each attempt: the reconnect is scheduled, its delay passes, the CSMS refuses the handshake.
      await eventually(() => expect(f.reconnecting).toHaveLength(i + 1));
      f.clock.advance(delay);
      await eventually(() => expect(f.csms().handshakes).toHaveLength(i + 2));
    }
    await eventually(() => expect(f.events.map((e) => e.techInfo)).toContainEqual(expect.stringMatching(/SecurityProfile 2 -> 3 failed to connect 3 times .*back to security profile 2/)));
    await eventually(() => expect(f.reconnecting).toHaveLength(4));
    f.clock.advance(8000);
    await f.until('accepted');
    expect(f.csms().handshakes.at(-1)).toEqual({ identity: 'CP1', password: PASSWORD });
    expect(f.credentials.profile).toBe(2);
  });

  it('takes a new AuthorizationKey, uses it from the next connection and never shows it', async () => {
    const f = await connectWith({ profile: 2, csms: { tls: serving(pki.csms) } });
    const traffic: string[] = [];
    f.link.on('message', (r) => void traffic.push(JSON.stringify(r)));
    f.link.start();
    await f.until('accepted');
    const cp = f.csms().client;
    const newKey = 'fresh-key-0123456789abc';
    expect(await cp.call('ChangeConfiguration', { key: 'AuthorizationKey', value: 'short' })).toEqual({ status: 'Rejected' });
    expect(await cp.call('ChangeConfiguration', { key: 'AuthorizationKey', value: newKey })).toEqual({ status: 'Accepted' });
    await f.until('connecting');
    f.clock.advance(1000);
    await f.until('accepted');
    expect(f.csms().handshakes.at(-1)?.password).toBe(newKey);
    await eventually(() => expect(f.credentials.password).toBe(newKey));
    const all = await f.csms().client.call('GetConfiguration', {});
    expect(JSON.stringify(all)).not.toContain(newKey);
    expect(await f.csms().client.call('GetConfiguration', { key: ['AuthorizationKey'] })).toEqual({ configurationKey: [{ key: 'AuthorizationKey', readonly: false }] });
    expect(traffic.join('\n')).not.toContain(newKey);
  });
});
