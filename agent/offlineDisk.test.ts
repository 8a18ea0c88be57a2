/**
 * Disk problems (issue 4, item 5), in process on virtual time: a data directory that cannot take a
 * journal write is reported (StatusNotification OtherError with info, and the log) and a new
 * session is refused before the contactor closes, instead of charging unrecorded.
 * The journal file is a symlink to /dev/full (every write fails with ENOSPC; chmod would not
 * stop root).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileJournal } from './store/FileJournal.js';
import { JournalError } from './store/JournalError.js';
import { MemoryJournal, type JournalEntry, type JournalRecord } from './store/TransactionJournal.js';
import { CP, agentFixture, cleanupAgents } from '../test/support/agentFixture.js';

const dirs: string[] = [];
afterEach(async () => {
  await cleanupAgents();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

const CARD = '04A1B2C3D4E5F6';

/** An in-memory journal whose writes start failing (ENOSPC) on demand. */
class FillingJournal extends MemoryJournal {
  full = false;
  override append(entry: JournalEntry): Promise<JournalRecord> {
    if (this.full) return Promise.reject(new JournalError('JOURNAL_FULL', 'transaction journal is full (test)'));
    return super.append(entry);
  }
  probes = 0;
  probe(): Promise<void> {
    this.probes++;
    return this.full ? Promise.reject(new JournalError('JOURNAL_FULL', 'transaction journal is full (test)')) : Promise.resolve();
  }
}

describe.runIf(existsSync('/dev/full'))('data directory full (journal on /dev/full)', () => {
  it('reports OtherError with an info text and refuses a session: no contactor close, no StartTransaction', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'evse-disk-'));
    dirs.push(dir);
    const file = join(dir, 'journal.log');
    await symlink('/dev/full', file);
    const journal = await FileJournal.open({ file });
    const f = await agentFixture({ journal });
    await f.advance(1000);
    expect(f.agent.connectors[0]!.status).toBe('Faulted');
    const faulted = f.sent('StatusNotification').find((s) => s.connectorId === 1 && s.errorCode === 'OtherError');
    expect(faulted).toMatchObject({ status: 'Faulted', errorCode: 'OtherError', info: expect.stringContaining('disk full') });

    const relay = f.sim.connectors[0]!.relay;
    const closes: string[] = [];
    relay.on('state', (s: string) => void closes.push(s));
    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(1000);
    f.sim.rfid.tap(CARD);
    await f.advance(2000);
    expect(await f.csms.call(CP, 'RemoteStartTransaction', { connectorId: 1, idTag: CARD })).toEqual({ status: 'Rejected' });
    await f.advance(2000);
    expect(relay.state).toBe('open');
    expect(closes).not.toContain('closed');
    expect(f.sent('StartTransaction')).toEqual([]);
    await journal.close();
  });
});

describe('journal fills up while the charger runs', () => {
  it('a card is refused before the contactor closes, and sessions start again once the disk is writable', async () => {
    const journal = new FillingJournal();
    const events: string[] = [];
    const f = await agentFixture({ journal, agent: { securityEvents: { raise: (type, techInfo) => void events.push(`${type}: ${techInfo}`) } } });
    const relay = f.sim.connectors[0]!.relay;
    const seen: string[] = [];
    relay.on('state', (s: string) => void seen.push(s));
    journal.full = true; // after the start-up probe passed
    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(1000);
    f.sim.rfid.tap(CARD);
    await f.advance(3000);
    expect(f.agent.transactions.get(1)).toBeUndefined(); // not left behind as a phantom transaction
    expect(relay.state).toBe('open');
    expect(f.agent.connectors[0]!.status).toBe('Faulted');
    expect(f.statusTrail(1)).toContain('Faulted/OtherError');
    expect(f.sent('StartTransaction')).toEqual([]);
    expect(f.sent('StopTransaction')).toEqual([]);
    expect(seen).toEqual([]); // the card's probe found the full disk before the contactor closed
    expect(journal.probes).toBeGreaterThanOrEqual(2); // at start and for the card
    expect(events).toEqual(['MemoryExhaustion: data disk full: journal']); // once, not per refused write

    f.sim.rfid.tap(CARD);
    await f.advance(2000);
    expect(relay.state).toBe('open');

    journal.full = false; // space freed: the next probe (once a minute) clears the fault
    await f.advance(61_000, 5000);
    expect(f.agent.connectors[0]!.status).not.toBe('Faulted');
    f.sim.rfid.tap(CARD);
    await f.advance(2000);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    expect(f.sent('StartTransaction')).toEqual([expect.objectContaining({ idTag: CARD })]);
  });
});
