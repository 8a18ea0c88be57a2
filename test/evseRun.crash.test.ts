/**
 * `evse run` killed with SIGKILL in the middle of a transaction (a power cut, as far as the
 * process can tell) and started again on the same data directory: the durable journal
 * (<dataDir>/journal.log) lets the new process end that transaction exactly once, reason
 * PowerLoss, and the CSMS never sees a second StartTransaction. The simulated meter keeps its
 * register across the kill (<dataDir>/sim-state.json, saved every 5 s and at each contactor
 * change), so the PowerLoss stop carries the energy charged before the cut. With the vendor key
 * ResumeTransactionOnPowerLoss (set by ChangeConfiguration, which must survive the kill too) the
 * transaction goes on instead, under the same transactionId, when the EV is still plugged in.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EmbeddedCsms, TrafficRecord } from '../scenarios/csms/EmbeddedCsms.js';
import type { EvseProcess } from './support/spawnEvse.js';
import { evseRig } from './support/evseRig.js';

const processes = evseRig();
afterEach(processes.release);

const CP = 'CRASH-CP';
/** Energy the sim may lose to a SIGKILL: 5 s unsaved at the EV's 16 A × 3 × 230 V (≈ 15.3 Wh), rounded up. */
const UNSAVED_WH = 20;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface Rig {
  csms: EmbeddedCsms;
  dir: string;
  launch: () => EvseProcess;
  calls: (action: string, since?: number) => TrafficRecord[];
}

async function rig(): Promise<Rig> {
  const csms = await processes.csms();
  const dir = await processes.tempDir('evse-crash-');
  const env = { EVSE_CSMS_URL: csms.url, EVSE_CHARGE_POINT_ID: CP, EVSE_DATA_DIR: dir, EVSE_SIM_EV_CONNECTED: '1' };
  const launch = () => processes.start(env);
  const calls = (action: string, since = 0) => csms.traffic((r) => r.seq > since && r.direction === 'in' && r.kind === 'call' && r.action === action);
  return { csms, dir, launch, calls };
}

/** Starts a session by RemoteStart and lets it charge for `chargeMs`; returns the transaction. */
async function chargeFor(r: Rig, chargeMs: number) {
  await r.csms.waitForCall(CP, 'StatusNotification', { connectorId: 1 }, 15_000);
  await r.csms.call(CP, 'ChangeConfiguration', { key: 'MeterValueSampleInterval', value: '1' });
  expect(await r.csms.call(CP, 'RemoteStartTransaction', { connectorId: 1, idTag: 'TAG-K' })).toEqual({ status: 'Accepted' });
  await r.csms.waitForCall(CP, 'StartTransaction', undefined, 5000);
  await r.csms.waitFor((x) => x.kind === 'result' && x.action === 'StartTransaction' && x.direction === 'out', 5000);
  await r.csms.waitForCall(CP, 'StatusNotification', { connectorId: 1, status: 'Charging' }, 5000);
  await sleep(chargeMs);
  return r.csms.transactions(CP)[0]!;
}

/** Energy register values the CSMS received for a transaction, in order. */
function registers(r: Rig, transactionId: number, since = 0): number[] {
  return r
    .calls('MeterValues', since)
    .filter((c) => (c.payload as { transactionId?: number }).transactionId === transactionId)
    .flatMap((c) => (c.payload as { meterValue: { sampledValue: { value: string; measurand?: string }[] }[] }).meterValue)
    .flatMap((mv) => mv.sampledValue.filter((s) => (s.measurand ?? 'Energy.Active.Import.Register') === 'Energy.Active.Import.Register'))
    .map((s) => Number(s.value));
}

