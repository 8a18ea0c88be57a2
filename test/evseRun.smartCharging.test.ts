/**
 * `evse run` as a process: a charging profile answered Accepted is in the data directory, so a
 * SIGKILL right after SetChargingProfile.conf (a power cut) does not lose it, and the restarted
 * charger offers what it allows from its first session on.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedCsms } from '../scenarios/csms/EmbeddedCsms.js';
import { spawnEvse, type EvseProcess } from './support/spawnEvse.js';

const running: EvseProcess[] = [];
const servers: EmbeddedCsms[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const p of running.splice(0)) if (p.child.exitCode === null) await p.stop('SIGKILL').catch(() => undefined);
  for (const s of servers.splice(0)) await s.stop();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

function start(env: Record<string, string | undefined>): EvseProcess {
  const p = spawnEvse(['run'], { EVSE_LOG_LEVEL: 'warn', ...env });
  running.push(p);
  return p;
}

describe('evse run: charging profiles across a power cut', () => {
  it('keeps a ChargePointMaxProfile through a SIGKILL: the next session is offered its 8 A', async () => {
    const cp = 'PROFILE-CP';
    const csms = new EmbeddedCsms();
    await csms.start({ host: '127.0.0.1' });
    servers.push(csms);
    const dir = await mkdtemp(join(tmpdir(), 'evse-profiles-'));
    dirs.push(dir);
    const env = { EVSE_CSMS_URL: csms.url, EVSE_CHARGE_POINT_ID: cp, EVSE_DATA_DIR: dir, EVSE_SIM_EV_CONNECTED: '1' };
    const first = start(env);
    await csms.waitForCall(cp, 'StatusNotification', { connectorId: 1 }, 15_000);
    const profiles = await csms.call(cp, 'GetConfiguration', { key: ['SupportedFeatureProfiles'] });
    expect(profiles.configurationKey?.[0]?.value?.split(',')).toContain('SmartCharging');
    const max8 = {
      chargingProfileId: 21,
      stackLevel: 0,
      chargingProfilePurpose: 'ChargePointMaxProfile' as const,
      chargingProfileKind: 'Relative' as const,
      chargingSchedule: { chargingRateUnit: 'W' as const, chargingSchedulePeriod: [{ startPeriod: 0, limit: 8 * 230 * 3 }] },
    };
    expect(await csms.call(cp, 'SetChargingProfile', { connectorId: 0, csChargingProfiles: max8 })).toEqual({ status: 'Accepted' });
    expect((await first.stop('SIGKILL')).code).toBe('SIGKILL');

    const since = csms.mark();
    start(env);
    await csms.waitForCall(cp, 'StatusNotification', { connectorId: 1 }, { timeoutMs: 15_000, since });
    const composite = await csms.call(cp, 'GetCompositeSchedule', { connectorId: 1, duration: 3600 });
    expect(composite.chargingSchedule?.chargingSchedulePeriod).toEqual([{ startPeriod: 0, limit: 8 }]);
    await csms.call(cp, 'ChangeConfiguration', { key: 'MeterValuesSampledData', value: 'Current.Offered' });
    expect(await csms.call(cp, 'RemoteStartTransaction', { idTag: 'AFTER-CUT', connectorId: 1 })).toEqual({ status: 'Accepted' });
    await csms.waitForCall(cp, 'StatusNotification', { connectorId: 1, status: 'Charging' }, { timeoutMs: 15_000, since });
    expect(await csms.call(cp, 'TriggerMessage', { requestedMessage: 'MeterValues', connectorId: 1 })).toEqual({ status: 'Accepted' });
    const mv = await csms.waitForCall(cp, 'MeterValues', undefined, { timeoutMs: 15_000, since });
    expect((mv.payload as { meterValue: { sampledValue: { value: string }[] }[] }).meterValue[0]!.sampledValue[0]!.value).toBe('8.0');
  });

  it('repeats a daily profile at its local time of day in the zone of EVSE_TIME_ZONE', async () => {
    const cp = 'LOCAL-TIME-CP';
    const csms = new EmbeddedCsms();
    await csms.start({ host: '127.0.0.1' });
    servers.push(csms);
    const dir = await mkdtemp(join(tmpdir(), 'evse-profiles-'));
    dirs.push(dir);
    start({ EVSE_CSMS_URL: csms.url, EVSE_CHARGE_POINT_ID: cp, EVSE_DATA_DIR: dir, EVSE_TIME_ZONE: 'Europe/Berlin' });
    await csms.waitForCall(cp, 'StatusNotification', { connectorId: 1 }, 15_000);
    // Set up on a summer day: 18:00 CEST. 10 A from 18:00 local, 16 A from 06:00 local.
    const daily = {
      chargingProfileId: 31,
      stackLevel: 0,
      chargingProfilePurpose: 'TxDefaultProfile' as const,
      chargingProfileKind: 'Recurring' as const,
      recurrencyKind: 'Daily' as const,
      chargingSchedule: { chargingRateUnit: 'A' as const, startSchedule: '2026-07-06T16:00:00.000Z', chargingSchedulePeriod: [{ startPeriod: 0, limit: 10 }, { startPeriod: 12 * 3600, limit: 16 }] },
    };
    expect(await csms.call(cp, 'SetChargingProfile', { connectorId: 1, csChargingProfiles: daily })).toEqual({ status: 'Accepted' });
    const composite = await csms.call(cp, 'GetCompositeSchedule', { connectorId: 1, duration: 86_400, chargingRateUnit: 'A' });
    const from = Date.parse(composite.scheduleStart!);
    // Where Berlin's clocks show 06:00 and 18:00 in the next day, found minute by minute with Intl alone.
    const hhmm = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    const expected: { startPeriod: number; limit: number }[] = [];
    for (let t = Math.ceil(from / 60_000) * 60_000; t < from + 86_400_000; t += 60_000) {
      const local = hhmm.format(t);
      if (local === '06:00' || local === '18:00') expected.push({ startPeriod: Math.round((t - from) / 1000), limit: local === '06:00' ? 16 : 10 });
    }
    expected.sort((a, b) => a.startPeriod - b.startPeriod);
    const first = { startPeriod: 0, limit: expected[0]!.limit === 16 ? 10 : 16 };
    expect(composite.chargingSchedule?.chargingSchedulePeriod).toEqual([first, ...expected]);
  });
});
