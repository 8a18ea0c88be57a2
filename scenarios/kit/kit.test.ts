import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { report } from './reporters.js';
import { loadScenarioFile, runScenario, runScenarioFiles } from './run.js';
import type { ScenarioContext } from './context.js';
import { scenario } from './scenario.js';
import { parseYamlScenario } from './yaml.js';
import { closest, editDistance, parseDuration } from './words.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const failing = path.join(here, 'testdata/fails-on-purpose.scenario.ts');
const typo = path.join(here, 'testdata/typo.scenario.yaml');
const library = path.join(here, '../library');

describe('words', () => {
  it('parses durations with units s/m/h and refuses the rest by name', () => {
    expect(parseDuration('30m', 'x')).toBe(1_800_000);
    expect(parseDuration('1h', 'x')).toBe(3_600_000);
    expect(parseDuration('90s', 'x')).toBe(90_000);
    expect(() => parseDuration('30 minutes', 'clock.advance')).toThrow(/clock.advance: expected a duration/);
  });
  it('suggests the closest known word only for plausible typos', () => {
    expect(editDistance('plugin', 'plugIn')).toBe(0);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(closest('plugin', ['plugIn', 'unplug'])).toBe('plugIn');
    expect(closest('expectStatuss', ['expectStatus', 'expectEnergy'])).toBe('expectStatus');
    expect(closest('teleport', ['plugIn', 'unplug'])).toBeUndefined();
  });
});

describe('runner', () => {
  it('reports a failing scenario as failed, with expected vs actual and at most 20 last events', async () => {
    const [r] = await runScenarioFiles([failing]);
    expect(r!.status).toBe('failed');
    expect(r!.error).toMatchObject({ type: 'failure', step: 'expect.status(1, Faulted)', expected: 'connector 1 Faulted', actual: 'connector 1 Charging' });
    expect(r!.lastEvents!.length).toBeGreaterThan(0);
    expect(r!.lastEvents!.length).toBeLessThanOrEqual(20);
    expect(r!.lastEvents!.some((e) => e.kind === 'ocpp' && e.text.includes('StartTransaction'))).toBe(true);
    expect(r!.lastEvents!.at(-1)).toMatchObject({ kind: 'step', text: 'expect connector 1 Faulted' });
    const text = report('pretty', [r!]);
    expect(text).toMatch(/✗ fails on purpose/);
    expect(text).toMatch(/expected: connector 1 Faulted\n\s+actual:\s+connector 1 Charging/);
    expect(text).toMatch(/last \d+ events:/);
    expect(text).toMatch(/0 passed, 1 failed/);
  });

  it('names the file when a scenario module throws while loading', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'evse-kit-'));
    const file = path.join(dir, 'throws.scenario.mjs');
    await writeFile(file, 'const settings = undefined;\nexport const port = settings.config.port;\nexport default async () => {};\n');
    const [r] = await runScenarioFiles([file]);
    expect(r!.error).toMatchObject({ type: 'usage' });
    expect(r!.error!.message).toBe(`${file}: could not load it as a scenario: Cannot read properties of undefined (reading 'config')`);
  });

  it('is deterministic for a seed: the same timeline twice', async () => {
    const def = await loadScenarioFile(path.join(library, 'csms-offline-during-session.scenario.ts'));
    const a = await runScenario(def, { seed: 7 });
    const b = await runScenario(def, { seed: 7 });
    expect(a.status).toBe('passed');
    expect(b.timeline).toEqual(a.timeline);
  });

  it('names the step and the bad argument of a DSL call', async () => {
    const bad = scenario('bad arguments', async (t) => {
      await t.ev.plugIn(3);
    });
    const r = await runScenario(bad);
    expect(r.status).toBe('failed');
    expect(r.error).toMatchObject({ type: 'usage', step: 'ev.plugIn' });
    expect(r.error!.message).toMatch(/ev\.plugIn: connector must be 1\.\.1, got 3/);
    const r2 = await runScenario(scenario('bad fault', async (t) => t.fault.relay('weld' as never)));
    expect(r2.error!.message).toMatch(/fault\.relay: mode must be one of welded, stuck, clear, got "weld" \(did you mean welded\?\)/);
  });

  it('fails csms.expect on virtual time when the call does not come', async () => {
    const r = await runScenario(scenario('no start without a card', async (t) => {
      await t.ev.plugIn();
      await t.csms.expect('StartTransaction', undefined, { within: '2m' });
    }));
    expect(r.error).toMatchObject({ type: 'failure', expected: 'a StartTransaction within 120 s', actual: 'no StartTransaction' });
    expect(r.virtualMs).toBeGreaterThanOrEqual(120_000);
    expect(r.wallMs).toBeLessThan(3000);
  });
});

