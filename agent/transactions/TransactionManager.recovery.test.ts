/**
 * Power-loss recovery through a whole in-process Agent on a durable FileJournal and the embedded
 * strict CSMS: a transaction whose start is in the journal and whose stop is not is ended once,
 * with reason PowerLoss and the meter's register, behind anything still queued for it.
 * A "power cut" closes the journal first (nothing after that point reaches the disk), then stops
 * the agent; the successor opens the same file, as `evse run` does after a restart.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileJournal } from '../store/FileJournal.js';
import type { JournalEntry } from '../store/TransactionJournal.js';
import { CP, T0, agentFixture, cleanupAgents, startSession, type AgentFixture } from '../../test/support/agentFixture.js';
import { restartedAgent as restartAgent } from '../../test/support/restartedAgent.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await cleanupAgents();
});

async function journalFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'recovery-'));
  cleanups.unshift(() => rm(dir, { recursive: true, force: true }));
  return join(dir, 'journal.log');
}

async function openJournal(file: string): Promise<FileJournal> {
  const j = await FileJournal.open({ file });
  cleanups.push(() => j.close());
  return j;
}

/** A second Agent on the fixture's CSMS, clock and hardware (the charger after the restart). */
const restartedAgent = (f: AgentFixture, journal: FileJournal) => restartAgent(f, journal, { onCleanup: (c) => void cleanups.push(c) });

const start = (localId: string, meterStart: number): JournalEntry => ({
  kind: 'start',
  localId,
  connectorId: 1,
  payload: { connectorId: 1, idTag: 'TAG-OFFLINE', meterStart, timestamp: new Date(T0 - 60_000).toISOString() },
});

describe('power-loss recovery', () => {
  it('ends a confirmed transaction cut by a power loss with PowerLoss and the meter register: one start, one stop', async () => {
    const file = await journalFile();
    const first = await openJournal(file);
    const f = await agentFixture({ journal: first, ocpp: { MeterValueSampleInterval: 60 } });
    await startSession(f);
    await f.advance(5 * 60_000);
    const [started] = f.sent('StartTransaction');
    const { transactionId } = f.csms.transactions(CP)[0]!;
    const lastSample = f.sent('MeterValues').at(-1)!;

    await first.close(); // power cut: nothing reaches the disk from here on
    await f.agent.stop({ flushMs: 0 });
    expect(f.sent('StopTransaction')).toEqual([]); // the Reboot stop of the dead agent never got out

    const second = await openJournal(file);
    const { advance } = await restartedAgent(f, second);
    await advance(2000);

    expect(f.sent('StartTransaction')).toHaveLength(1);
    const stops = f.sent('StopTransaction');
    expect(stops).toHaveLength(1);
    expect(stops[0]).toMatchObject({ transactionId, reason: 'PowerLoss' });
    expect(stops[0]!.meterStop).toBeGreaterThanOrEqual(started!.meterStart);
    expect(stops[0]!.meterStop).toBeGreaterThanOrEqual(Number(lastSample.meterValue[0]!.sampledValue[0]!.value));
    expect(f.csms.chargePoint(CP)!.unknownStops).toEqual([]);
    expect(f.csms.transactions(CP).filter((t) => t.duplicateOf !== undefined)).toEqual([]);
    expect(second.pending()).toEqual([]);
    expect((await openJournal(file)).pending()).toEqual([]); // and nothing to do after the next restart
  });

  it('delivers a start journaled offline, then its queued samples, then the PowerLoss stop with the assigned id', async () => {
    const file = await journalFile();
    const journal = await openJournal(file);
    await journal.append(start('offline-1', 1000));
    await journal.append({
      kind: 'meter',
      localId: 'offline-1',
      connectorId: 1,
      payload: { connectorId: 1, meterValue: [{ timestamp: new Date(T0 - 30_000).toISOString(), sampledValue: [{ value: '1200' }] }] },
    });
    const f = await agentFixture({ journal });
    await f.advance(2000);

    const calls = f.csms.traffic((r) => r.direction === 'in' && r.kind === 'call' && ['StartTransaction', 'MeterValues', 'StopTransaction'].includes(r.action ?? ''));
    expect(calls.map((r) => r.action)).toEqual(['StartTransaction', 'MeterValues', 'StopTransaction']);
    const { transactionId } = f.csms.transactions(CP)[0]!;
    expect(f.sent('MeterValues')[0]).toMatchObject({ transactionId });
    expect(f.sent('StopTransaction')[0]).toMatchObject({ transactionId, reason: 'PowerLoss' });
    expect(f.sent('StopTransaction')[0]!.meterStop).toBeGreaterThanOrEqual(1000);
    expect(journal.pending()).toEqual([]);
  });

  it('does not resend a start whose answer was journaled before the crash, and stops it by that id', async () => {
    const journal = await openJournal(await journalFile());
    await journal.append(start('confirmed-1', 500));
    await journal.append({ kind: 'started', localId: 'confirmed-1', connectorId: 1, transactionId: 77, meterStart: 500 });
    const f = await agentFixture({ journal });
    await f.advance(2000);
    expect(f.sent('StartTransaction')).toEqual([]);
    expect(f.sent('StopTransaction')).toEqual([expect.objectContaining({ transactionId: 77, reason: 'PowerLoss' })]);
    expect(journal.pending()).toEqual([]);
  });

  it('leaves a transaction alone whose stop was journaled before the crash: that stop goes out, no second one', async () => {
    const journal = await openJournal(await journalFile());
    await journal.append(start('stopped-1', 100));
    await journal.append({ kind: 'stop', localId: 'stopped-1', connectorId: 1, payload: { meterStop: 900, timestamp: new Date(T0 - 1000).toISOString(), reason: 'Local' } });
    const f = await agentFixture({ journal });
    await f.advance(2000);
    expect(f.sent('StartTransaction')).toHaveLength(1);
    expect(f.sent('StopTransaction')).toEqual([expect.objectContaining({ meterStop: 900, reason: 'Local' })]);
  });

  it('lets a new session on the recovered connector start only after the recovery stop', async () => {
    const journal = await openJournal(await journalFile());
    await journal.append(start('old', 100));
    const f = await agentFixture({ journal });
    await startSession(f, 'BEEF0001');
    await f.advance(2000);
    const calls = f.csms.traffic((r) => r.direction === 'in' && r.kind === 'call' && ['StartTransaction', 'StopTransaction'].includes(r.action ?? ''));
    expect(calls.map((r) => `${r.action}:${(r.payload as { idTag?: string; reason?: string }).idTag ?? (r.payload as { reason?: string }).reason}`)).toEqual([
      'StartTransaction:TAG-OFFLINE',
      'StopTransaction:PowerLoss',
      'StartTransaction:BEEF0001',
    ]);
  });
});
