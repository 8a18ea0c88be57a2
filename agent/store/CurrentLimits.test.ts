import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CurrentLimits } from './CurrentLimits.js';

const log = pino({ level: 'silent' });
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evse-limits-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('CurrentLimits', () => {
  it('persists limits and reads them back after a restart', async () => {
    const file = join(dir, 'limits.json');
    const a = await CurrentLimits.open(file, log);
    expect(a.entries()).toEqual([]);
    expect(await a.set([{ connectorId: 2, amps: 10 }, { connectorId: 1, amps: 16 }])).toBe(true);
    const b = await CurrentLimits.open(file, log);
    expect(b.entries()).toEqual([[1, 16], [2, 10]]);
    await b.set([{ connectorId: 1, amps: undefined }]);
    expect((await CurrentLimits.open(file, log)).entries()).toEqual([[2, 10]]);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ version: 1, limitsA: { 2: 10 } });
  });

  it('an unreadable file means no limits, and invalid entries are skipped', async () => {
    const file = join(dir, 'limits.json');
    await writeFile(file, 'not json');
    expect((await CurrentLimits.open(file, log)).entries()).toEqual([]);
    await writeFile(file, JSON.stringify({ version: 1, limitsA: { 1: 12, 0: 5, x: 3, 2: -1, 3: 'a' } }));
    expect((await CurrentLimits.open(file, log)).entries()).toEqual([[1, 12]]);
  });

  it('reports a failed write and keeps the value in memory', async () => {
    const blocker = join(dir, 'file');
    await writeFile(blocker, '');
    const limits = await CurrentLimits.open(join(blocker, 'limits.json'), log); // a file as directory: writes fail
    expect(await limits.set([{ connectorId: 1, amps: 8 }])).toBe(false);
    expect(limits.get(1)).toBe(8);
  });
});
