import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { VariableMonitorStore, type MonitoringState } from './VariableMonitorStore.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});
async function file(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'monitors-'));
  dirs.push(d);
  return join(d, 'variable-monitors.json');
}

const STATE: MonitoringState = {
  base: 'FactoryDefault',
  level: 4,
  nextId: 3,
  monitors: [
    { id: 1, kind: 'CustomMonitor', evseId: 1, variable: 'Power', type: 'UpperThreshold', value: 7000, severity: 2, transaction: false },
    { id: 1_000_001, kind: 'PreconfiguredMonitor', evseId: 1, variable: 'Current', type: 'UpperThreshold', value: 16, severity: 3, transaction: true },
  ],
};

describe('VariableMonitorStore', () => {
  it('starts with the factory settings, and a reopened store has what was saved', async () => {
    const path = await file();
    const a = await VariableMonitorStore.open(path, pino({ level: 'silent' }));
    expect(a.state).toEqual({ base: 'All', level: 9, nextId: 1, monitors: [] });
    expect(await a.save(STATE)).toBe(true);
    expect((await VariableMonitorStore.open(path, pino({ level: 'silent' }))).state).toEqual(STATE);
  });

  it('an unreadable file: the factory settings, and the reason logged', async () => {
    const path = await file();
    await writeFile(path, JSON.stringify({ version: 1, base: 'All', level: 9, nextId: 2, monitors: [{ id: 1, kind: 'CustomMonitor', evseId: 1, variable: 'Power', type: 'Sometimes', value: 1, severity: 1, transaction: false }] }));
    const lines: string[] = [];
    const log = pino({ level: 'error' }, { write: (line: string) => void lines.push(line) });
    const store = await VariableMonitorStore.open(path, log);
    expect(store.state).toEqual({ base: 'All', level: 9, nextId: 1, monitors: [] });
    expect(lines.join('')).toMatch(/cannot read the variable monitors/);
  });
});
