/**
 * Offline operation (issue 4, "How it is checked"): the CSMS is gone for one hour of virtual time
 * while 20 sessions run on cards from the Local Authorization List (LocalAuthorizeOffline). When a
 * CSMS answers on the same address again, all 20 transactions arrive in order: each
 * StartTransaction before its MeterValues before its StopTransaction, and the MeterValues and the
 * StopTransaction carry the transactionId that CSMS assigned at the late StartTransaction.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CP, agentFixture, cleanupAgents } from './support/agentFixture.js';
import { EmbeddedCsms } from '../scenarios/csms/EmbeddedCsms.js';

const others: EmbeddedCsms[] = [];
afterEach(async () => {
  await cleanupAgents();
  for (const c of others.splice(0)) await c.stop();
});

const SESSIONS = 20;
const card = (i: number) => `04AB00${String(i).padStart(4, '0')}`;

describe('one hour offline, 20 sessions on local authorization', () => {
  it('delivers every session after the CSMS returns, in order, with the late transactionIds', async () => {
    const f = await agentFixture({ ocpp: { LocalAuthorizeOffline: true, MeterValueSampleInterval: 60 } });
    const localAuthorizationList = Array.from({ length: SESSIONS }, (_, i) => ({ idTag: card(i), idTagInfo: { status: 'Accepted' as const } }));
    expect(await f.csms.call(CP, 'SendLocalList', { listVersion: 1, updateType: 'Full', localAuthorizationList })).toEqual({ status: 'Accepted' });
    const port = Number(new URL(f.csms.url).port);
    await f.csms.stop();
    await f.advance(2000);
    expect(f.agent.link.isAccepted).toBe(false);

    const offlineFrom = f.clock.now();
    const ev = f.sim.connectors[0]!.ev;
    for (let i = 0; i < SESSIONS; i++) {
      ev.plugIn();
      await f.advance(1000);
      f.sim.rfid.tap(card(i));
      await f.advance(1000);
      expect(f.agent.connectors[0]!.status, `session ${i}`).toBe('Charging');
      await f.advance(150_000, 10_000); // 2.5 min: two periodic samples
      f.sim.rfid.tap(card(i));
      await f.advance(1000);
      ev.unplug();
      await f.advance(7000);
      expect(f.agent.connectors[0]!.status, `session ${i}`).toBe('Available');
    }
    await f.advance(offlineFrom + 3_600_000 - f.clock.now(), 10_000);
    expect(f.clock.now() - offlineFrom).toBe(3_600_000);
    expect(f.agent.link.isAccepted).toBe(false);

    // The CSMS comes back on the same address (a fresh instance: an EmbeddedCsms starts once).
    const back = new EmbeddedCsms({ now: () => f.clock.now(), pingIntervalMs: 0 });
    others.push(back);
    back.setBootPolicy({ interval: 3600 });
    await back.start({ port });
    // Reconnect attempts fall due on the virtual clock, but the connection takes real time: on a busy
    // machine, give each attempt a moment of real time instead of racing through virtual seconds.
    for (let s = 0; s < 60 && !f.agent.link.isAccepted; s++) {
      await f.advance(1000);
      await back.waitForConnection(CP, 500).catch(() => undefined);
    }
    for (let s = 0; s < 120 && back.transactions(CP).filter((t) => t.stop).length < SESSIONS; s++) await f.advance(1000);

    const calls = back.traffic((r) => r.chargePointId === CP && r.direction === 'in' && r.kind === 'call');
    const txs = back.transactions(CP);
    expect(txs.map((t) => t.idTag)).toEqual(Array.from({ length: SESSIONS }, (_, i) => card(i)));
    let last = -1;
    for (const t of txs) {
      const start = calls.find((c) => c.action === 'StartTransaction' && (c.payload as { idTag: string }).idTag === t.idTag)!;
      const meters = calls.filter((c) => c.action === 'MeterValues' && (c.payload as { transactionId?: number }).transactionId === t.transactionId);
      const stops = calls.filter((c) => c.action === 'StopTransaction' && (c.payload as { transactionId: number }).transactionId === t.transactionId);
      expect(meters.length, `MeterValues of ${t.idTag}`).toBeGreaterThanOrEqual(2);
      expect(stops, `StopTransaction of ${t.idTag}`).toHaveLength(1);
      // Start, its samples, its stop, and all of it after the previous session.
      const seqs = [start.seq, ...meters.map((m) => m.seq), stops[0]!.seq];
      expect(seqs[0]!).toBeGreaterThan(last);
      expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
      last = stops[0]!.seq;
      // Timestamps are from the offline hour, not the delivery time.
      expect(Date.parse(t.startTimestamp)).toBeLessThan(offlineFrom + 3_600_000);
      expect(t.stop!.meterStop).toBeGreaterThan(t.meterStart);
      expect(t.stop!.reason ?? 'Local').toBe('Local');
    }
    expect(back.chargePoint(CP)!.unknownStops).toEqual([]);
    expect(txs.every((t) => t.duplicateOf === undefined)).toBe(true);
    expect(back.violations(CP)).toEqual([]);
  }, 60_000);
});
