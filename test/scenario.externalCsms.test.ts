/**
 * Scenarios against an external CSMS (`--csms ws://…`): here a separately started EmbeddedCsms
 * on 127.0.0.1 that the scenario kit does not control, operated from the test as an operator
 * would. The kit sees only the agent's own traffic log, on real time.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runScenarioCommand } from '../bin/scenarioCommand.js';
import { capturedIo as io } from './support/capturedIo.js';
import { EmbeddedCsms } from '../scenarios/csms/EmbeddedCsms.js';
import { runScenario, type RunOptions } from '../scenarios/kit/run.js';
import { scenario } from '../scenarios/kit/scenario.js';

const SHORT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../scenarios/library/short-session-plug-card-unplug.scenario.ts');
let csms: EmbeddedCsms;
let external: RunOptions;
let dir: string;

beforeEach(async () => {
  csms = new EmbeddedCsms({ pingIntervalMs: 0 });
  const { url } = await csms.start({ host: '127.0.0.1', port: 0 });
  external = { csms: { kind: 'external', url }, timeoutMs: 30_000 };
  dir = await mkdtemp(path.join(tmpdir(), 'evse-scn-ext-'));
});

afterEach(async () => {
  await csms.stop();
  await rm(dir, { recursive: true, force: true });
});


describe('evse scenario run --csms ws://…', () => {
  it('runs a library session against the external CSMS under the given --id; the CSMS recorded it', async () => {
    const c = io();
    const code = await runScenarioCommand([SHORT], { reporter: 'pretty', seed: 1, hal: 'sim', csms: csms.url, id: 'EXT-CP7' }, c);
    expect(code, c.out()).toBe(0);
    expect(c.out()).toMatch(/✓ short session: .*\(real time, \d+ ms wall\)/);
    const txs = csms.transactions('EXT-CP7');
    expect(txs).toHaveLength(1);
    expect(txs[0]).toMatchObject({ idTag: '04A1B2C3' });
    expect(csms.violations()).toEqual([]);
  }, 60_000);

  it('csms.expect passes on what the operator makes the charger do, and fails on a real-time timeout', async () => {
    const operator = (async () => {
      await csms.waitForCall('SCENARIO-CP1', 'StatusNotification', { status: 'Preparing' }, 10_000);
      await csms.call('SCENARIO-CP1', 'RemoteStartTransaction', { connectorId: 1, idTag: 'OPERATOR-1' });
    })();
    const ok = await runScenario(scenario('remote start by the operator', async (t) => {
      await t.ev.plugIn(1);
      const start = await t.csms.expect('StartTransaction', { idTag: 'OPERATOR-1' }, { within: '10s' });
      expect(start.connectorId).toBe(1);
      await t.expect.status(1, 'Charging');
      expect(t.csms.lastTransactionId()).toBe(csms.transactions('SCENARIO-CP1')[0]!.transactionId);
      await t.expect.transactions(1);
    }), external);
    await operator;
    expect(ok.status, JSON.stringify(ok.error)).toBe('passed');
    expect(ok.realTime).toBe(true);
    expect(ok.timeline.some((e) => e.kind === 'ocpp' && e.text.startsWith('← RemoteStartTransaction'))).toBe(true);

    const late = await runScenario(scenario('nobody starts it', async (t) => {
      await t.ev.plugIn(1);
      await t.csms.expect('StartTransaction', undefined, { within: '2s' });
    }), external);
    expect(late.status).toBe('failed');
    expect(late.error).toMatchObject({ type: 'failure', step: 'csms.expect(StartTransaction)', expected: 'a StartTransaction within 2 s', actual: 'no StartTransaction' });
    expect(late.wallMs).toBeGreaterThanOrEqual(2000);
  }, 60_000);

  it('csms.expectNone fails when the operator triggers the call within the window', async () => {
    const operator = (async () => {
      await csms.waitForCall('SCENARIO-CP1', 'StatusNotification', { status: 'Preparing' }, 10_000);
      // The plugIn step ends a second after the plug-in; the window opens then and lasts 5 s.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      await csms.call('SCENARIO-CP1', 'RemoteStartTransaction', { connectorId: 1, idTag: 'SURPRISE' });
    })();
    const r = await runScenario(scenario('no start expected', async (t) => {
      await t.ev.plugIn(1);
      await t.csms.expectNone('StartTransaction', undefined, { within: '5s' });
    }), external);
    await operator;
    expect(r.status).toBe('failed');
    expect(r.error).toMatchObject({ type: 'failure', step: 'csms.expectNone(StartTransaction)' });
    expect(r.error!.actual).toMatch(/StartTransaction .*"idTag":"SURPRISE"/);
  }, 60_000);

  it('refuses before starting a scenario that needs control of the CSMS, naming the steps; the CSMS never sees the charger', async () => {
    const ts = await runScenario(scenario('scripts the CSMS', { cards: { '04A1B2C3': 'Blocked' } }, async (t) => {
      t.csms.respondTo('Authorize', { idTagInfo: { status: 'Blocked' } });
      await t.csms.send('RemoteStartTransaction', { idTag: 'X' });
    }), external);
    expect(ts.error).toMatchObject({ type: 'usage' });
    expect(ts.error!.message).toMatch(/needs control of the CSMS \(options\.cards \(how the CSMS answers Authorize\); csms\.respondTo; csms\.send\), but this run uses the external CSMS ws:\/\/127\.0\.0\.1:\d+/);
    const yaml = path.join(dir, 'control.scenario.yaml');
    await writeFile(yaml, 'name: remote stop\nsteps:\n  - plugIn: 1\n  - send: {action: RemoteStopTransaction, payload: {transactionId: 1}}\n');
    const c = io();
    expect(await runScenarioCommand([yaml], { reporter: 'pretty', seed: 1, hal: 'sim', csms: csms.url }, c)).toBe(1);
    expect(c.out()).toContain(`control.scenario.yaml:4 send), but this run uses the external CSMS ${csms.url}`);
    expect(csms.chargePoints()).toEqual([]);

    // A control step the source scan cannot see is refused by the step itself.
    const hidden = await runScenario(scenario('hidden control', async (t) => {
      const { csms: c2 } = t;
      await c2.disconnect();
    }), external);
    expect(hidden.error).toMatchObject({ type: 'usage' });
    expect(hidden.error!.message).toMatch(/^csms\.disconnect: needs control of the CSMS, but this run uses the external CSMS/);
  }, 60_000);

  it('real time: clock.advance above --max-wait is refused by name; bad --csms and --id values exit 64', async () => {
    const r = await runScenario(scenario('long wait', async (t) => {
      await t.clock.advance('1s');
      await t.clock.advance('30m');
    }), { ...external, maxRealWaitMs: 5000 });
    expect(r.error).toMatchObject({ type: 'usage' });
    expect(r.error!.message).toBe('clock.advance("30m"): 1800 s of real time is above the limit of 5 s per step on real time (serial HAL or external CSMS); shorten the step or raise --max-wait');
    const c = io();
    const base = { reporter: 'pretty', seed: 1, hal: 'sim' };
    expect(await runScenarioCommand([SHORT], { ...base, csms: 'http://127.0.0.1:9000' }, c)).toBe(64);
    expect(await runScenarioCommand([SHORT], { ...base, csms: csms.url, id: 'A/B' }, c)).toBe(64);
    expect(await runScenarioCommand([SHORT], { ...base, csms: csms.url, maxWait: 'soon' }, c)).toBe(64);
    expect(c.err()).toContain("--csms must be 'embedded' or a ws:// or wss:// URL, got 'http://127.0.0.1:9000'");
    expect(c.err()).toContain("--id: 'A/B' is not a charge point id");
    expect(c.err()).toContain('--max-wait: expected a duration');
  }, 30_000);
});
