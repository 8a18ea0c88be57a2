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
      scenario('unsigned firmware', async (t) => {
        await t.csms.send('UpdateFirmware', { location: 'http://127.0.0.1:9/fw.bin', retrieveDate: t.clock.now() });
      }),
      { ocppVersion: '2.0.1' },
    );
    expect(r.status).toBe('failed');
    expect(r.error).toMatchObject({ type: 'usage', message: expect.stringContaining("UpdateFirmware has no OCPP 2.0.1 counterpart in the scenario kit; take the step on 1.6 only (if (t.ocppVersion === '1.6') …; YAML: an 'ocpp 1.6:' block) or give the scenario onlyOcpp: { version: '1.6'") });
    const diagnostics = await runScenario(scenario('1.6 notification', async (t) => t.csms.respondTo('DiagnosticsStatusNotification', {})), { ocppVersion: '2.0.1' });
    expect(diagnostics.error?.message).toContain('DiagnosticsStatusNotification is not sent by an OCPP 2.0.1 charger');
    const event = await runScenario(scenario('2.0.1 message', async (t) => t.csms.failNext('TransactionEvent')), { ocppVersion: '1.6' });
    expect(event.error).toMatchObject({ type: 'usage', message: expect.stringContaining('csms.failNext(TransactionEvent): TransactionEvent is an OCPP 2.0.1 message') });
  });
});

/** The CSMS's answers to the charger's transaction messages, as the wire carried them (in order). */
const answers = (r: Awaited<ReturnType<typeof runScenario>>, action: string) =>
  r.timeline.filter((e) => e.kind === 'ocpp' && e.text.startsWith(`← ${action} `)).map((e) => e.text.slice(`← ${action} `.length));

