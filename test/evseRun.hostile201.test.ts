/**
 * `evse run` speaking OCPP 2.0.1 as a separate process against the embedded strict CSMS (2.0.1
 * schemas both ways) over a real WebSocket on 127.0.0.1, fed a few hundred hostile frames: broken
 * JSON, unknown message types, 2.0.1 calls with wrong shapes, values out of range and ids that refer
 * to nothing, answers nobody asked for. The station keeps running and charging, answers each call
 * it can read with a CallError or a refusal, and sends nothing that fails the schemas.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedCsms } from '../scenarios/csms/EmbeddedCsms.js';
import { HOSTILE_FRAMES, HOSTILE_IDS } from './support/hostileFrames.js';
import { endRun, spawnEvse, type EvseProcess } from './support/spawnEvse.js';

const CP = 'HOSTILE-201';
/** The version-neutral hostile frames, and 2.0.1 calls with wrong shapes, values out of range and ids that refer to nothing. */
const FRAMES: readonly string[] = [
  ...HOSTILE_FRAMES,
  '[2,"id","Reset",{"type":"Immediate","evseId":-1}]',
  '[2,"id","GetVariables",{"getVariableData":[]}]',
  '[2,"id","GetVariables",{"getVariableData":[{"component":{},"variable":{"name":"x"}}]}]',
  `[2,"id","SetVariables",{"setVariableData":[{"component":{"name":"${'C'.repeat(60)}"},"variable":{"name":"HeartbeatInterval"},"attributeValue":"1"}]}]`,
  '[2,"id","SetVariables",{"setVariableData":[{"component":{"name":"OCPPCommCtrlr"},"variable":{"name":"HeartbeatInterval"},"attributeValue":"-5"}]}]',
  '[2,"id","SetVariables",{"setVariableData":[{"component":{"name":"TxCtrlr"},"variable":{"name":"TxStartPoint"},"attributeValue":"Nowhere"}]}]',
  '[2,"id","RequestStopTransaction",{"transactionId":7}]',
  '[2,"id","RequestStopTransaction",{"transactionId":"no-such-transaction"}]',
  '[2,"id","RequestStartTransaction",{"idToken":{"idToken":"X","type":"Alien"},"remoteStartId":1}]',
  '[2,"id","ChangeAvailability",{"operationalStatus":"Inoperative","evse":{"id":99}}]',
  '[2,"id","UnlockConnector",{"evseId":0,"connectorId":0}]',
  '[2,"id","TriggerMessage",{"requestedMessage":"Everything"}]',
  '[2,"id","GetBaseReport",{"requestId":1,"reportBase":"Secrets"}]',
  '[2,"id","SetChargingProfile",{"evseId":1,"chargingProfile":{"id":1}}]',
  '[2,"id","ClearVariableMonitoring",{"id":[]}]',
  `[2,"id","GetTransactionStatus",{"transactionId":"${'x'.repeat(37)}"}]`,
];

describe('evse run speaking OCPP 2.0.1, fed hostile frames', () => {
  let csms: EmbeddedCsms;
  let agent: EvseProcess;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'evse-hostile201-'));
    csms = new EmbeddedCsms({ ocppVersions: ['2.0.1'] });
    const { url } = await csms.start();
    agent = spawnEvse(['run'], { EVSE_CSMS_URL: url, EVSE_CHARGE_POINT_ID: CP, EVSE_DATA_DIR: dataDir, EVSE_SIM_EV_CONNECTED: '1', EVSE_LOG_LEVEL: 'warn', EVSE_OCPP_VERSION: '2.0.1' });
    await csms.waitForCall201(CP, 'StatusNotification', { evseId: 1 }, 15_000);
  });

  afterAll(() => endRun(agent, csms, dataDir));

  it('keeps running and charging through a few hundred of them, and still answers', async () => {
    expect(csms.ocppVersion(CP)).toBe('2.0.1');
    expect(await csms.call201(CP, 'RequestStartTransaction', { idToken: { idToken: 'APP-1', type: 'Central' }, remoteStartId: 3, evseId: 1 })).toEqual({ status: 'Accepted' });
    const started = await csms.waitForCall201(CP, 'TransactionEvent', { eventType: 'Started' }, 10_000);
    for (let i = 0; i < 310; i++) csms.sendRaw(CP, FRAMES[i % FRAMES.length]!);
    await new Promise((r) => setTimeout(r, 500));
    expect(agent.child.exitCode).toBeNull();
    const { getVariableResult } = await csms.call201(CP, 'GetVariables', { getVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }] });
    // The out-of-range and unknown values were refused, not applied.
    expect(Number(getVariableResult[0]!.attributeValue)).toBeGreaterThan(0);
    const points = await csms.call201(CP, 'GetVariables', { getVariableData: [{ component: { name: 'TxCtrlr' }, variable: { name: 'TxStartPoint' } }] });
    expect(points.getVariableResult[0]!.attributeValue).toBe('PowerPathClosed');
    // The session begun before goes on, and a CSMS-made stop still ends it.
    const { transactionId } = started.payload.transactionInfo;
    expect(await csms.call201(CP, 'RequestStopTransaction', { transactionId })).toEqual({ status: 'Accepted' });
    const ended = await csms.waitForCall201(CP, 'TransactionEvent', { eventType: 'Ended' }, 10_000);
    expect(ended.payload.transactionInfo).toMatchObject({ transactionId, stoppedReason: 'Remote' });
  });

  it('sent only schema-valid messages throughout (answers to the hostile frames aside), and logged no error', () => {
    const ours = csms.violations(CP).filter((v) => v.by === 'chargePoint' && !(v.kind === 'badFrame' && HOSTILE_IDS.has(v.messageId ?? '')));
    expect(ours).toEqual([]);
    expect(agent.stderr()).not.toMatch(/"level":(50|60)/);
  });

  it('exits 0 within 5 s of SIGTERM', async () => {
    const { code, elapsedMs } = await agent.stop('SIGTERM', 8000);
    expect(code).toBe(0);
    expect(elapsedMs).toBeLessThan(5000);
  });
});
