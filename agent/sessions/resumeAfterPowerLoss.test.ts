/**
 * ResumeTransactionOnPowerLoss through whole in-process Agents on a durable FileJournal and the
 * embedded strict CSMS (virtual time). A "power cut" closes the journal first (nothing after that
 * reaches the disk), then stops the agent; the successor opens the same file with the same
 * simulated hardware (the EV stays plugged in unless the test unplugs it) and the same persisted
 * authorization state, as `evse run` does after a restart.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileJournal } from '../store/FileJournal.js';
import { CP, T0, agentFixture, cleanupAgents, energyOf, startSession, type AgentFixture } from '../../test/support/agentFixture.js';
import { restartedAgent, type RestartedAgent } from '../../test/support/restartedAgent.js';

const CARD = '04A1B2C3D4E5F6';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await cleanupAgents();
});

async function openJournal(): Promise<{ file: string; journal: FileJournal }> {
  const dir = await mkdtemp(join(tmpdir(), 'resume-'));
  cleanups.unshift(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'journal.log');
  const journal = await FileJournal.open({ file });
  cleanups.push(() => journal.close());
  return { file, journal };
}

/** Charges for a while, then cuts the power: the journal keeps the transaction open. */
async function chargeThenCut(ocpp: Record<string, string | number | boolean>): Promise<{ f: AgentFixture; file: string; transactionId: number }> {
  const { file, journal } = await openJournal();
  const f = await agentFixture({ journal, ocpp: { MeterValueSampleInterval: 60, ResumeTransactionOnPowerLoss: true, ...ocpp } });
  await startSession(f, CARD);
  await f.advance(5 * 60_000);
  const { transactionId } = f.csms.transactions(CP)[0]!;
  await journal.close(); // power cut
  await f.agent.stop({ flushMs: 0 });
  expect(f.sent('StopTransaction')).toEqual([]);
  return { f, file, transactionId };
}

/** The charger after the restart: same CSMS, clock, hardware, configuration and authorization state. */
async function restart(f: AgentFixture, file: string): Promise<RestartedAgent> {
  const journal = await FileJournal.open({ file });
  cleanups.push(() => journal.close());
  return restartedAgent(f, journal, { onCleanup: (c) => void cleanups.push(c), carry: { authCache: f.agent.authCache, localAuthList: f.agent.localAuthList } });
}

