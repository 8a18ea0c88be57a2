/**
 * `npm run bench:journal`: the durable transaction journal (agent/store/FileJournal.ts) on this
 * disk, each record durable on its own before the next (as the agent uses it).
 *
 * - append only: RECORDS records of ~300 bytes (a StartTransaction/MeterValues-sized entry);
 * - append + ack: append then ack each record with nothing else pending, the worst case (every
 *   ack empties the journal and compacts it: + tmp-file fsync + directory fsync);
 * - session: one long transaction online — its `started` record stays pending while each sample is
 *   appended and acked, then the stop empties the journal (one compaction per transaction).
 *
 * For each: durable records/s, fsyncs per record (counted by wrapping FileHandle.sync/datasync),
 * bytes this process sent to storage per record (/proc/self/io write_bytes: whole pages) and, when
 * readable, sectors the block device wrote per record (includes the file-system journal, but is
 * device-wide: run it on a quiet machine). Flash wear on a board follows the last figure.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileJournal } from '../../agent/store/FileJournal.js';
import type { JournalEntry } from '../../agent/store/TransactionJournal.js';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 2000);

let fsyncs = 0;
async function countFsyncs(dir: string): Promise<void> {
  const fh = await open(join(dir, 'probe'), 'w');
  const proto = Object.getPrototypeOf(fh) as { sync: () => Promise<void>; datasync: () => Promise<void> };
  await fh.close();
  for (const name of ['sync', 'datasync'] as const) {
    const original = proto[name];
    proto[name] = function (this: unknown) {
      fsyncs++;
      return original.call(this);
    };
  }
}

function processWriteBytes(): number {
  return Number(/write_bytes: (\d+)/.exec(readFileSync('/proc/self/io', 'utf8'))?.[1] ?? NaN);
}

/** Sectors written by the block device holding `dir` (512 bytes each), or NaN. */
function deviceSectors(dir: string): number {
  try {
    const dev = statSync(dir).dev;
    const major = dev >> 8;
    const minor = dev & 0xff;
    const name = readdirSync('/sys/block').find((d) => readFileSync(`/sys/block/${d}/dev`, 'utf8').trim() === `${major}:${minor}`);
    return name ? Number(readFileSync(`/sys/block/${name}/stat`, 'utf8').trim().split(/\s+/)[6]) : NaN;
  } catch {
    return NaN;
  }
}

const entry = (i: number): JournalEntry => ({
  kind: 'meter',
  localId: `6f1c2a4e-0d7b-4a53-9b1e-${String(i).padStart(12, '0')}`,
  connectorId: 1,
  payload: {
    connectorId: 1,
    meterValue: [{ timestamp: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(), sampledValue: [{ value: String(1000 + i * 3), context: 'Sample.Periodic', measurand: 'Energy.Active.Import.Register', unit: 'Wh' }, { value: '11040', context: 'Sample.Periodic', measurand: 'Power.Active.Import', unit: 'W' }] }],
  },
});

async function run(name: string, dir: string, withAck: boolean, session = false): Promise<void> {
  const journal = await FileJournal.open({ file: join(dir, `${name}.log`) });
  const started = session ? await journal.append({ kind: 'started', localId: 'session', connectorId: 1, transactionId: 1, meterStart: 1000 }) : undefined;
  const f0 = fsyncs;
  const w0 = processWriteBytes();
  const s0 = deviceSectors(dir);
  const t0 = performance.now();
  for (let i = 0; i < RECORDS; i++) {
    const r = await journal.append(entry(i));
    if (withAck) await journal.ack(r.seq);
  }
  if (started) await journal.ack(started.seq);
  const seconds = (performance.now() - t0) / 1000;
  const perRecord = (n: number) => (Number.isNaN(n) ? 'n/a' : (n / RECORDS).toFixed(2));
  const lineBytes = withAck ? NaN : journal.fileBytes / RECORDS;
  await journal.close();
  process.stdout.write(
    `${name.padEnd(16)} ${String(Math.round(RECORDS / seconds)).padStart(6)} records/s  ` +
      `fsyncs/record ${perRecord(fsyncs - f0)}  ` +
      `process bytes/record ${perRecord(processWriteBytes() - w0)}  ` +
      `device bytes/record ${perRecord((deviceSectors(dir) - s0) * 512)}` +
      (Number.isNaN(lineBytes) ? '' : `  (record line ${lineBytes.toFixed(0)} B)`) +
      '\n',
  );
}

const dir = await mkdtemp(join(process.env.BENCH_DIR ?? tmpdir(), 'journal-bench-'));
try {
  await countFsyncs(dir);
  process.stdout.write(`FileJournal, ${RECORDS} records, ${dir}\n`);
  await run('append only', dir, false);
  await run('append + ack', dir, true);
  await run('session', dir, true, true);
} finally {
  await rm(dir, { recursive: true, force: true });
}
