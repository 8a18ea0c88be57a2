/**
 * Scenarios with several chargers: each a real Agent with its own simulated hardware on one
 * embedded strict CSMS (real WebSockets on 127.0.0.1), virtual time.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile, runScenario } from '../scenarios/kit/run.js';
import { scenario } from '../scenarios/kit/scenario.js';
import { parseYamlScenario } from '../scenarios/kit/yaml.js';

const library = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../scenarios/library');

describe('multi-charger scenarios', () => {
  it('each charger is its own agent on the same CSMS; a failed expectation names the charger', async () => {
    const r = await runScenario(scenario('two chargers', { chargers: 2, ids: ['SITE-A', 'SITE-B'] }, async (t) => {
      expect(t.chargers).toBe(2);
      expect([t.id, t.charger(1).id, t.charger(2).id]).toEqual(['SITE-A', 'SITE-A', 'SITE-B']);
      await t.charger(2).ev.plugIn(1);
      await t.charger(2).expect.status(1, 'Preparing');
      await t.expect.status(1, 'Available'); // charger 1 saw nothing
      await t.charger(2).rfid.present('04A1B2C3');
      await t.charger(2).csms.expect('StartTransaction', { idTag: '04A1B2C3' });
      await t.expect.transactions(0);
      await t.charger(2).expect.transactions(1);
      await t.charger(1).expect.status(1, 'Charging');
    }));
    expect(r.status).toBe('failed');
    expect(r.error).toMatchObject({ type: 'failure', step: 'expect.status(1, Charging)', expected: 'connector 1 Charging', actual: 'connector 1 Available' });
    expect(r.timeline.some((e) => e.kind === 'status' && e.text === 'SITE-B connector 1: Charging')).toBe(true);
    expect(r.timeline.some((e) => e.kind === 'ocpp' && e.text.startsWith('SITE-B → StartTransaction'))).toBe(true);

    const r2 = await runScenario(scenario('second fails', { chargers: 2 }, async (t) => {
      await t.charger(2).expect.status(1, 'Charging');
    }));
    expect(r2.error).toMatchObject({ step: 'charger(2).expect.status(1, Charging)', actual: 'connector 1 Available' });
  });

  it('refuses a charger the site does not have, and bad options, by name', async () => {
    const r = await runScenario(scenario('three?', { chargers: 2 }, async (t) => {
      await t.charger(3).ev.plugIn(1);
    }));
    expect(r.error).toMatchObject({ type: 'usage' });
    expect(r.error!.message).toMatch(/^charger\(3\): the site has charger\(s\) 1\.\.2/);
    const bad = await runScenario(scenario('bad connector', { chargers: 2 }, async (t) => t.charger(2).ev.plugIn(2)));
    expect(bad.error!.message).toMatch(/^charger\(2\)\.ev\.plugIn: connector must be 1\.\.1, got 2/);
    expect(() => scenario('x', { chargers: 0 }, async () => undefined)).toThrow(/options\.chargers must be an integer 1\.\.16, got 0/);
    expect(() => scenario('x', { chargers: 2, ids: ['ONLY-ONE'] }, async () => undefined)).toThrow(/options\.ids must list 2 charge point id/);
  });

  it('YAML: charger blocks are checked at load (range, nesting, site-wide steps) with file, line and column', () => {
    const head = 'name: x\noptions: {chargers: 2}\nsteps:\n';
    expect(() => parseYamlScenario(`${head}  - charger 3:\n      - plugIn: 1\n`, 'a.yaml')).toThrow(/^a\.yaml:4:5: 'charger 3:': the scenario has charger\(s\) 1\.\.2/);
    expect(() => parseYamlScenario(`${head}  - charger 2:\n      - advance: 1m\n`, 'b.yaml')).toThrow(/^b\.yaml:5:9: advance acts on the whole site: put it outside the 'charger 2:' block/);
    expect(() => parseYamlScenario(`${head}  - charger 2:\n      - charger 1:\n          - plugIn: 1\n`, 'c.yaml')).toThrow(/^c\.yaml:5:9: 'charger 1:' inside 'charger 2:': blocks do not nest/);
    expect(() => parseYamlScenario(`${head}  - charger 2: plugIn\n`, 'd.yaml')).toThrow(/^d\.yaml:4:5: 'charger 2:' takes a list of steps/);
    expect(() => parseYamlScenario('name: x\noptions: {chargers: 99}\nsteps:\n  - plugIn: 1\n', 'e.yaml')).toThrow(/^e\.yaml:2:10: options\.chargers must be an integer 1\.\.16, got 99/);
    expect(() => parseYamlScenario(`${head}  - charger 2:\n      - plugin: 1\n`, 'f.yaml')).toThrow(/^f\.yaml:5:9: unknown step 'plugin' \(did you mean plugIn\?\)/);
  });

  it('YAML: a failing step inside a block names its own line', async () => {
    const def = parseYamlScenario('name: y\noptions: {chargers: 2}\nsteps:\n  - charger 2:\n      - plugIn: 1\n      - expectStatus: {status: Charging}\n', 'y.yaml');
    const r = await runScenario(def);
    expect(r.error).toMatchObject({ type: 'failure', step: 'y.yaml:6 expectStatus', expected: 'connector 1 Charging', actual: 'connector 1 Preparing' });
  });

  it('is deterministic per seed with two agents, and refuses several chargers on a serial bench', async () => {
    const def = await loadScenarioFile(path.join(library, 'same-card-two-chargers-concurrent-tx.scenario.ts'));
    const a = await runScenario(def, { seed: 3 });
    const b = await runScenario(def, { seed: 3 });
    expect(a.status, JSON.stringify(a.error)).toBe('passed');
    expect(b.timeline).toEqual(a.timeline);
    const serial = await runScenario(def, { hal: { kind: 'serial', bench: () => Promise.reject(new Error('not reached')) } });
    expect(serial.error!.message).toMatch(/^--hal serial: the scenario has 2 chargers, but a serial bench wires one charger's devices/);
  });
});
