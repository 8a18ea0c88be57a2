/**
 * FileJournal under any interleaving of appends, acknowledgements, crashes (reopen without close),
 * torn writes (the file cut inside the last line written) and garbage at the end: after every
 * reopen the journal holds exactly the records whose append completed and whose ack did not, in
 * append order; an acknowledged record never comes back.
 */
import fc from 'fast-check';
import { appendFile, mkdtemp, rm, stat, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileJournal } from './FileJournal.js';
import type { JournalEntry } from './TransactionJournal.js';

type Op =
  | { op: 'append'; torn?: number }
  | { op: 'ack'; picks: number[]; torn?: number }
  | { op: 'crash' }
  | { op: 'garbage'; bytes: Uint8Array };

/** Where in its own line the operation's write was cut by the crash (undefined: it completed). */
const torn = fc.oneof(
  { weight: 4, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.double({ min: 0, max: 0.999, noNaN: true }) },
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: torn.map((t) => ({ op: 'append' as const, ...(t !== undefined && { torn: t }) })) },
  { weight: 3, arbitrary: fc.record({ picks: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }), t: torn }).map(({ picks, t }) => ({ op: 'ack' as const, picks, ...(t !== undefined && { torn: t }) })) },
  { weight: 1, arbitrary: fc.constant({ op: 'crash' as const }) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 40 }).map((bytes) => ({ op: 'garbage' as const, bytes })) },
);

/** Entries of different kinds and sizes, each with a unique localId so identity survives reopening. */
function entryFor(n: number): JournalEntry {
  const localId = `tx-${n}`;
  switch (n % 3) {
    case 0:
      return { kind: 'start', localId, connectorId: 1, payload: { connectorId: 1, idTag: `TAG${n}`, meterStart: n * 10, timestamp: '2026-01-01T00:00:00.000Z' } };
    case 1:
      return { kind: 'meter', localId, connectorId: 2, payload: { connectorId: 2, meterValue: [{ timestamp: '2026-01-01T00:00:00.000Z', sampledValue: [{ value: 'é'.repeat(n % 7) + String(n) }] }] } };
    default:
      return { kind: 'started', localId, connectorId: 1, transactionId: n, meterStart: n };
  }
}

const ids = (j: FileJournal) => j.pending().map((r) => r.entry.localId);

describe('FileJournal (property)', () => {
  it('recovers exactly the completed, unacknowledged records, in order, after crashes and torn tails', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { maxLength: 40 }), fc.constantFrom(400, 256 * 1024), async (ops, compactAtBytes) => {
        const dir = await mkdtemp(join(tmpdir(), 'journal-prop-'));
        const file = join(dir, 'journal.log');
        const reopen = () => FileJournal.open({ file, compactAtBytes });
        const open: FileJournal[] = [];
        try {
          let journal = await reopen();
          open.push(journal);
          let model: string[] = [];
          const acked = new Set<string>();
          let counter = 0;
          let lastDurableSeq = 0;
          const crash = async () => {
            journal = await reopen(); // the old handle is simply abandoned, as in a power cut
            open.push(journal);
            expect(ids(journal)).toEqual(model);
          };
          /** Cuts the file inside the line the last operation appended: that operation never completed. */
          const tearLast = async (before: number, fraction: number): Promise<boolean> => {
            const after = (await stat(file)).size;
            if (after <= before) return false; // it compacted (rename is atomic): nothing to tear
            await truncate(file, before + Math.floor(fraction * (after - before)));
            await crash();
            return true;
          };
          for (const op of ops) {
            const before = (await stat(file)).size;
            if (op.op === 'append') {
              const entry = entryFor(counter++);
              const record = await journal.append(entry);
              expect(record.entry).toEqual(entry);
              if (op.torn !== undefined && (await tearLast(before, op.torn))) continue;
              // Never reused, also after compaction emptied the file and a reopen.
              expect(record.seq).toBeGreaterThan(lastDurableSeq);
              lastDurableSeq = record.seq;
              model.push(entry.localId);
            } else if (op.op === 'ack') {
              const pending = journal.pending();
              if (pending.length === 0) continue;
              const chosen = [...new Set(op.picks.map((p) => pending[p % pending.length]!))];
              await journal.ack(...chosen.map((r) => r.seq));
              if (op.torn !== undefined && (await tearLast(before, op.torn))) continue;
              for (const r of chosen) acked.add(r.entry.localId);
              model = model.filter((id) => !acked.has(id));
            } else if (op.op === 'garbage') {
              await appendFile(file, op.bytes);
              await crash();
            } else {
              await crash();
            }
            expect(ids(journal)).toEqual(model);
          }
          await crash();
          expect(ids(journal).filter((id) => acked.has(id))).toEqual([]);
          // Sequence numbers keep rising after everything above, so delivery order stays append order.
          const seqs = journal.pending().map((r) => r.seq);
          const next = await journal.append(entryFor(counter++));
          expect(seqs.every((s) => s < next.seq)).toBe(true);
        } finally {
          for (const j of open) await j.close().catch(() => undefined);
          await rm(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 100 },
    );
  });
});
