/**
 * The dashboard's feed on an in-process Agent with simulated hardware, in virtual time against the
 * embedded strict CSMS on 127.0.0.1 (test/support/agentFixture.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { agentFixture, cleanupAgents, startSession } from '../../test/support/agentFixture.js';
import { agent201Fixture, cleanupAgents201 } from '../../test/support/agent201Fixture.js';
import { ChargerFeed, type Sample, type TransactionRow } from './ChargerFeed.js';
import { chargerView } from './chargerView.js';

afterEach(async () => {
  await cleanupAgents();
  await cleanupAgents201();
});

const CARD = '04A1B2C3D4E5F6';

describe('ChargerFeed', () => {
  it('lists a transaction from its start to its stop: masked card, CSMS id, energy, reason, cost from the hook', async () => {
    const f = await agentFixture();
    const costs = new Map<string, { amount: number; currency: string }>();
    const feed = new ChargerFeed({ clock: f.clock, csmsUrl: 'ws://csms/AGENT-T1', transactionCost: (tx) => costs.get(tx.localId) });
    const published: TransactionRow[][] = [];
    feed.on('transactions', (rows) => published.push(rows));
    feed.attach(f.agent, f.sim);
    await startSession(f, CARD);
    await f.advance(30 * 60_000, 60_000);
    const [running] = feed.transactions();
    expect(running).toMatchObject({ connectorId: 1, idTag: '04A1…', transactionId: f.csms.transactions('AGENT-T1')[0]!.transactionId, cost: null });
    expect(running!.stoppedAt).toBeUndefined();

    f.sim.connectors[0]!.ev.unplug();
    await f.advance(5000);
    const stop = f.sent('StopTransaction')[0]!;
    costs.set(running!.localId, { amount: 4.2, currency: 'EUR' });
    const [stopped] = feed.transactions();
    expect(stopped).toMatchObject({ localId: running!.localId, stopReason: 'EVDisconnected', meterStopWh: stop.meterStop, cost: { amount: 4.2, currency: 'EUR' } });
    expect(stopped!.energyWh).toBe(stop.meterStop - f.csms.transactions('AGENT-T1')[0]!.meterStart);
    expect(stopped!.energyWh).toBeGreaterThan(5000);
    expect(published.length).toBeGreaterThanOrEqual(3); // started, confirmed, stopped
    feed.close();
  });

  it('a transaction begun at the plug-in (2.0.1 TxStartPoint EVConnected) has no driver until a card authorizes it, then that masked card', async () => {
    const f = await agent201Fixture({ connectors: 1, ocpp: { TxStartPoint: 'EVConnected' } });
    const feed = new ChargerFeed({ clock: f.clock, csmsUrl: 'ws://csms/AGENT-T1' });
    feed.attach(f.agent, f.sim);
    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(1000);
    await f.waitForSent('TransactionEvent');
    const running = () => chargerView({ agent: f.agent, sim: f.sim, csmsUrl: 'ws://csms/AGENT-T1', readings: [], now: f.clock.now() }).connectors[0]!.transaction;
    const [begun] = feed.transactions();
    expect(begun).toMatchObject({ connectorId: 1 });
    expect(begun!.idTag).toBeUndefined();
    expect(running()).toMatchObject({ localId: begun!.localId });
    expect(running()!.idTag).toBeUndefined();
    f.sim.rfid.tap(CARD);
    await f.advance(2000);
    await f.waitForSent('TransactionEvent', 2);
    expect(feed.transactions()).toEqual([expect.objectContaining({ localId: begun!.localId, idTag: '04A1…' })]);
    expect(running()).toMatchObject({ localId: begun!.localId, idTag: '04A1…' });
    feed.close();
  });

  it('keeps at most maxTransactions, newest first', async () => {
    const f = await agentFixture();
    const feed = new ChargerFeed({ clock: f.clock, csmsUrl: 'x', maxTransactions: 2 });
    feed.attach(f.agent, f.sim);
    for (const card of ['0A0A0A0A', '0B0B0B0B', '0C0C0C0C']) {
      await startSession(f, card);
      f.sim.connectors[0]!.ev.unplug();
      await f.advance(5000);
    }
    expect(feed.transactions().map((t) => t.idTag)).toEqual(['0C0C…', '0B0B…']);
    feed.close();
  });

  it('samples power and energy every period, bounded, rising while charging', async () => {
    const f = await agentFixture();
    const feed = new ChargerFeed({ clock: f.clock, csmsUrl: 'x', sampleMs: 1000, historySamples: 30 });
    const samples: Sample[] = [];
    feed.on('sample', (s) => samples.push(s));
    feed.attach(f.agent, f.sim);
    await startSession(f, CARD);
    await f.advance(60_000);
    expect(feed.samples()).toHaveLength(30);
    expect(samples.length).toBeGreaterThanOrEqual(60);
    const last = samples.slice(-10).map((s) => s.connectors[0]!);
    // The simulated meter is read every period: every sample has a fresh reading.
    for (const c of last) expect(c.powerW).toBeGreaterThan(1000);
    expect(last.at(-1)!.energyWh!).toBeGreaterThan(last[0]!.energyWh!);
    const view = feed.view()!;
    expect(view.connectors[0]).toMatchObject({ status: 'Charging', screen: { source: 'status', lines: ['Charging', expect.stringMatching(/kW .*kWh$/)] } });
    expect(view.connectors[0]!.transaction!.energyWh).toBeGreaterThan(0);
    feed.close();
  });

  it('shows the display service screen when one is plugged in', async () => {
    const f = await agentFixture();
    const feed = new ChargerFeed({ clock: f.clock, csmsUrl: 'x', currentScreen: (c) => (c === 1 ? { lines: ['Tap card', 'or scan'], qr: 'https://op.example/cp/1' } : undefined) });
    feed.attach(f.agent, f.sim);
    expect(feed.view()!.connectors[0]!.screen).toEqual({ source: 'display', lines: ['Tap card', 'or scan'], qr: 'https://op.example/cp/1' });
    feed.close();
  });

  it('follows the new agent after a Reset and keeps what it had; none while detached', async () => {
    const first = await agentFixture();
    const feed = new ChargerFeed({ clock: first.clock, csmsUrl: 'x' });
    feed.attach(first.agent, first.sim);
    await startSession(first, CARD);
    first.sim.connectors[0]!.ev.unplug();
    await first.advance(5000);
    feed.detach();
    expect(feed.view()).toBeUndefined();
    const second = await agentFixture({ clock: first.clock });
    feed.attach(second.agent, second.sim);
    second.sim.connectors[0]!.ev.plugIn();
    await second.advance(2000);
    expect(feed.view()!.connectors[0]).toMatchObject({ status: 'Preparing', plugged: true });
    expect(feed.transactions()).toHaveLength(1);
    // The first agent's events no longer reach the feed.
    const before = feed.transactions().length;
    first.agent.emit('transaction', { event: 'started', localId: 'stale', connectorId: 1, idTag: 'X', meterStartWh: 0, timestamp: first.clock.now() });
    expect(feed.transactions()).toHaveLength(before);
    feed.close();
  });
});