describe('evse run: power loss (SIGKILL) mid-transaction', () => {
  it('ends the interrupted transaction after the restart with PowerLoss and the energy charged before the cut: one start, one stop', async () => {
    const r = await rig();
    const first = r.launch();
    const tx = await chargeFor(r, 6500); // past one periodic save of the sim state
    const beforeKill = registers(r, tx.transactionId).at(-1)!;
    expect(beforeKill).toBeGreaterThan(tx.meterStart);
    expect((await first.stop('SIGKILL')).code).toBe('SIGKILL');
    expect(r.calls('StopTransaction')).toEqual([]);

    const since = r.csms.mark();
    const second = r.launch();
    const stop = await r.csms.waitForCall(CP, 'StopTransaction', undefined, { timeoutMs: 15_000, since });
    expect(stop.payload).toMatchObject({ transactionId: tx.transactionId, reason: 'PowerLoss' });
    // The meter kept its register through the kill (less at most the unsaved interval).
    expect(stop.payload.meterStop).toBeGreaterThan(tx.meterStart);
    expect(stop.payload.meterStop).toBeGreaterThanOrEqual(beforeKill - UNSAVED_WH);

    // Let the restarted agent settle, then a clean shutdown must not add anything for that session.
    await sleep(500);
    expect((await second.stop('SIGTERM')).code).toBe(0);
    expect(r.calls('StartTransaction')).toHaveLength(1);
    expect(r.calls('StopTransaction')).toHaveLength(1);
    expect(r.csms.chargePoint(CP)!.unknownStops).toEqual([]);
    expect(r.csms.transactions(CP).map((t) => [t.transactionId, t.stop?.reason])).toEqual([[tx.transactionId, 'PowerLoss']]);
    expect(r.csms.violations(CP)).toEqual([]);
    // A clean stop saved the world: the EV is still plugged in, the register where the stop read it.
    const state = JSON.parse(await readFile(join(r.dir, 'sim-state.json'), 'utf8')) as { connectors: { meterWh: number; ev: { plugged: boolean } }[] };
    expect(state.connectors[0]!.ev.plugged).toBe(true);
    expect(Math.floor(state.connectors[0]!.meterWh)).toBeGreaterThanOrEqual(stop.payload.meterStop);
  }, 60_000);

  it('with ResumeTransactionOnPowerLoss and the EV still plugged in, the transaction goes on under the same id and ends once', async () => {
    const r = await rig();
    const first = r.launch();
    await r.csms.waitForCall(CP, 'StatusNotification', { connectorId: 1 }, 15_000);
    expect(await r.csms.call(CP, 'ChangeConfiguration', { key: 'ResumeTransactionOnPowerLoss', value: 'true' })).toEqual({ status: 'Accepted' });
    const tx = await chargeFor(r, 6500);
    const beforeKill = registers(r, tx.transactionId).at(-1)!;
    expect((await first.stop('SIGKILL')).code).toBe('SIGKILL');

    const since = r.csms.mark();
    const second = r.launch();
    // The contactor closes again through the normal guard: Charging, and samples under the same id.
    await r.csms.waitForCall(CP, 'StatusNotification', { connectorId: 1, status: 'Charging' }, { timeoutMs: 15_000, since });
    await r.csms.waitForCall(CP, 'MeterValues', { transactionId: tx.transactionId }, { timeoutMs: 5000, since });
    await sleep(1500);
    const after = registers(r, tx.transactionId, since);
    expect(after.length).toBeGreaterThan(0);
    expect(after[0]!).toBeGreaterThanOrEqual(beforeKill - UNSAVED_WH);
    expect(after.at(-1)!).toBeGreaterThan(after[0]!); // still charging
    expect(r.calls('StopTransaction')).toEqual([]);
    // The setting survived the kill (persisted OCPP configuration).
    const cfg = await r.csms.call(CP, 'GetConfiguration', { key: ['ResumeTransactionOnPowerLoss'] });
    expect(cfg.configurationKey).toEqual([{ key: 'ResumeTransactionOnPowerLoss', readonly: false, value: 'true' }]);

    expect(await r.csms.call(CP, 'RemoteStopTransaction', { transactionId: tx.transactionId })).toEqual({ status: 'Accepted' });
    const stop = await r.csms.waitForCall(CP, 'StopTransaction', undefined, { timeoutMs: 5000, since });
    expect(stop.payload).toMatchObject({ transactionId: tx.transactionId, reason: 'Remote' });
    expect(stop.payload.meterStop).toBeGreaterThanOrEqual(after.at(-1)!);
    await sleep(300);
    expect((await second.stop('SIGTERM')).code).toBe(0);
    expect(r.calls('StartTransaction')).toHaveLength(1);
    expect(r.calls('StopTransaction')).toHaveLength(1);
    expect(r.csms.chargePoint(CP)!.unknownStops).toEqual([]);
    expect(r.csms.violations(CP)).toEqual([]);
  }, 60_000);

  it('with ResumeTransactionOnPowerLoss but the EV unplugged during the outage, it is a PowerLoss stop after all', async () => {
    const r = await rig();
    const first = r.launch();
    await r.csms.waitForCall(CP, 'StatusNotification', { connectorId: 1 }, 15_000);
    await r.csms.call(CP, 'ChangeConfiguration', { key: 'ResumeTransactionOnPowerLoss', value: 'true' });
    const tx = await chargeFor(r, 1500);
    expect((await first.stop('SIGKILL')).code).toBe('SIGKILL');
    // The driver unplugs while the charger is dark: the world (sim-state.json) changes meanwhile.
    const file = join(r.dir, 'sim-state.json');
    const state = JSON.parse(await readFile(file, 'utf8')) as { connectors: { ev: { plugged: boolean } }[] };
    state.connectors[0]!.ev.plugged = false;
    await writeFile(file, JSON.stringify(state));

    const since = r.csms.mark();
    const second = r.launch();
    const stop = await r.csms.waitForCall(CP, 'StopTransaction', undefined, { timeoutMs: 15_000, since });
    expect(stop.payload).toMatchObject({ transactionId: tx.transactionId, reason: 'PowerLoss' });
    await sleep(500);
    expect(r.calls('StatusNotification', since).some((c) => (c.payload as { status: string }).status === 'Charging')).toBe(false);
    expect((await second.stop('SIGTERM')).code).toBe(0);
    expect(r.calls('StartTransaction')).toHaveLength(1);
    expect(r.calls('StopTransaction')).toHaveLength(1);
  }, 60_000);
});
