import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { TransactionSeqNos } from './TransactionSeqNos.js';

const log = pino({ level: 'silent' });
const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});
async function file(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'seqnos-'));
  dirs.push(d);
  return join(d, 'transaction-seqnos.json');
}

describe('TransactionSeqNos', () => {
  it('numbers each transaction from 0, and a reopened store continues where the last one stopped', async () => {
    const path = await file();
    const a = await TransactionSeqNos.open(path, log);
    expect([a.take('T1').seqNo, a.take('T1').seqNo, a.take('T2').seqNo]).toEqual([0, 1, 0]);
    const last = a.take('T1');
    expect(last.seqNo).toBe(2);
    await last.durable;
    const b = await TransactionSeqNos.open(path, log);
    const [t1, t2] = [b.take('T1'), b.take('T2')];
    expect([t1.seqNo, t2.seqNo]).toEqual([3, 1]);
    // Written before the test's directory goes (a busy machine was still writing when it did: ENOTEMPTY).
    await Promise.all([t1.durable, t2.durable]);
  });

  it('forgets an ended transaction, durably', async () => {
    const path = await file();
    const a = await TransactionSeqNos.open(path, log);
    await a.take('T1').durable;
    await a.forget('T1');
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ version: 1, next: {} });
    const again = (await TransactionSeqNos.open(path, log)).take('T1');
    expect(again.seqNo).toBe(0);
    await again.durable;
  });

  it('starts empty from a corrupt file, and keeps at most 64 open transactions (the oldest go first)', async () => {
    const path = await file();
    await writeFile(path, '{not json');
    const s = await TransactionSeqNos.open(path, log);
    for (let i = 0; i < 70; i++) await s.take(`T${i}`).durable;
    const kept = Object.keys((JSON.parse(await readFile(path, 'utf8')) as { next: object }).next);
    expect(kept).toHaveLength(64);
    expect(kept[0]).toBe('T6');
  });

  it('in memory: the same numbering, nothing written', async () => {
    const s = TransactionSeqNos.inMemory(log);
    expect([s.take('X').seqNo, s.take('X').seqNo]).toEqual([0, 1]);
  });
});
