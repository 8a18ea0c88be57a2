/**
 * CustomerInformation (OCPP 2.0.1 N09 report, N10 clear) over a strict 2.0.1 CSMS: what the station
 * keeps of a driver (authorization cache, local list, reservation, running transaction) told in
 * NotifyCustomerInformation; the clear erases the cache entry (on disk too) and keeps what only the
 * CSMS may change; the refusals (nothing asked: Rejected; no single reference: Invalid).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AuthorizationCache } from '../../auth/AuthorizationCache.js';
import type { CustomerInformationRequest, NotifyCustomerInformationRequest } from '../../ocpp201/messages.js';
import { agent201Fixture, cleanupAgents201, T0, type Agent201Fixture } from '../../../test/support/agent201Fixture.js';
import { customerInformationPages } from './Ocpp201Station.js';
import { SimulatedClock } from '../../../hal/clock.js';
import { hashIdTag } from '../../auth/idTagHash.js';
import { UsageTracker } from '../../sessions/UsageTracker.js';
import { SessionHistory } from '../../store/SessionHistory.js';

const dirs: string[] = [];
afterEach(async () => {
  await cleanupAgents201();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

const CARD = '04A1B2C3D4E5F6';
const LISTED = 'LISTED-01';
const token = (idToken: string, type = 'ISO14443') => ({ idToken, type }) as NonNullable<CustomerInformationRequest['idToken']>;

/** The NotifyCustomerInformation pages of a request, in order, once its last (tbc false) came. */
async function told(f: Agent201Fixture, requestId: number): Promise<NotifyCustomerInformationRequest[]> {
  const pages = () => f.sent('NotifyCustomerInformation').filter((n) => n.requestId === requestId);
  await vi.waitFor(() => expect(pages().some((p) => !p.tbc)).toBe(true), { timeout: 5000, interval: 5 });
  return pages();
}
const text = (pages: NotifyCustomerInformationRequest[]) => pages.map((p) => p.data).join('');

