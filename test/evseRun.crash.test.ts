/**
 * `evse run` killed with SIGKILL in the middle of a transaction (a power cut, as far as the
 * process can tell) and started again on the same data directory: the durable journal
 * (<dataDir>/journal.log) lets the new process end that transaction exactly once, reason
 * PowerLoss, and the CSMS never sees a second StartTransaction.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedCsms } from '../scenarios/csms/EmbeddedCsms.js';
import { spawnEvse, type EvseProcess } from './support/spawnEvse.js';

const running: EvseProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const p of running.splice(0)) if (p.child.exitCode === null) await p.stop('SIGKILL').catch(() => undefined);
  for (const c of cleanups.splice(0)) await c();
});

describe('evse run: power loss (SIGKILL) mid-transaction', () => {
  it('ends the interrupted transaction after the restart with PowerLoss: one StartTransaction, one StopTransaction', async () => {
    const csms = new EmbeddedCsms();
    await csms.start();
    cleanups.push(() => csms.stop());
    const dir = await mkdtemp(join(tmpdir(), 'evse-crash-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const cp = 'CRASH-CP';
    const env = { EVSE_CSMS_URL: csms.url, EVSE_CHARGE_POINT_ID: cp, EVSE_DATA_DIR: dir, EVSE_SIM_EV_CONNECTED: '1', EVSE_LOG_LEVEL: 'warn' };
    const launch = () => {
      const p = spawnEvse(['run'], env);
      running.push(p);
      return p;
    };

    const first = launch();
    await csms.waitForCall(cp, 'StatusNotification', { connectorId: 1 }, 15_000);
    await csms.call(cp, 'ChangeConfiguration', { key: 'MeterValueSampleInterval', value: '1' });
    expect(await csms.call(cp, 'RemoteStartTransaction', { connectorId: 1, idTag: 'TAG-K' })).toEqual({ status: 'Accepted' });
    const started = await csms.waitForCall(cp, 'StartTransaction', undefined, 5000);
    await csms.waitFor((r) => r.kind === 'result' && r.action === 'StartTransaction' && r.direction === 'out', 5000);
    await csms.waitForCall(cp, 'MeterValues', undefined, 5000); // charging for a moment
    const { transactionId } = csms.transactions(cp)[0]!;
    expect((await first.stop('SIGKILL')).code).toBe('SIGKILL');
    expect(csms.traffic((r) => r.kind === 'call' && r.action === 'StopTransaction')).toEqual([]);

    const since = csms.mark();
    const second = launch();
    const stop = await csms.waitForCall(cp, 'StopTransaction', undefined, { timeoutMs: 15_000, since });
    expect(stop.payload).toMatchObject({ transactionId, reason: 'PowerLoss' });
    expect(stop.payload.meterStop).toBeGreaterThanOrEqual(started.payload.meterStart);

    // Let the restarted agent settle, then a clean shutdown must not add anything for that session.
    await new Promise((r) => setTimeout(r, 500));
    expect((await second.stop('SIGTERM')).code).toBe(0);
    const calls = (action: string) => csms.traffic((r) => r.direction === 'in' && r.kind === 'call' && r.action === action);
    expect(calls('StartTransaction')).toHaveLength(1);
    expect(calls('StopTransaction')).toHaveLength(1);
    expect(csms.chargePoint(cp)!.unknownStops).toEqual([]);
    expect(csms.transactions(cp).map((t) => [t.transactionId, t.stop?.reason])).toEqual([[transactionId, 'PowerLoss']]);
    expect(csms.violations(cp)).toEqual([]);
  });
});
