/** `evse scenario run`: exit codes, globs, the report file, and bad flags (serial and external CSMS runs: test/scenario.*.test.ts). */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runScenarioCommand } from './scenarioCommand.js';
import { capturedIo as io } from '../test/support/capturedIo.js';

const failing = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../scenarios/kit/testdata/fails-on-purpose.scenario.ts');

describe('evse scenario run', () => {
  it('exits 1 when a scenario fails, 0 when all pass, 64 for a bad flag or files that are missing or not scenarios, 78 for --hal serial without configured ports', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'evse-scn-'));
    const out = path.join(dir, 'report.xml');
    const base = { reporter: 'junit', seed: 1, hal: 'sim', csms: 'embedded' };
    expect(await runScenarioCommand([failing], { ...base, output: out })).toBe(1);
    expect(await readFile(out, 'utf8')).toMatch(/failures="1"/);
    await writeFile(path.join(dir, 'ok.scenario.yaml'), 'name: plug in\nsteps:\n  - plugIn: 1\n  - expectStatus: {status: Preparing}\n');
    expect(await runScenarioCommand([path.join(dir, '*.scenario.yaml')], { ...base, output: out })).toBe(0);
    expect(await runScenarioCommand([failing], { ...base, hal: 'can' })).toBe(64);
    expect(await runScenarioCommand([failing], { ...base, csms: 'tcp://127.0.0.1:9000' })).toBe(64);
    expect(await runScenarioCommand([failing], { ...base, reporter: 'tap' })).toBe(64);
    const noPorts = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('EVSE_')));
    expect(await runScenarioCommand([failing], { ...base, hal: 'serial' }, { ...process, env: noPorts })).toBe(78);
    expect(await runScenarioCommand([path.join(dir, 'nothing-*.yaml')], base)).toBe(64);
    expect(await runScenarioCommand([out], base)).toBe(64);
  });

  it('checks --output before running (exit 64 naming it) and says where the report went', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'evse-scn-'));
    const base = { reporter: 'junit', seed: 1, hal: 'sim', csms: 'embedded' };
    const bad = io();
    expect(await runScenarioCommand([failing], { ...base, output: '/nonexistent/dir/report.xml' }, bad)).toBe(64);
    expect(bad.err()).toBe('evse scenario run: --output /nonexistent/dir/report.xml: directory /nonexistent/dir does not exist\n');
    expect(bad.out()).toBe('');
    const good = io();
    const out = path.join(dir, 'report.xml');
    expect(await runScenarioCommand([failing], { ...base, output: out }, good)).toBe(1);
    expect(good.out()).toBe(`0 passed, 1 failed; junit report written to ${out}\n`);
  });

  it('--ocpp 2.0.1: the version-neutral scenarios run on 2.0.1, the 1.6-only ones are skipped with their reason (exit 0)', async () => {
    const library = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../scenarios/library');
    const files = ['rfid-start-stop.scenario.ts', 'priced-session-shows-cost.scenario.ts'].map((f) => path.join(library, f));
    const run = io();
    expect(await runScenarioCommand(files, { reporter: 'pretty', seed: 1, hal: 'sim', csms: 'embedded', ocpp: '2.0.1' }, run)).toBe(0);
    expect(run.out()).toMatch(/^✓ RFID card starts and the same card stops a session /m);
    expect(run.out()).toMatch(/^- Priced session: price, cost so far, idle fee after the stop, total {2}\(skipped on OCPP 2\.0\.1: OCPP 1\.6 only: the idle fee after the stop and ConnectorUnplugged are the OCA extension for 1\.6/m);
    expect(run.out()).toMatch(/^1 passed, 0 failed, 1 skipped, 2 scenarios in /m);
  });
});