describe('charger.ventilation', () => {
  // The EV asks for ventilation (pilot D) whenever it asks for power.
  const ventedEv = { ev: { ventilation: true } } as const;
  const session = async (t: ScenarioContext) => {
    await t.ev.plugIn(1);
    await t.rfid.present('04A1B2C3');
    await t.clock.advance('10s');
  };

  it('true: an EV asking for ventilation charges', async () => {
    const r = await runScenario(scenario('ventilated', { charger: { ...ventedEv, ventilation: true } }, async (t) => {
      await session(t);
      await t.csms.expect('StartTransaction', { connectorId: 1 });
      await t.expect.status(1, 'Charging');
      await t.clock.advance('30m');
      await t.expect.energy('>', 3, 'kWh');
    }));
    expect(r.status, report('pretty', [r])).toBe('passed');
  });

  it('false (the default): the connector faults with the reason and no energy flows', async () => {
    for (const charger of [ventedEv, { ...ventedEv, ventilation: false }]) {
      const r = await runScenario(scenario('not ventilated', { charger }, async (t) => {
        await session(t);
        await t.expect.status(1, 'Faulted');
        await t.csms.expect('StatusNotification', { connectorId: 1, status: 'Faulted', errorCode: 'OtherError', info: 'EV requests ventilation; not supported' });
        await t.clock.advance('30m');
        await t.expect.energy('<', 0.001, 'kWh');
      }));
      expect(r.status, report('pretty', [r])).toBe('passed');
    }
  });

  it('is written in YAML under options.charger, and must be true or false', () => {
    const yaml = (value: string) => `name: v\noptions: { charger: { ventilation: ${value}, ev: { ventilation: true } } }\nsteps:\n  - plugIn: 1\n`;
    expect(parseYamlScenario(yaml('true'), 'v.yaml').options.charger).toMatchObject({ ventilation: true });
    expect(() => parseYamlScenario(yaml('"yes"'), 'v.yaml')).toThrow(/options\.charger\.ventilation must be true or false, got "yes"/);
    expect(() => scenario('v', { charger: { ventilation: 1 as never } }, async () => undefined)).toThrow(/options\.charger\.ventilation must be true or false, got 1/);
  });
});

describe('YAML form', () => {
  it('refuses an unknown step at load with file, line and a suggestion', async () => {
    await expect(loadScenarioFile(typo)).rejects.toThrow(`${typo}:4:5: unknown step 'plugin' (did you mean plugIn?)`);
  });
  it('reports every YAML syntax error of a file at once, each with its own line and column', () => {
    const text = 'name: two mistakes\nsteps:\n  - plugIn: 1\n  - expectStatus: {connector: 1, status: Preparing\n  - advance: 30m\n  - note: "unterminated\n';
    const message = (() => {
      try {
        parseYamlScenario(text, 's.scenario.yaml');
      } catch (err) {
        return (err as Error).message;
      }
      return 'no error';
    })();
    expect(message.split('\n')).toEqual([
      's.scenario.yaml:5:3: YAML syntax: Flow map in block collection must be sufficiently indented and end with a }',
      's.scenario.yaml:7:1: YAML syntax: Missing closing "quote',
    ]);
    expect(() => parseYamlScenario('name: dup\nsteps:\n  - plugIn: 1\nname: again\n', 'd.yaml')).toThrow(/^d\.yaml:4:1: YAML syntax: Map keys must be unique$/);
  });
  it('reports every mistake of a well-formed file at once, not only the first', () => {
    const text = 'name: x\nstep: 1\nsteps:\n  - plugin: 1\n  - advance: 30 minutes\n  - expectStatus: {status: Preparing}\n  - unplug\n';
    expect(() => parseYamlScenario(text, 'm.yaml')).toThrow(
      new RegExp(
        [
          "^m\\.yaml:2:1: unknown key 'step' \\(did you mean steps\\?\\).*",
          "m\\.yaml:4:5: unknown step 'plugin' \\(did you mean plugIn\\?\\).*",
          'm\\.yaml:5:5: advance: duration: expected a duration.*',
          "m\\.yaml:7:5: each step is one 'name: argument' pair.*$",
        ].join('\n'),
      ),
    );
  });
  it('refuses bad arguments with the line and the step usage', () => {
    const text = 'name: x\nsteps:\n  - plugIn: 1\n  - advance: 30 minutes\n';
    expect(() => parseYamlScenario(text, 'x.scenario.yaml')).toThrow(/^x\.scenario\.yaml:4:5: advance: duration: expected a duration.*usage: - advance: 30m/);
    expect(() => parseYamlScenario('name: x\nsteps:\n  - expectStatus: {connector: 1, status: Charing}\n', 'y.yaml')).toThrow(/y\.yaml:3:5: expectStatus: status must be one of .*\(did you mean Charging\?\)/);
    expect(() => parseYamlScenario('name: x\nstep:\n  - plugIn: 1\n', 'z.yaml')).toThrow(/z\.yaml:2:1: unknown key 'step' \(did you mean steps\?\)/);
    expect(() => parseYamlScenario('name: x\nsteps: [\n', 'w.yaml')).toThrow(/^w\.yaml:3:1: YAML syntax: Flow sequence in block collection must be sufficiently indented and end with a \]$/);
  });
  it('reports a failing YAML step with its file and line', async () => {
    const def = parseYamlScenario('name: y\nsteps:\n  - plugIn: 1\n  - expectStatus: {connector: 1, status: Charging}\n', 'y.scenario.yaml');
    const r = await runScenario(def);
    expect(r.error).toMatchObject({ step: 'y.scenario.yaml:4 expectStatus', expected: 'connector 1 Charging', actual: 'connector 1 Preparing' });
  });
});

describe('reporters and the command', () => {
  it('writes JUnit XML and JSON with the failure', async () => {
    const results = await runScenarioFiles([failing, path.join(library, 'ev-suspends.scenario.ts')]);
    const xml = report('junit', results);
    expect(xml).toMatch(/<testsuite name="evse scenarios" tests="2" failures="1"/);
    expect(xml).toMatch(/<failure message="expect.status\(1, Faulted\): expected connector 1 Faulted, got connector 1 Charging" type="failure">/);
    expect(xml).toMatch(/<testcase name="EV suspends and resumes within one transaction"[^>]*\/>/);
    const json = JSON.parse(report('json', results)) as { passed: number; failed: number };
    expect(json).toMatchObject({ passed: 1, failed: 1 });
  });
});