describe('ResumeTransactionOnPowerLoss', () => {
  it('continues a transaction whose EV is still plugged in and whose idTag is valid: same id, samples go on, one stop', async () => {
    const { f, file, transactionId } = await chargeThenCut({});
    const samplesBefore = f.sent('MeterValues').length;
    const lastBefore = energyOf(f.sent('MeterValues').at(-1)!.meterValue[0]!);
    const { agent, advance, events } = await restart(f, file);
    await advance(3 * 60_000);

    expect(agent.connectors[0]!.status).toBe('Charging');
    // Telemetry learns that the session goes on (same local id and transactionId).
    expect(events).toEqual([expect.objectContaining({ event: 'started', resumed: true, connectorId: 1, idTag: CARD, transactionId })]);
    expect(f.sim.connectors[0]!.relay.state).toBe('closed');
    expect(agent.transactions.transactionIdOn(1)).toBe(transactionId);
    expect(f.sent('StopTransaction')).toEqual([]);
    const after = f.sent('MeterValues').slice(samplesBefore);
    expect(after.length).toBeGreaterThanOrEqual(2);
    expect(after.every((m) => m.transactionId === transactionId)).toBe(true);
    expect(energyOf(after.at(-1)!.meterValue[0]!)).toBeGreaterThan(lastBefore);

    f.sim.rfid.tap(CARD); // the card that started it stops it
    await advance(2000);
    expect(f.sent('StartTransaction')).toHaveLength(1);
    expect(f.sent('StopTransaction')).toEqual([expect.objectContaining({ transactionId, reason: 'Local' })]);
    expect(f.sent('StopTransaction')[0]!.meterStop).toBeGreaterThanOrEqual(energyOf(after.at(-1)!.meterValue[0]!));
    expect(f.csms.chargePoint(CP)!.unknownStops).toEqual([]);
  });

  it('stops with PowerLoss when the idTag is no longer valid (blocked in the cache meanwhile)', async () => {
    const { f, file, transactionId } = await chargeThenCut({});
    f.agent.authCache.put(CARD, { status: 'Blocked' });
    const { agent, advance } = await restart(f, file);
    await advance(2000);
    expect(f.sent('StopTransaction')).toEqual([expect.objectContaining({ transactionId, reason: 'PowerLoss' })]);
    expect(agent.connectors[0]!.status).not.toBe('Charging');
    expect(f.sim.connectors[0]!.relay.state).toBe('open');
  });

  it('stops with PowerLoss when the idTag expired during the outage', async () => {
    const { f, file, transactionId } = await chargeThenCut({});
    f.agent.authCache.put(CARD, { status: 'Accepted', expiryDate: new Date(T0).toISOString() });
    const { advance, events } = await restart(f, file);
    await advance(2000);
    expect(f.sent('StopTransaction')).toEqual([expect.objectContaining({ transactionId, reason: 'PowerLoss' })]);
    // Telemetry hears of it at once, with the id the CSMS gave the start before the cut.
    expect(events).toEqual([expect.objectContaining({ event: 'stopped', reason: 'PowerLoss', connectorId: 1, transactionId, meterStopWh: f.sent('StopTransaction')[0]!.meterStop })]);
  });

  it('stops with PowerLoss when the EV was unplugged during the outage', async () => {
    const { f, file, transactionId } = await chargeThenCut({});
    f.sim.connectors[0]!.ev.unplug();
    const { agent, advance } = await restart(f, file);
    await advance(2000);
    expect(f.sent('StopTransaction')).toEqual([expect.objectContaining({ transactionId, reason: 'PowerLoss' })]);
    expect(agent.connectors[0]!.status).toBe('Available');
  });

  it('stops with PowerLoss when the key is off (the default)', async () => {
    const { f, file, transactionId } = await chargeThenCut({ ResumeTransactionOnPowerLoss: false });
    const { advance, events } = await restart(f, file);
    await advance(2000);
    expect(f.sent('StopTransaction')).toEqual([expect.objectContaining({ transactionId, reason: 'PowerLoss' })]);
    // Telemetry hears of it at once, with the id the CSMS gave the start before the cut.
    expect(events).toEqual([expect.objectContaining({ event: 'stopped', reason: 'PowerLoss', connectorId: 1, transactionId, meterStopWh: f.sent('StopTransaction')[0]!.meterStop })]);
  });

  it('resumes a transaction started offline; its late StartTransaction answer gives the id its stop uses', async () => {
    const { journal } = await openJournal();
    const start = { connectorId: 1, idTag: 'TAG-OFFLINE', meterStart: 0, timestamp: new Date(T0 - 60_000).toISOString() };
    await journal.append({ kind: 'start', localId: 'offline-1', connectorId: 1, payload: start });
    const f = await agentFixture({
      journal,
      ocpp: { ResumeTransactionOnPowerLoss: true, AllowOfflineTxForUnknownId: true },
      charger: { evConnected: true },
    });
    await f.advance(3000);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    expect(f.sent('StartTransaction')).toEqual([start]);
    const { transactionId } = f.csms.transactions(CP)[0]!;
    expect(f.agent.transactions.transactionIdOn(1)).toBe(transactionId);
    expect(await f.csms.call(CP, 'RemoteStopTransaction', { transactionId })).toEqual({ status: 'Accepted' });
    await f.advance(2000);
    expect(f.sent('StopTransaction')).toEqual([expect.objectContaining({ transactionId, reason: 'Remote' })]);
    expect(journal.pending()).toEqual([]);
  });
});