describe('CustomerInformation', () => {
  it('reports the cache entry, the local list entry, a reservation and the running transaction of an idToken; the clear erases the cache entry only, and says what it kept', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'v201-customer-'));
    dirs.push(dir);
    const cacheFile = join(dir, 'auth-cache.json');
    const authCache = await AuthorizationCache.open(cacheFile, pino({ level: 'silent' }));
    const f = await agent201Fixture({ connectors: 2, agent: () => ({ authCache }) });
    expect(await f.call('SendLocalList', { versionNumber: 3, updateType: 'Full', localAuthorizationList: [{ idToken: token(LISTED, 'Central'), idTokenInfo: { status: 'Accepted' } }] })).toEqual({ status: 'Accepted' });
    // The card charges on EVSE 1 (Authorize: cached) and holds a reservation on EVSE 2.
    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(1000);
    f.sim.rfid.tap(CARD);
    await f.advance(1000);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    const expiryDateTime = new Date(f.clock.now() + 3600_000).toISOString();
    expect(await f.call('ReserveNow', { id: 5, expiryDateTime, idToken: token(CARD), evseId: 2 })).toEqual({ status: 'Accepted' });

    expect(await f.call('CustomerInformation', { requestId: 1, report: true, clear: false, idToken: token(CARD) })).toEqual({ status: 'Accepted' });
    const report = text(await told(f, 1));
    expect(report).toMatch(/^Authorization cache: status Accepted; stored \S+Z, last used \S+Z, used \d+ times$/m);
    expect(report).toMatch(/^Reservation 5 on EVSE 2, made \S+Z, until \S+Z$/m);
    expect(report).toMatch(/^Transaction on EVSE 1 since \S+Z$/m);
    expect(report).not.toMatch(/Local authorization list|erased|kept/);
    expect(f.agent.authCache.has(CARD, 'ISO14443')).toBe(true);
    await authCache.flush();
    expect(await readFile(cacheFile, 'utf8')).toContain(CARD);

    expect(await f.call('CustomerInformation', { requestId: 2, report: true, clear: true, idToken: token(CARD) })).toEqual({ status: 'Accepted' });
    const cleared = text(await told(f, 2));
    expect(cleared).toMatch(/^Authorization cache: .* \(erased\)$/m);
    expect(cleared).toMatch(/^Reservation 5 on EVSE 2, .* \(kept: CancelReservation ends it\)$/m);
    expect(cleared).toMatch(/^Transaction on EVSE 1 since \S+Z \(kept until it has ended and the CSMS has its messages\)$/m);
    expect(f.agent.authCache.has(CARD, 'ISO14443')).toBe(false);
    // Erased on disk too: a restart would not bring it back.
    expect(await readFile(cacheFile, 'utf8')).not.toContain(CARD);
    expect(f.agent.connectors[0]!.status).toBe('Charging');

    // The local list entry is only reported, and kept on a clear (the CSMS changes the list).
    expect(await f.call('CustomerInformation', { requestId: 3, report: true, clear: true, idToken: token(LISTED, 'Central') })).toEqual({ status: 'Accepted' });
    expect(text(await told(f, 3))).toBe('Local authorization list (version 3): status Accepted (kept: the CSMS changes the list with SendLocalList)');
    expect(await f.call('GetLocalListVersion', {})).toEqual({ versionNumber: 3 });
    await authCache.flush(); // its last writes before the directory goes
  });

  it('a customer it keeps nothing of: one NotifyCustomerInformation saying so (also for a customerIdentifier or certificate); a clear without report says it cleared', async () => {
    const f = await agent201Fixture({ connectors: 1 });
    expect(await f.call('CustomerInformation', { requestId: 7, report: true, clear: false, idToken: token('NOBODY') })).toEqual({ status: 'Accepted' });
    const none = await told(f, 7);
    expect(none).toEqual([expect.objectContaining({ requestId: 7, seqNo: 0, data: 'No data is kept of this customer on this charging station.' })]);
    expect(none[0]!.tbc).toBeUndefined();
    expect(await f.call('CustomerInformation', { requestId: 8, report: true, clear: false, customerIdentifier: 'customer-42' })).toEqual({ status: 'Accepted' });
    expect(text(await told(f, 8))).toBe('No data is kept of this customer on this charging station.');

    await f.agent.authorize(CARD, 'ISO14443');
    expect(f.agent.authCache.has(CARD, 'ISO14443')).toBe(true);
    expect(await f.call('CustomerInformation', { requestId: 9, report: false, clear: true, idToken: token(CARD) })).toEqual({ status: 'Accepted' });
    expect(text(await told(f, 9))).toBe('The data kept of this customer was cleared where it may be.');
    expect(f.agent.authCache.has(CARD, 'ISO14443')).toBe(false);
  });

  it('the usage records (the session history) name a driver by a hash: their sessions are reported, and the clear erases the hash from the ended ones, on disk', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'v201-customer-usage-'));
    dirs.push(dir);
    const file = join(dir, 'sessions.log');
    const log = pino({ level: 'silent' });
    const clock = new SimulatedClock(T0);
    const history = await SessionHistory.open({ file, clock, log, maxSessions: 100, maxDays: 0, connectors: 1 });
    let tracker: UsageTracker | undefined;
    const f = await agent201Fixture({
      connectors: 1,
      clock,
      agent: () => ({ usageRecords: { sessionsOf: (idTag: string, erase: boolean) => history.driverSessions(hashIdTag(idTag), erase) } }),
      beforeStart: (agent) => {
        tracker = new UsageTracker({ agent, clock, sink: history, resume: history.resumeState(), log });
        tracker.start();
      },
    });
    try {
      f.sim.connectors[0]!.ev.plugIn();
      await f.advance(1000);
      f.sim.rfid.tap(CARD);
      await f.advance(10 * 60_000, 10_000);
      f.sim.rfid.tap(CARD); // the driver ends the session
      await f.advance(5000);
      f.sim.connectors[0]!.ev.unplug();
      await f.advance(5000);
      await history.flush();
      expect((await SessionHistory.read(file))!.sessions).toEqual([expect.objectContaining({ idTagHash: hashIdTag(CARD), connectorId: 1 })]);

      expect(await f.call('CustomerInformation', { requestId: 7, report: true, clear: false, idToken: token(CARD) })).toEqual({ status: 'Accepted' });
      expect(text(await told(f, 7))).toMatch(/^Usage record: session on EVSE 1 from \S+Z to \S+Z, \d+ Wh$/m);
      expect(await f.call('CustomerInformation', { requestId: 8, report: true, clear: true, idToken: token(CARD) })).toEqual({ status: 'Accepted' });
      expect(text(await told(f, 8))).toMatch(/^Usage record: session on EVSE 1 from \S+Z to \S+Z, \d+ Wh \(identifier erased\)$/m);
      const [kept] = (await SessionHistory.read(file))!.sessions;
      expect(kept).not.toHaveProperty('idTagHash');
      expect(kept!.energyWh).toBeGreaterThan(0); // the session stays for planning, without its driver
      expect(await f.call('CustomerInformation', { requestId: 9, report: true, clear: false, idToken: token(CARD) })).toEqual({ status: 'Accepted' });
      expect(text(await told(f, 9))).not.toMatch(/Usage record/);
    } finally {
      await f.close();
      tracker?.stop();
      await history.close();
    }
  });

  it('neither report nor clear is Rejected; no reference, or two, is Invalid; nothing is sent for either', async () => {
    const f = await agent201Fixture({ connectors: 1 });
    expect(await f.call('CustomerInformation', { requestId: 1, report: false, clear: false, idToken: token(CARD) })).toEqual({ status: 'Rejected' });
    expect(await f.call('CustomerInformation', { requestId: 2, report: true, clear: false })).toEqual({ status: 'Invalid' });
    expect(await f.call('CustomerInformation', { requestId: 3, report: true, clear: false, idToken: token(CARD), customerIdentifier: 'customer-42' })).toEqual({ status: 'Invalid' });
    await f.advance(1000);
    expect(f.csms.count('NotifyCustomerInformation')).toBe(0);
  });
});

describe('customerInformationPages', () => {
  it('cuts a text into pieces of at most 512 characters, whole characters', () => {
    const pages = customerInformationPages('é'.repeat(1200));
    expect(pages.map((p) => Array.from(p).length)).toEqual([512, 512, 176]);
    expect(pages.join('')).toBe('é'.repeat(1200));
  });
});
