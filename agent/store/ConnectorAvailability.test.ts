import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectorAvailability } from './ConnectorAvailability.js';

const log = pino({ level: 'silent' });
let dir: string;

afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('ConnectorAvailability', () => {
  it('every connector is operative until the CSMS says otherwise', async () => {
    dir = await mkdtemp(join(tmpdir(), 'evse-avail-'));
    const a = await ConnectorAvailability.open(join(dir, 'a.json'), log);
    expect(a.isOperative(1)).toBe(true);
    expect(a.isOperative(2)).toBe(true);
  });

  it('keeps Inoperative across a reopen and forgets it once Operative again', async () => {
    dir = await mkdtemp(join(tmpdir(), 'evse-avail-'));
    const file = join(dir, 'a.json');
    const a = await ConnectorAvailability.open(file, log);
    await a.set(2, false);
    expect((await ConnectorAvailability.open(file, log)).isOperative(2)).toBe(false);
    expect((await ConnectorAvailability.open(file, log)).isOperative(1)).toBe(true);
    await a.set(2, true);
    expect((await ConnectorAvailability.open(file, log)).isOperative(2)).toBe(true);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ version: 1, inoperative: [] });
  });

  it('a corrupt file means operative, and is replaced on the next change', async () => {
    dir = await mkdtemp(join(tmpdir(), 'evse-avail-'));
    const file = join(dir, 'a.json');
    await writeFile(file, '{"inoperative": [1,');
    const a = await ConnectorAvailability.open(file, log);
    expect(a.isOperative(1)).toBe(true);
    await a.set(1, false);
    expect((await ConnectorAvailability.open(file, log)).isOperative(1)).toBe(false);
  });
});
