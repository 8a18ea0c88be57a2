/** The in-memory transaction journal: the contract the sender relies on (order, ack, replay). */
import { describe, expect, it } from 'vitest';
import { MemoryJournal, type JournalEntry } from './TransactionJournal.js';

const meter = (localId: string, value: string): JournalEntry => ({
  kind: 'meter',
  localId,
  connectorId: 1,
  payload: { connectorId: 1, meterValue: [{ timestamp: '2026-01-01T00:00:00.000Z', sampledValue: [{ value }] }] },
});

describe('MemoryJournal', () => {
  it('keeps records in append order with increasing sequence numbers until they are acknowledged', async () => {
    const journal = new MemoryJournal();
    const a = await journal.append(meter('tx1', '1'));
    const b = await journal.append(meter('tx1', '2'));
    const c = await journal.append({ kind: 'started', localId: 'tx1', connectorId: 1, transactionId: 5 });
    expect([a.seq, b.seq, c.seq]).toEqual([1, 2, 3]);
    expect(journal.pending()).toEqual([a, b, c]);

    await journal.ack(b.seq);
    expect(journal.pending()).toEqual([a, c]);
    await journal.ack(b.seq); // twice: no effect
    await journal.ack(99); // unknown: no effect
    expect(journal.pending().map((r) => r.seq)).toEqual([1, 3]);

    // Sequence numbers are never reused, also after acknowledgements.
    const d = await journal.append(meter('tx2', '3'));
    expect(d.seq).toBe(4);
    await journal.ack(a.seq);
    await journal.ack(c.seq);
    expect(journal.pending()).toEqual([d]);
    await journal.close();
  });

  it('stores the entry as given (the sender fills transactionId in at send time)', async () => {
    const journal = new MemoryJournal();
    const entry = meter('tx1', '1');
    const record = await journal.append(entry);
    expect(record.entry).toEqual(entry);
    expect(record.entry).not.toHaveProperty('payload.transactionId');
  });
});
