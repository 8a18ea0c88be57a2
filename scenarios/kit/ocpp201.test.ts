/**
 * One scenario on both OCPP versions: steps written in 1.6 words, run on a real 2.0.1 agent over
 * the embedded strict CSMS (virtual time), are said and seen in 2.0.1 (ocpp201Words.ts); a
 * scenario for one version only is skipped on the other, with its reason, by every reporter.
 */
import { describe, expect, it } from 'vitest';
import { report } from './reporters.js';
import { runScenario } from './run.js';
import { scenario } from './scenario.js';
import { parseYamlScenario } from './yaml.js';

const session = scenario('a session in 1.6 words', async (t) => {
  const set = await t.csms.send('ChangeConfiguration', { key: 'MeterValueSampleInterval', value: '300' });
  if (set.status !== 'Accepted') throw new Error(`ChangeConfiguration: ${set.status}`);
  const unknown = await t.csms.send('ChangeConfiguration', { key: 'NoSuchKey', value: '1' });
  if (unknown.status !== 'NotSupported') throw new Error(`unknown key: ${unknown.status}`);
  const got = await t.csms.send('GetConfiguration', { key: ['MeterValueSampleInterval', 'NoSuchKey'] });
  if (got.configurationKey?.[0]?.value !== '300' || got.unknownKey?.[0] !== 'NoSuchKey') throw new Error(`GetConfiguration: ${JSON.stringify(got)}`);
  await t.ev.plugIn(1);
  await t.rfid.present('04A1B2C3');
  await t.csms.expect('Authorize', { idTag: '04A1B2C3' });
  await t.csms.expect('StartTransaction', { connectorId: 1, idTag: '04A1B2C3', meterStart: 0 });
  await t.expect.status(1, 'Charging');
  const id = t.csms.lastTransactionId();
  await t.csms.expect('MeterValues', { connectorId: 1, transactionId: id }, { within: '6m' });
  const stop = await t.csms.send('RemoteStopTransaction', { transactionId: id });
  if (stop.status !== 'Accepted') throw new Error(`RemoteStopTransaction: ${stop.status}`);
  await t.csms.expect('StopTransaction', { transactionId: id, reason: 'Remote' });
  await t.expect.transactions(1);
});

describe('a scenario in 1.6 words on an OCPP 2.0.1 charger', () => {
  it('runs, and the wire carries 2.0.1 (TransactionEvent, Set/GetVariables, RequestStopTransaction)', async () => {
    const r = await runScenario(session, { ocppVersion: '2.0.1' });
    expect(r.status, report('pretty', [r])).toBe('passed');
    expect(r.ocppVersion).toBe('2.0.1');
    const wire = r.timeline.filter((e) => e.kind === 'ocpp').map((e) => e.text);
    for (const action of ['TransactionEvent {eventType:"Started"', 'TransactionEvent {eventType:"Updated"', 'TransactionEvent {eventType:"Ended"', 'SetVariables', 'GetVariables', 'RequestStopTransaction']) {
      expect(wire.some((l) => l.includes(action)), action).toBe(true);
    }
    expect(wire.some((l) => /StartTransaction|StopTransaction|ChangeConfiguration/.test(l.replace(/Request(Start|Stop)Transaction/g, '')))).toBe(false);
  });

  it('runs the same on 1.6', async () => {
    const r = await runScenario(session, { ocppVersion: '1.6' });
    expect(r.status, report('pretty', [r])).toBe('passed');
    expect(r.timeline.some((e) => e.kind === 'ocpp' && e.text.startsWith('→ StartTransaction'))).toBe(true);
  });

  it('refuses a step 2.0.1 has no words for, naming the step and the way out', async () => {
    const r = await runScenario(
      scenario('reserve', async (t) => {
        await t.csms.send('ReserveNow', { connectorId: 1, idTag: 'A', reservationId: 1, expiryDate: '2026-01-01T01:00:00Z' });
      }),
      { ocppVersion: '2.0.1' },
    );
    expect(r.status).toBe('failed');
    expect(r.error).toMatchObject({ type: 'usage', message: expect.stringContaining("ReserveNow has no OCPP 2.0.1 counterpart in the scenario kit; give the scenario onlyOcpp: { version: '1.6'") });
    const started = await runScenario(scenario('start refused', async (t) => t.csms.respondTo('StartTransaction', { transactionId: 1, idTagInfo: { status: 'Invalid' } })), { ocppVersion: '2.0.1' });
    expect(started.error?.message).toContain('StartTransaction is not sent by an OCPP 2.0.1 charger');
  });
});

describe('onlyOcpp', () => {
  const only16 = scenario('for 1.6 only', { onlyOcpp: { version: '1.6', reason: 'checks Preparing on the wire' } }, async (t) => {
    await t.ev.plugIn(1);
    await t.csms.expect('StatusNotification', { connectorId: 1, status: 'Preparing' });
  });

  it('runs on its version by default and is skipped, with the reason, when the run asks for the other', async () => {
    expect((await runScenario(only16)).status).toBe('passed');
    const skipped = await runScenario(only16, { ocppVersion: '2.0.1' });
    expect(skipped).toMatchObject({ status: 'skipped', skipped: 'OCPP 1.6 only: checks Preparing on the wire', ocppVersion: '2.0.1', timeline: [] });
    expect(report('pretty', [skipped])).toBe('- for 1.6 only  (skipped on OCPP 2.0.1: OCPP 1.6 only: checks Preparing on the wire)\n\n0 passed, 0 failed, 1 skipped, 1 scenarios in 0.00 s\n');
    expect(JSON.parse(report('json', [skipped]))).toMatchObject({ passed: 0, failed: 0, skipped: 1 });
    expect(report('junit', [skipped])).toContain('<skipped message="OCPP 1.6 only: checks Preparing on the wire"/>');
    expect(report('junit', [skipped])).toContain('skipped="1"');
  });

  it('a 2.0.1-only scenario runs on 2.0.1 without --ocpp', async () => {
    const r = await runScenario(
      scenario('for 2.0.1 only', { onlyOcpp: { version: '2.0.1', reason: 'looks at the EVSE Occupied' } }, async (t) => {
        await t.ev.plugIn(1);
        await t.csms.expect('StatusNotification', { connectorId: 1, status: 'Occupied' as never });
      }),
    );
    expect(r).toMatchObject({ status: 'passed', ocppVersion: '2.0.1' });
  });

  it('must name a version and a reason, in TypeScript and YAML', () => {
    expect(() => scenario('x', { onlyOcpp: { version: '2.1' as never, reason: 'r' } }, async () => undefined)).toThrow(
      "scenario 'x': options.onlyOcpp must be { version: '1.6' or '2.0.1', reason: why the scenario is for that version only }",
    );
    expect(() => scenario('x', { onlyOcpp: { version: '1.6', reason: ' ' } }, async () => undefined)).toThrow('options.onlyOcpp must be');
    const def = parseYamlScenario("name: y\noptions:\n  onlyOcpp: {version: '1.6', reason: uses ReserveNow}\nsteps:\n  - plugIn: 1\n");
    expect(def.options.onlyOcpp).toEqual({ version: '1.6', reason: 'uses ReserveNow' });
  });
});
