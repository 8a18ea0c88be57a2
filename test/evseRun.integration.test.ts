/**
 * `evse run` as a separate process against the embedded strict CSMS over a real WebSocket on
 * 127.0.0.1: the flow an operator's CSMS puts a charger through, plus hostile input and shutdown.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedCsms } from '../scenarios/csms/EmbeddedCsms.js';
import { HOSTILE_FRAMES, HOSTILE_IDS } from './support/hostileFrames.js';
import { endRun, spawnEvse, type EvseProcess } from './support/spawnEvse.js';

const CP = 'IT-CP1';
/** Message ids whose answers are not the station's faults: the hostile frames', and the unknown and malformed calls below. */
const HOSTILE = new Set([...HOSTILE_IDS, 'unknown-1', 'bad-1']);

function energyOf(payload: { meterValue: { sampledValue: { measurand?: string; value: string }[] }[] }): number | undefined {
  const v = payload.meterValue.flatMap((m) => m.sampledValue).find((s) => (s.measurand ?? 'Energy.Active.Import.Register') === 'Energy.Active.Import.Register');
  return v ? Number(v.value) : undefined;
}

describe('evse run against a strict CSMS', () => {
  let csms: EmbeddedCsms;
  let agent: EvseProcess;
  let dataDir: string;
  let url: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'evse-run-'));
    csms = new EmbeddedCsms();
    ({ url } = await csms.start());
    agent = spawnEvse(['run'], {
      EVSE_CSMS_URL: url,
      EVSE_CHARGE_POINT_ID: CP,
      EVSE_DATA_DIR: dataDir,
      EVSE_SIM_EV_CONNECTED: '1',
      EVSE_LOG_LEVEL: 'warn',
    });
    await csms.waitForCall(CP, 'StatusNotification', { connectorId: 1 }, 15_000);
  });

  afterAll(() => endRun(agent, csms, dataDir));

  it('boots with the configured identity and reports the plugged-in connector as Preparing', async () => {
    const boot = await csms.waitForCall(CP, 'BootNotification');
    expect(boot.payload).toMatchObject({ chargePointVendor: 'evse-agent', chargePointSerialNumber: expect.any(String) });
    await csms.waitForCall(CP, 'StatusNotification', { connectorId: 1, status: 'Preparing', errorCode: 'NoError' }, 5000);
    await csms.waitForCall(CP, 'StatusNotification', { connectorId: 0, status: 'Available' }, 5000);
  });

  it('answers GetConfiguration for all keys, for chosen keys and for unknown keys', async () => {
    const all = await csms.call(CP, 'GetConfiguration', {});
    const keys = all.configurationKey?.map((k) => k.key) ?? [];
    expect(keys).toEqual(expect.arrayContaining(['HeartbeatInterval', 'MeterValueSampleInterval', 'NumberOfConnectors', 'SupportedFeatureProfiles']));
    expect(all.configurationKey?.find((k) => k.key === 'NumberOfConnectors')).toMatchObject({ readonly: true, value: '1' });
    const some = await csms.call(CP, 'GetConfiguration', { key: ['HeartbeatInterval', 'NoSuchKey'] });
    expect(some.configurationKey?.map((k) => k.key)).toEqual(['HeartbeatInterval']);
    expect(some.unknownKey).toEqual(['NoSuchKey']);
  });

  it('ChangeConfiguration: known key Accepted and applied, unknown NotSupported, read-only and invalid Rejected', async () => {
    expect(await csms.call(CP, 'ChangeConfiguration', { key: 'MeterValueSampleInterval', value: '1' })).toEqual({ status: 'Accepted' });
    expect(await csms.call(CP, 'ChangeConfiguration', { key: 'NoSuchKey', value: '1' })).toEqual({ status: 'NotSupported' });
    expect(await csms.call(CP, 'ChangeConfiguration', { key: 'NumberOfConnectors', value: '4' })).toEqual({ status: 'Rejected' });
    expect(await csms.call(CP, 'ChangeConfiguration', { key: 'HeartbeatInterval', value: 'soon' })).toEqual({ status: 'Rejected' });
    const after = await csms.call(CP, 'GetConfiguration', { key: ['MeterValueSampleInterval'] });
    expect(after.configurationKey?.[0]?.value).toBe('1');
  });

  it('TriggerMessage: Accepted, then the triggered message follows', async () => {
    const since = csms.mark();
    expect(await csms.call(CP, 'TriggerMessage', { requestedMessage: 'Heartbeat' })).toEqual({ status: 'Accepted' });
    await csms.waitForCall(CP, 'Heartbeat', undefined, { timeoutMs: 5000, since });
    expect(await csms.call(CP, 'TriggerMessage', { requestedMessage: 'StatusNotification', connectorId: 1 })).toEqual({ status: 'Accepted' });
    await csms.waitForCall(CP, 'StatusNotification', { connectorId: 1 }, { timeoutMs: 5000, since });
    expect(await csms.call(CP, 'TriggerMessage', { requestedMessage: 'StatusNotification', connectorId: 7 })).toEqual({ status: 'Rejected' });
  });

  it('answers an unknown action with NotImplemented and a malformed payload with a CallError, and keeps running', async () => {
    const since = csms.mark();
    csms.sendRaw(CP, [2, 'unknown-1', 'MakeCoffee', {}]);
    const unknown = await csms.waitFor((r) => r.messageId === 'unknown-1' && r.direction === 'in', { timeoutMs: 5000, since });
    expect(unknown.kind).toBe('error');
    expect(unknown.payload).toMatchObject({ errorCode: 'NotImplemented' });
    csms.sendRaw(CP, [2, 'bad-1', 'RemoteStartTransaction', { connectorId: 'one' }]);
    const bad = await csms.waitFor((r) => r.messageId === 'bad-1' && r.direction === 'in', { timeoutMs: 5000, since });
    expect(bad.kind).toBe('error');
    expect(['FormationViolation', 'TypeConstraintViolation', 'PropertyConstraintViolation', 'OccurenceConstraintViolation', 'ProtocolError']).toContain(
      (bad.payload as { errorCode: string }).errorCode,
    );
    expect(await csms.call(CP, 'GetConfiguration', { key: ['HeartbeatInterval'] })).toHaveProperty('configurationKey');
  });

  it('RemoteStart → StartTransaction → rising MeterValues → RemoteStop → StopTransaction with meterStop > meterStart', async () => {
    const since = csms.mark();
    expect(await csms.call(CP, 'RemoteStartTransaction', { connectorId: 1, idTag: 'REMOTE-01' })).toEqual({ status: 'Accepted' });
    const start = await csms.waitForCall(CP, 'StartTransaction', { connectorId: 1, idTag: 'REMOTE-01' }, { timeoutMs: 5000, since });
    await csms.waitForCall(CP, 'StatusNotification', { connectorId: 1, status: 'Charging' }, { timeoutMs: 5000, since });
    await csms.waitFor((r) => r.kind === 'result' && r.action === 'StartTransaction' && r.direction === 'out', { timeoutMs: 5000, since });
    const tx = csms.transactions(CP).at(-1)!;
    const first = await csms.waitForCall(CP, 'MeterValues', (p) => p.transactionId === tx.transactionId, { timeoutMs: 5000, since });
    const second = await csms.waitForCall(CP, 'MeterValues', (p) => p.transactionId === tx.transactionId, { timeoutMs: 5000, since: first.seq });
    expect(energyOf(second.payload)!).toBeGreaterThan(energyOf(first.payload)!);
    expect(await csms.call(CP, 'RemoteStopTransaction', { transactionId: tx.transactionId })).toEqual({ status: 'Accepted' });
    const stop = await csms.waitForCall(CP, 'StopTransaction', { transactionId: tx.transactionId }, { timeoutMs: 5000, since });
    expect(stop.payload.reason).toBe('Remote');
    expect(stop.payload.meterStop).toBeGreaterThan(start.payload.meterStart);
    await csms.waitForCall(CP, 'StatusNotification', { connectorId: 1, status: 'Finishing' }, { timeoutMs: 5000, since });
    expect(await csms.call(CP, 'RemoteStopTransaction', { transactionId: tx.transactionId })).toEqual({ status: 'Rejected' });
  });

  it('ChangeAvailability: Inoperative makes the connector Unavailable, Operative brings it back', async () => {
    const since = csms.mark();
    expect(await csms.call(CP, 'ChangeAvailability', { connectorId: 1, type: 'Inoperative' })).toEqual({ status: 'Accepted' });
    await csms.waitForCall(CP, 'StatusNotification', { connectorId: 1, status: 'Unavailable' }, { timeoutMs: 5000, since });
    expect(await csms.call(CP, 'ChangeAvailability', { connectorId: 1, type: 'Operative' })).toEqual({ status: 'Accepted' });
    await csms.waitForCall(CP, 'StatusNotification', (p) => p.connectorId === 1 && p.status !== 'Unavailable', { timeoutMs: 5000, since });
    expect(await csms.call(CP, 'ChangeAvailability', { connectorId: 9, type: 'Inoperative' })).toEqual({ status: 'Rejected' });
  });

  it('survives a few hundred hostile frames and still answers', async () => {
    const frames: readonly string[] = [
      ...HOSTILE_FRAMES,
      '[2,"id","ChangeConfiguration",{"key":1}]',
      '[2,"id","GetConfiguration",{"key":"HeartbeatInterval"}]',
      '[2,"id","RemoteStopTransaction",{"transactionId":"1"}]',
      '[2,"id","UnlockConnector",{"connectorId":-1}]',
    ];
    for (let i = 0; i < 300; i++) csms.sendRaw(CP, frames[i % frames.length]!);
    await new Promise((r) => setTimeout(r, 500));
    expect(agent.child.exitCode).toBeNull();
    expect(await csms.call(CP, 'GetConfiguration', { key: ['HeartbeatInterval'] })).toHaveProperty('configurationKey');
  });

  it('Reset Soft: reconnects and sends a new BootNotification', async () => {
    const since = csms.mark();
    const connectionsBefore = csms.chargePoint(CP)!.connections;
    expect(await csms.call(CP, 'Reset', { type: 'Soft' })).toEqual({ status: 'Accepted' });
    await csms.waitForCall(CP, 'BootNotification', undefined, { timeoutMs: 10_000, since });
    expect(csms.chargePoint(CP)!.connections).toBe(connectionsBefore + 1);
    await csms.waitForCall(CP, 'StatusNotification', { connectorId: 1 }, { timeoutMs: 5000, since });
  });

  it('sent only schema-valid messages throughout (answers to the hostile frames aside)', () => {
    const ours = csms.violations(CP).filter((v) => v.by === 'chargePoint' && !(v.kind === 'badFrame' && HOSTILE.has(v.messageId ?? '')));
    expect(ours).toEqual([]);
  });

  it('exits 0 within 5 s of SIGTERM', async () => {
    const { code, elapsedMs } = await agent.stop('SIGTERM', 8000);
    expect(code).toBe(0);
    expect(elapsedMs).toBeLessThan(5000);
  });
});
