/**
 * The embedded CSMS with an OCPP 2.0.1 charger: the real Agent speaking 2.0.1 over a real
 * WebSocket on 127.0.0.1, strict validation both ways, virtual time. Also a 1.6 and a 2.0.1
 * charger side by side, the subprotocol choice, and the 2.0.1 rules checked beyond the schemas.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { agentFixture, cleanupAgents, CP } from '../../test/support/agentFixture.js';
import { operatorConsole } from '../../test/support/operatorConsole.js';
import { EmbeddedCsms } from './EmbeddedCsms.js';
import { CsmsTariff } from './CsmsTariff.js';
import { formatMessage } from './formatMessage.js';

afterEach(cleanupAgents);

const CARD = '04A1B2C3D4E5F6';

describe('embedded CSMS with an OCPP 2.0.1 charger', () => {
  it('accepts ocpp2.0.1, answers its calls and keeps the charge point state from them', async () => {
    const f = await agentFixture({ ocppVersion: '2.0.1', ocpp: { MeterValueSampleInterval: 60 } });
    const state = f.csms.chargePoint(CP)!;
    expect(f.csms.ocppVersion(CP)).toBe('2.0.1');
    expect(state.registration).toBe('Accepted');
    expect(state.lastBoot201?.chargingStation.vendorName).toBe('evse-agent');
    expect(state.connectors[1]?.status).toBe('Available');

    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(1000);
    f.sim.rfid.tap(CARD);
    await f.advance(1000);
    const authorize = await f.csms.waitForCall201(CP, 'Authorize', { idToken: { idToken: CARD } });
    expect(authorize.payload.idToken.type).toBe('ISO14443');
    await f.csms.waitForCall201(CP, 'TransactionEvent', { eventType: 'Started' });
    await f.advance(3 * 60_000);
    f.sim.connectors[0]!.ev.unplug();
    await f.advance(5000);
    await f.csms.waitForCall201(CP, 'TransactionEvent', { eventType: 'Ended' });
    await f.advance(0);

    const [tx, ...more] = f.csms.transactions(CP);
    expect(more).toEqual([]);
    expect(tx).toMatchObject({ connectorId: 1, idTag: CARD, idTagStatus: 'Accepted', stop: { reason: 'EVDisconnected' } });
    expect(String(tx!.transactionId)).toBe(tx!.stationTransactionId);
    expect(tx!.stop!.meterStop).toBeGreaterThan(tx!.meterStart);
    expect(tx!.meterValues.length).toBeGreaterThanOrEqual(3); // Begin, periodic samples, End
    expect(tx!.triggerReasons?.[0]).toBe('Authorized');
    expect(tx!.triggerReasons?.at(-1)).toBe('EVCommunicationLost');
    expect(state.connectors[1]?.status).toBe('Available');
    expect(f.csms.violations(CP)).toEqual([]);
    // The traffic printing speaks 2.0.1 too, and masks idTokens as it masks idTags.
    const line = formatMessage(authorize, { utc: true });
    expect(line).toContain('Authorize {idToken:{idToken:"04A1…", type:"ISO14443"}}');
  });

  it('bills the idle time of a 2.0.1 session from its chargingState (SuspendedEV idle, Charging again), as it does from 1.6 statuses', async () => {
    const f = await agentFixture({ ocppVersion: '2.0.1' });
    const tariff = new CsmsTariff(f.csms, { currency: 'EUR', flatFee: 0, kWhPrice: 0, hourPrice: 0, idle: { graceMinutes: 5, hourPrice: 6 } }, () => f.clock.now());
    tariff.attach();
    const ev = f.sim.connectors[0]!.ev;
    ev.plugIn();
    await f.advance(1000);
    f.sim.rfid.tap(CARD);
    await f.advance(1000);
    await f.csms.waitForCall201(CP, 'TransactionEvent', { eventType: 'Started' });
    await f.advance(60_000);
    ev.suspend();
    await f.advance(15 * 60_000, 60_000);
    ev.resume();
    await f.advance(1000);
    await f.csms.waitForCall201(CP, 'TransactionEvent', { triggerReason: 'ChargingStateChanged', transactionInfo: { chargingState: 'Charging' } });
    await f.advance(0);
    const [tx] = f.csms.transactions(CP);
    // 15 min idle, 5 min of grace: 10 min at 6 EUR/h.
    expect(tariff.costOf(tx!.transactionId)).toBe(1);
    expect(f.csms.violations(CP)).toEqual([]);
    tariff.detach();
  });

  it('answers Authorize in 2.0.1 words from the same authorization rule, also for a scripted 1.6-shaped reply', async () => {
    const f = await agentFixture({ ocppVersion: '2.0.1', csms: { authorization: { [CARD]: 'Blocked' } } });
    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(1000);
    f.sim.rfid.tap(CARD);
    await f.advance(1000);
    const answer = await f.csms.waitFor((r) => r.kind === 'result' && r.action === 'Authorize');
    expect(answer.payload).toEqual({ idTokenInfo: { status: 'Blocked' } });
    expect(f.csms.transactions(CP)).toEqual([]);

    f.csms.respondOnce('Authorize', { idTagInfo: { status: 'Accepted' } });
    f.sim.rfid.tap(CARD);
    await f.advance(1000);
    await f.csms.waitForCall201(CP, 'TransactionEvent', { eventType: 'Started' });
    expect(f.csms.violations(CP)).toEqual([]);
  });

  it('calls a 2.0.1 charger with 2.0.1 payloads: GetVariables, RequestStart/StopTransaction', async () => {
    const f = await agentFixture({ ocppVersion: '2.0.1' });
    const vars = await f.csms.call201(CP, 'GetVariables', { getVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }] });
    expect(vars.getVariableResult[0]).toMatchObject({ attributeStatus: 'Accepted' });
    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(1000);
    const start = await f.csms.call201(CP, 'RequestStartTransaction', { idToken: { idToken: 'REMOTE1', type: 'Central' }, remoteStartId: 7, evseId: 1 });
    expect(start.status).toBe('Accepted');
    await f.advance(2000);
    const [tx] = f.csms.transactions(CP);
    expect(tx).toMatchObject({ idTag: 'REMOTE1', connectorId: 1 });
    const stop = await f.csms.call201(CP, 'RequestStopTransaction', { transactionId: tx!.stationTransactionId! });
    expect(stop.status).toBe('Accepted');
    await f.advance(2000);
    expect(f.csms.transaction(tx!.transactionId)?.stop?.reason).toBe('Remote');
    expect(f.csms.violations(CP)).toEqual([]);
  });

  it('serves a 1.6 and a 2.0.1 charger side by side, each in its own version', async () => {
    const v16 = await agentFixture();
    const v201 = await agentFixture({ ocppVersion: '2.0.1' });
    expect(v16.csms.ocppVersion(CP)).toBe('1.6');
    expect(v201.csms.ocppVersion(CP)).toBe('2.0.1');
    expect(v16.sent('BootNotification')[0]).toMatchObject({ chargePointVendor: 'evse-agent' });
  });
});

describe('operator commands on a 2.0.1 charger (the `evse csms` prompt and HTTP API)', () => {
  it('remote start/stop, set/get variables, availability and reset in 2.0.1 calls; 1.6 actions refused with the reason', async () => {
    const f = await agentFixture({ ocppVersion: '2.0.1' });
    const { operator, run } = operatorConsole(f);
    expect(operator.charger(CP)).toMatchObject({ ocppVersion: '2.0.1', vendor: 'evse-agent', model: 'test', connectors: [{ connectorId: 1, status: 'Available' }] });

    expect(await run('set OCPPCommCtrlr.HeartbeatInterval 120')).toEqual({ setVariableResult: [expect.objectContaining({ attributeStatus: 'Accepted' })] });
    expect(await run('get OCPPCommCtrlr.HeartbeatInterval')).toMatchObject({ getVariableResult: [{ attributeStatus: 'Accepted', attributeValue: '120' }] });
    expect(f.config.getInt('HeartbeatInterval')).toBe(120);

    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(1000);
    expect(await run('remote-start CARD-9 1')).toEqual({ status: 'Accepted' });
    await f.advance(2000);
    expect(operator.charger(CP)?.connectors[0]?.transaction).toMatchObject({ idTag: 'CARD-9' });
    expect(await run('availability 1 Inoperative')).toEqual({ status: 'Scheduled' });
    expect(await run('remote-stop')).toEqual({ status: 'Accepted' });
    await f.advance(2000);
    expect(operator.openTransactionIds(CP)).toEqual([]);
    await f.advance(2000);
    expect(f.csms.chargePoint(CP)?.connectors[1]?.status).toBe('Unavailable');

    await expect(operator.send(CP, 'RemoteStartTransaction', { idTag: 'X' })).rejects.toMatchObject({
      kind: 'unknownAction',
      message: 'RemoteStartTransaction is an OCPP 1.6 action; this charge point speaks OCPP 2.0.1',
    });
    await expect(operator.send(CP, 'Reset', { type: 'Soft' })).rejects.toMatchObject({ kind: 'invalidPayload', details: { field: 'type' } });
    expect(f.csms.violations(CP)).toEqual([]);
  });
});

describe('embedded CSMS: subprotocols', () => {
  const handshake = async (csms: EmbeddedCsms, protocols: string[]): Promise<string> => {
    const ws = new WebSocket(`${csms.url}/CP-${protocols.join('-')}`, protocols);
    try {
      return await new Promise<string>((resolve, reject) => {
        ws.once('open', () => resolve(ws.protocol));
        ws.once('unexpected-response', (_req, res) => resolve(`HTTP ${res.statusCode}`));
        ws.once('error', reject);
      });
    } finally {
      ws.terminate();
    }
  };

  it("chooses the charge point's first subprotocol it speaks, and refuses one it does not", async () => {
    const csms = new EmbeddedCsms({ pingIntervalMs: 0 });
    await csms.start();
    try {
      expect(await handshake(csms, ['ocpp2.0.1', 'ocpp1.6'])).toBe('ocpp2.0.1');
      expect(await handshake(csms, ['ocpp1.6', 'ocpp2.0.1'])).toBe('ocpp1.6');
      expect(await handshake(csms, ['ocpp2.1', 'ocpp2.0.1'])).toBe('ocpp2.0.1');
      expect(await handshake(csms, ['ocpp2.1'])).toBe('HTTP 400');
    } finally {
      await csms.stop();
    }
  });

  it('speaks only the versions it is given', async () => {
    const csms = new EmbeddedCsms({ pingIntervalMs: 0, ocppVersions: ['1.6'] });
    await csms.start();
    try {
      expect(await handshake(csms, ['ocpp2.0.1'])).toBe('HTTP 400');
      expect(await handshake(csms, ['ocpp2.0.1', 'ocpp1.6'])).toBe('ocpp1.6');
    } finally {
      await csms.stop();
    }
  });
});

describe('embedded CSMS: 2.0.1 rules beyond the schemas', () => {
  it('reports a seqNo gap, a repeated seqNo that is no resend, an event after Ended and an EVSE Available before its transaction Ended; an unchanged resend is none of these', async () => {
    const { connectStub } = await import('./stubChargePoint.js');
    const csms = new EmbeddedCsms({ pingIntervalMs: 0 });
    await csms.start();
    try {
      const cp = await connectStub(csms.url, 'CP201', { protocols: ['ocpp2.0.1'], strictMode: false }); // the CSMS side is strict
      const t = '2026-01-01T00:00:00.000Z';
      const event = (eventType: string, seqNo: number, triggerReason: string, extra: object = {}) =>
        cp.call('TransactionEvent', { eventType, seqNo, triggerReason, timestamp: t, transactionInfo: { transactionId: 'TX-1' }, ...extra });
      await cp.call('BootNotification', { reason: 'PowerUp', chargingStation: { model: 'm', vendorName: 'v' } });
      await event('Started', 0, 'Authorized', { evse: { id: 1, connectorId: 1 }, idToken: { idToken: 'A', type: 'ISO14443' } });
      await event('Updated', 2, 'MeterValuePeriodic');
      await cp.call('StatusNotification', { timestamp: t, connectorStatus: 'Available', evseId: 1, connectorId: 1 });
      await event('Ended', 3, 'StopAuthorized', { transactionInfo: { transactionId: 'TX-1', stoppedReason: 'Local' } });
      // The same Ended again (its answer lost): a resend, no rule broken; a different event under seqNo 3 breaks one.
      await event('Ended', 3, 'StopAuthorized', { transactionInfo: { transactionId: 'TX-1', stoppedReason: 'Local' } });
      await event('Ended', 3, 'StopAuthorized', { transactionInfo: { transactionId: 'TX-1', stoppedReason: 'Remote' } });
      await event('Updated', 4, 'MeterValuePeriodic');
      await cp.close();
      const rules = csms.violations('CP201').map((v) => `${v.kind}/${v.rule}: ${v.error}`);
      expect(rules).toEqual([
        'ruleBroken/seqNo: TransactionEvent Updated of transaction TX-1: seqNo 2 skips 1 number(s) after 0',
        'ruleBroken/statusOrder: EVSE 1 reported Available while transaction TX-1 had not ended (TransactionEvent Ended must come first)',
        'ruleBroken/transactionOrder: TransactionEvent Ended (seqNo 3) after transaction TX-1 Ended',
        'ruleBroken/seqNo: TransactionEvent Ended of transaction TX-1: seqNo 3 repeats or goes back (after 3)',
        'ruleBroken/transactionOrder: TransactionEvent Updated (seqNo 4) after transaction TX-1 Ended',
      ]);
      const [tx] = csms.transactions('CP201');
      expect(tx).toMatchObject({ stationTransactionId: 'TX-1', transactionId: 1, idTag: 'A', stop: { reason: 'Local' }, resentEvents: 1 });
    } finally {
      await csms.stop();
    }
  });
});