describe('scripted answers to transaction messages on both versions', () => {
  const refusedAtStart = scenario('the CSMS refuses the card at transaction start', { ocpp: { StopTransactionOnInvalidId: true } }, async (t) => {
    const seen: unknown[] = [];
    t.csms.respondTo('StartTransaction', (request, ctx) => {
      seen.push(request);
      return { ...ctx.defaultReply(), idTagInfo: { status: 'Blocked' } };
    }, { times: 1 });
    await t.ev.plugIn(1);
    await t.rfid.present('04A1B2C3');
    await t.csms.expect('StopTransaction', { reason: 'DeAuthorized' });
    // The reply saw the request in 1.6 words, on either version.
    if (seen.length !== 1 || (seen[0] as { idTag?: string }).idTag !== '04A1B2C3' || (seen[0] as { connectorId?: number }).connectorId !== 1) throw new Error(`the reply saw ${JSON.stringify(seen)}`);
  });

  it('respondTo(StartTransaction) answers a 2.0.1 TransactionEvent Started (idTokenInfo), and only it', async () => {
    const r = await runScenario(refusedAtStart, { ocppVersion: '2.0.1' });
    expect(r.status, report('pretty', [r])).toBe('passed');
    const events = answers(r, 'TransactionEvent');
    expect(events[0]).toBe('✓ {idTokenInfo:{status:"Blocked"}}');
    expect(events.slice(1).every((a) => !a.includes('Blocked')), events.join('\n')).toBe(true);
    expect((await runScenario(refusedAtStart, { ocppVersion: '1.6' })).status).toBe('passed');
  });

  const failedStop = scenario('the CSMS fails the first StopTransaction', { ocpp: { TransactionMessageRetryInterval: 600, MeterValueSampleInterval: 60 } }, async (t) => {
    await t.ev.plugIn(1);
    await t.rfid.present('04A1B2C3');
    await t.csms.expect('StartTransaction');
    t.csms.failNext('StopTransaction', 'InternalError');
    await t.csms.expect('MeterValues', undefined, { within: '2m' });
    await t.rfid.present('04A1B2C3');
    await t.csms.expect('StopTransaction', { reason: 'Local' });
  });

  it('failNext(StopTransaction) fails the 2.0.1 Ended event, not the Updated events before it', async () => {
    const r = await runScenario(failedStop, { ocppVersion: '2.0.1' });
    expect(r.status, report('pretty', [r])).toBe('passed');
    const events = answers(r, 'TransactionEvent');
    expect(events.length).toBeGreaterThanOrEqual(3); // Started, Updated (meter values), Ended
    expect(events.at(-1)).toBe('✗ InternalError "scenario"');
    expect(events.slice(0, -1).every((a) => a.startsWith('✓')), events.join('\n')).toBe(true);
    const on16 = await runScenario(failedStop, { ocppVersion: '1.6' });
    expect(on16.status).toBe('passed');
    expect(answers(on16, 'StopTransaction')).toEqual(['✗ InternalError "scenario"']);
    expect(answers(on16, 'MeterValues').every((a) => a.startsWith('✓'))).toBe(true);
  });

  it("2.0.1's own words: respondTo / failNext of TransactionEvent with a match", async () => {
    const r = await runScenario(
      scenario('TransactionEvent scripted', { onlyOcpp: { version: '2.0.1', reason: 'scripts TransactionEvent answers' }, ocpp: { MeterValueSampleInterval: 60, TransactionMessageRetryInterval: 600 } }, async (t) => {
        t.csms.respondTo('TransactionEvent', { idTokenInfo: { status: 'Accepted', language1: 'de' } }, { match: { eventType: 'Started' } });
        t.csms.failNext('TransactionEvent', 'FormationViolation', { match: (p: { eventType?: string; triggerReason?: string }) => p.eventType === 'Updated' && p.triggerReason === 'MeterValuePeriodic' });
        await t.ev.plugIn(1);
        await t.rfid.present('04A1B2C3');
        await t.csms.expect('StartTransaction');
        await t.clock.advance('3m');
      }),
    );
    expect(r.status, report('pretty', [r])).toBe('passed');
    const events = answers(r, 'TransactionEvent');
    expect(events[0]).toBe('✓ {idTokenInfo:{status:"Accepted", language1:"de"}}');
    // The first periodic Updated is failed (its retry waits 600 s), nothing else.
    expect(events.slice(1)).toEqual(['✗ FormationViolation "scenario"']);
  });
  it('ignoreNext leaves the next StopTransaction unanswered: the charger times out and sends it again (1.6), the Ended event (2.0.1)', async () => {
    const noAnswer = scenario('no answer to the stop', { ocpp: { TransactionMessageRetryInterval: 30 } }, async (t) => {
      await t.ev.plugIn(1);
      await t.rfid.present('04A1B2C3');
      await t.csms.expect('StartTransaction');
      t.csms.ignoreNext('StopTransaction');
      await t.rfid.present('04A1B2C3');
      const stop = await t.csms.expect('StopTransaction', { reason: 'Local' });
      const sentAt = t.clock.elapsed();
      await t.csms.expect('StopTransaction', { reason: 'Local' }, { within: '2m' }); // sent again, answered
      // After the 10 s call timeout and the 30 s retry interval (counted from the stop sent a step before), not before.
      if (t.clock.elapsed() - sentAt < 38_000) throw new Error(`sent again after ${t.clock.elapsed() - sentAt} ms`);
      if (!('transactionId' in stop)) throw new Error('no transactionId');
    });
    const r = await runScenario(noAnswer);
    expect(r.status, report('pretty', [r])).toBe('passed');
    expect(answers(r, 'StopTransaction')).toEqual(['✓ {idTagInfo:{status:"Accepted"}}']);
    // The unanswered call does not hold each virtual second for 3 s of real time (30 s for its timeout).
    expect(r.wallMs).toBeLessThan(15_000);

    const on201 = await runScenario(
      scenario('no answer to the Ended event', { ocpp: { TransactionMessageRetryInterval: 600 } }, async (t) => {
        await t.ev.plugIn(1);
        await t.rfid.present('04A1B2C3');
        await t.csms.expect('StartTransaction');
        t.csms.ignoreNext('StopTransaction');
        await t.rfid.present('04A1B2C3');
        await t.csms.expect('StopTransaction', { reason: 'Local' });
        await t.clock.advance('1m');
      }),
      { ocppVersion: '2.0.1' },
    );
    expect(on201.status, report('pretty', [on201])).toBe('passed');
    const sent = on201.timeline.filter((e) => e.kind === 'ocpp' && e.text.startsWith('→ TransactionEvent '));
    expect(sent.at(-1)!.text).toContain('eventType:"Ended"');
    expect(answers(on201, 'TransactionEvent')).toHaveLength(sent.length - 1); // the Ended event has no answer
    expect(on201.wallMs).toBeLessThan(15_000);
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

describe('version-neutral steps for what the versions say differently', () => {
  const suspends = (suspend: boolean) =>
    scenario('the EV suspends', async (t) => {
      await t.ev.plugIn(1);
      await t.rfid.present('04A1B2C3');
      await t.csms.expectChargingState(1, 'Charging');
      await t.clock.advance('1m');
      if (suspend) await t.ev.suspend(1);
      await t.csms.expectChargingState(1, 'SuspendedEV', { within: '10s' });
      t.note(`on ${t.ocppVersion}`);
    });

  it('csms.expectChargingState reads a 1.6 StatusNotification or a 2.0.1 TransactionEvent chargingState (the EVSE stays Occupied)', async () => {
    for (const ocppVersion of ['1.6', '2.0.1'] as const) {
      const r = await runScenario(suspends(true), { ocppVersion });
      expect(r.status, report('pretty', [r])).toBe('passed');
      expect(r.timeline.some((e) => e.kind === 'note' && e.text === `on ${ocppVersion}`)).toBe(true);
      const wire = r.timeline.filter((e) => e.kind === 'ocpp').map((e) => e.text);
      if (ocppVersion === '2.0.1') {
        expect(wire.some((l) => l.startsWith('→ TransactionEvent {eventType:"Updated"') && l.includes('triggerReason:"ChargingStateChanged"') && l.includes('chargingState:"SuspendedEV"'))).toBe(true);
        expect(wire.some((l) => l.startsWith('→ StatusNotification') && !/connectorStatus:"(Available|Occupied)"/.test(l))).toBe(false);
      } else {
        expect(wire.some((l) => l.startsWith('→ StatusNotification {connectorId:1, status:"SuspendedEV"'))).toBe(true);
      }
    }
  });

  it('fails when the EV does not suspend, naming what each version reported (past the earlier reports: a 1.6 start shows SuspendedEV for an instant)', async () => {
    const on16 = await runScenario(suspends(false), { ocppVersion: '1.6' });
    expect(on16.error).toMatchObject({ step: 'csms.expectChargingState(1, SuspendedEV)', expected: 'the charger to report connector 1 SuspendedEV within 10 s', actual: 'no StatusNotification of Charging, SuspendedEV, SuspendedEVSE for connector 1' });
    const on201 = await runScenario(suspends(false), { ocppVersion: '2.0.1' });
    expect(on201.error).toMatchObject({ step: 'csms.expectChargingState(1, SuspendedEV)', actual: 'no TransactionEvent with a chargingState for EVSE 1' });
    const bad = await runScenario(scenario('bad state', async (t) => t.csms.expectChargingState(1, 'Preparing' as never)));
    expect(bad.error).toMatchObject({ type: 'usage', message: expect.stringContaining('csms.expectChargingState: state must be one of Charging, SuspendedEV, SuspendedEVSE, got "Preparing"') });
  });

  it('UnlockConnector answers in 1.6 words: UnknownConnector is NotSupported; OngoingAuthorizedTransaction (no 1.6 word) as it is', async () => {
    const answers: Record<string, string[]> = {};
    const unlock = scenario('unlock', async (t) => {
      const got = (answers[t.ocppVersion] = [] as string[]);
      got.push((await t.csms.send('UnlockConnector', { connectorId: 2 })).status);
      got.push((await t.csms.send('UnlockConnector', { connectorId: 1 })).status);
      await t.ev.plugIn(1);
      await t.rfid.present('04A1B2C3');
      await t.csms.expect('StartTransaction');
      got.push((await t.csms.send('UnlockConnector', { connectorId: 1 })).status);
    });
    for (const ocppVersion of ['1.6', '2.0.1'] as const) expect((await runScenario(unlock, { ocppVersion })).status).toBe('passed');
    expect(answers).toEqual({ '1.6': ['NotSupported', 'Unlocked', 'Unlocked'], '2.0.1': ['NotSupported', 'Unlocked', 'OngoingAuthorizedTransaction'] });
  });

  it('YAML: transactionId: last names the latest transaction on both versions; expectChargingState', async () => {
    const yaml = [
      'name: remote stop of the latest',
      'steps:',
      '  - plugIn: 1',
      '  - send: { action: RemoteStartTransaction, payload: { connectorId: 1, idTag: APP-1 }, expect: { status: Accepted } }',
      '  - expectChargingState: { connector: 1, state: Charging }',
      '  - send: { action: RemoteStopTransaction, payload: { transactionId: last }, expect: { status: Accepted } }',
      '  - expectCall: { action: StopTransaction, match: { transactionId: last, reason: Remote } }',
      '',
    ].join('\n');
    for (const ocppVersion of ['1.6', '2.0.1'] as const) {
      const r = await runScenario(parseYamlScenario(yaml, 'last.scenario.yaml'), { ocppVersion });
      expect(r.status, report('pretty', [r])).toBe('passed');
      // The stop named the transaction that runs: 1 on 1.6, the station's id on 2.0.1.
      const stop = r.timeline.find((e) => e.kind === 'ocpp' && /^← (RemoteStop|RequestStop)Transaction /.test(e.text))!.text;
      expect(stop).toMatch(ocppVersion === '1.6' ? /\{transactionId:1\}$/ : /\{transactionId:"\d{14}"\}$/);
    }
    const none = await runScenario(parseYamlScenario('name: n\nsteps:\n  - send: { action: RemoteStopTransaction, payload: { transactionId: last } }\n', 'n.scenario.yaml'));
    expect(none.error).toMatchObject({ expected: 'a transaction at the CSMS', actual: 'none' });
    expect(() => parseYamlScenario('name: s\nsteps:\n  - expectChargingState: { state: Suspended }\n', 's.scenario.yaml')).toThrow(/s\.scenario\.yaml:3:5: expectChargingState: state must be one of Charging, SuspendedEV, SuspendedEVSE, got "Suspended" \(did you mean SuspendedEV\?\)/);
  });

  it('YAML: an ocpp <version> block runs on that version only, and the timeline says when it was passed over', async () => {
    const yaml = [
      'name: unlock under a transaction',
      'options: { chargers: 2 }',
      'steps:',
      '  - plugIn: 1',
      '  - present: "04A1B2C3"',
      '  - expectCall: StartTransaction',
      '  - ocpp 1.6:',
      '      - send: { action: UnlockConnector, payload: { connectorId: 1 }, expect: { status: Unlocked } }',
      '      - expectCall: { action: StopTransaction, match: { reason: UnlockCommand } }',
      '  - ocpp 2.0.1:',
      '      - send: { action: UnlockConnector, payload: { connectorId: 1 }, expect: { status: OngoingAuthorizedTransaction } }',
      '      - send: { action: RemoteStopTransaction, payload: { transactionId: last }, expect: { status: Accepted } }',
      '      - charger 2:',
      '          - plugIn: 1',
      '  - expectStatus: { connector: 1, status: Finishing }',
      '',
    ].join('\n');
    for (const ocppVersion of ['1.6', '2.0.1'] as const) {
      const r = await runScenario(parseYamlScenario(yaml, 'v.scenario.yaml'), { ocppVersion });
      expect(r.status, report('pretty', [r])).toBe('passed');
      const other = ocppVersion === '1.6' ? '2.0.1' : '1.6';
      expect(r.timeline.filter((e) => e.kind === 'note').map((e) => e.text)).toContain(`v.scenario.yaml:${ocppVersion === '1.6' ? 10 : 7} the steps for OCPP ${other} are not run: the charger speaks ${ocppVersion}`);
      expect(r.timeline.some((e) => e.text.includes('SCENARIO-CP2: EV plugs in'))).toBe(ocppVersion === '2.0.1');
    }
    const bad = (steps: string) => () => parseYamlScenario(`name: b\noptions: { chargers: 2 }\nsteps:\n${steps}`, 'b.scenario.yaml');
    expect(bad('  - ocpp 2.0:\n      - plugIn: 1\n')).toThrow("b.scenario.yaml:4:5: 'ocpp 2.0:': a version block is 'ocpp 1.6:' or 'ocpp 2.0.1:'");
    expect(bad('  - charger 2:\n      - ocpp 1.6:\n          - plugIn: 1\n')).toThrow("b.scenario.yaml:5:9: 'ocpp 1.6:' inside 'charger 2:': a version block stands at the top level (it may hold 'charger n:' blocks)");
    expect(bad('  - ocpp 1.6:\n      - plugin: 1\n')).toThrow(/b\.scenario\.yaml:5:9: unknown step 'plugin' \(did you mean plugIn\?\)/);
  });
});
