/**
 * `evse sessions` on the session history `evse run` keeps: the built binary, a real data directory
 * and the embedded strict CSMS on 127.0.0.1. `evse run` with two simulated connectors runs a
 * complete session and a second one that is cut off by SIGKILL; after the restart the history shows
 * both once: the completed one exactly as before the kill, the cut one ended by the PowerLoss stop.
 * Also: the export formats, `--since`, and bad options (exit 64, one line).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../hal/clock.js';
import { SessionHistory } from '../agent/store/SessionHistory.js';
import type { SessionRecord } from '../agent/store/usageTypes.js';
import type { SessionsReport } from '../bin/sessionsCommand.js';
import { spawnEvse } from './support/spawnEvse.js';
import { evseRig } from './support/evseRig.js';

const processes = evseRig();
afterEach(processes.release);

const CP = 'USAGE-CP';
const H = 3_600_000;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const tempDir = () => processes.tempDir('evse-sessions-');

/** Runs `evse sessions` to the end: exit code, stdout, stderr. */
async function sessions(args: string[], env: Record<string, string> = {}): Promise<{ code: number | string; stdout: string; stderr: string }> {
  const p = spawnEvse(['sessions', ...args], env);
  const code = await p.exited;
  return { code, stdout: p.stdout(), stderr: p.stderr() };
}

async function report(dir: string): Promise<SessionsReport> {
  const r = await sessions(['--data-dir', dir, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as SessionsReport;
}

/** Polls `evse sessions --json` until `ok` holds (bounded). */
async function reportUntil(dir: string, ok: (r: SessionsReport) => boolean, ms = 10_000): Promise<SessionsReport> {
  const until = performance.now() + ms;
  for (;;) {
    const r = await report(dir);
    if (ok(r) || performance.now() > until) return r;
    await sleep(200);
  }
}

describe('evse sessions after evse run', () => {
  it('a SIGKILL mid-session: after the restart both sessions are there once, the completed one intact, the cut one ended PowerLoss', async () => {
    const csms = await processes.csms();
    const dir = await tempDir();
    // Both connectors with an EV plugged in (the simulated world of evse run, bin/simState.ts).
    const ev = { plugged: true, soc: 0.3 };
    await writeFile(join(dir, 'sim-state.json'), JSON.stringify({ version: 1, connectors: [{ connectorId: 1, meterWh: 1000, ev }, { connectorId: 2, meterWh: 2000, ev }] }));
    const env = { EVSE_CSMS_URL: csms.url, EVSE_CHARGE_POINT_ID: CP, EVSE_DATA_DIR: dir, EVSE_CONNECTORS: '2' };
    const launch = () => processes.start(env);
    const charge = async (connectorId: number, idTag: string) => {
      expect(await csms.call(CP, 'RemoteStartTransaction', { connectorId, idTag })).toEqual({ status: 'Accepted' });
      await csms.waitForCall(CP, 'StatusNotification', { connectorId, status: 'Charging' }, 10_000);
      await sleep(1500);
      return csms.transactions(CP).find((t) => t.connectorId === connectorId && !t.stop)!;
    };

    const first = launch();
    await csms.waitForCall(CP, 'StatusNotification', { connectorId: 2 }, 15_000);
    // Connector 1: a whole session (the EV stays plugged in: its idle time is still running).
    const tx1 = await charge(1, 'TAG-ONE');
    expect(await csms.call(CP, 'RemoteStopTransaction', { transactionId: tx1.transactionId })).toEqual({ status: 'Accepted' });
    const stop1 = await csms.waitForCall(CP, 'StopTransaction', { transactionId: tx1.transactionId }, 5000);
    // Connector 2: charging when the power goes.
    const tx2 = await charge(2, 'TAG-TWO');
    const before = await reportUntil(dir, (r) => r.sessions.length === 2 && r.sessions[0]!.stopReason === 'Remote');
    expect(before.sessions.map((s) => [s.connectorId, s.state, s.stopReason])).toEqual([
      [1, 'stopped', 'Remote'],
      [2, 'active', null],
    ]);
    const completed = before.sessions[0]!;
    expect(completed).toMatchObject({
      transactionId: tx1.transactionId,
      startedAt: new Date(Date.parse(tx1.startTimestamp)).toISOString(),
      stoppedAt: new Date(Date.parse(stop1.payload.timestamp)).toISOString(),
      energyWh: stop1.payload.meterStop - tx1.meterStart,
      interrupted: false,
    });
    expect(completed.energyWh).toBeGreaterThan(0);
    expect(completed.chargingS).toBeGreaterThan(0);

    expect((await first.stop('SIGKILL')).code).toBe('SIGKILL');
    const killedAt = Date.now();
    // The driver on connector 2 unplugs while the charger is dark.
    const world = JSON.parse(await readFile(join(dir, 'sim-state.json'), 'utf8')) as { connectors: { ev: { plugged: boolean } }[] };
    world.connectors[1]!.ev.plugged = false;
    await writeFile(join(dir, 'sim-state.json'), JSON.stringify(world));
    const since = csms.mark();
    const second = launch();
    const stop2 = await csms.waitForCall(CP, 'StopTransaction', { transactionId: tx2.transactionId }, { timeoutMs: 15_000, since });
    expect(stop2.payload.reason).toBe('PowerLoss');
    const after = await reportUntil(dir, (r) => r.sessions[1]?.state === 'complete');

    expect(after.sessions.map((s) => s.id)).toEqual(before.sessions.map((s) => s.id)); // none lost, none twice
    expect(after.sessions[0]).toEqual(completed);
    expect(after.sessions[1]).toMatchObject({
      id: before.sessions[1]!.id,
      connectorId: 2,
      transactionId: tx2.transactionId,
      state: 'complete',
      stopReason: 'PowerLoss',
      energyWh: stop2.payload.meterStop - tx2.meterStart,
      interrupted: true,
    });
    // It left while nobody watched: at the last sign of life before the kill, not at the restart.
    const left = Date.parse(after.sessions[1]!.unpluggedAt!);
    expect(left).toBeGreaterThanOrEqual(Date.parse(after.sessions[1]!.startedAt));
    expect(left).toBeLessThanOrEqual(killedAt);
    expect(after.summary).toMatchObject({ connectors: 2, sessions: 2 });
    expect(after.summary.energyKWh).toBeCloseTo((completed.energyWh! + after.sessions[1]!.energyWh!) / 1000, 3);

    // A clean stop adds nothing and changes neither.
    expect((await second.stop('SIGTERM')).code).toBe(0);
    const last = await report(dir);
    expect(last.sessions.map((s) => [s.id, s.stopReason, s.energyWh])).toEqual(after.sessions.map((s) => [s.id, s.stopReason, s.energyWh]));
    const table = await sessions(['--data-dir', dir]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^USAGE-CP: .+sessions\.log\)$/m);
    expect(table.stdout).toMatch(/ 1 +stopped +.*Remote/);
    expect(table.stdout).toMatch(/ 2 +complete\* +.*PowerLoss/);
    expect(table.stdout).toMatch(/^summary: 2 sessions /m);
  }, 90_000);
});

describe('evse sessions: export', () => {
  /** A history with two complete sessions, 3 days and 1 day ago, written as evse run writes it. */
  async function history(): Promise<{ dir: string; now: number; recent: SessionRecord }> {
    const dir = await tempDir();
    const now = Date.now();
    const clock = new SimulatedClock(now - 4 * 24 * H);
    const h = await SessionHistory.open({ file: join(dir, 'sessions.log'), clock, maxSessions: 100, maxDays: 0, connectors: 1, chargePointId: 'CP-X' });
    const session = (id: string, startedAt: number, energyWh: number, faults: string[] = []): SessionRecord => ({
      id, connectorId: 1, idTagHash: 'ab'.repeat(32), startedAt, stoppedAt: startedAt + 2 * H, unpluggedAt: startedAt + 3 * H, chargeEndedAt: startedAt + 1.5 * H,
      meterStartWh: 0, energyWh, chargingMs: 1.5 * H, stopReason: 'Local', faults,
    });
    const old = session('old', now - 3 * 24 * H, 10_000);
    const recent = session('recent', now - 24 * H, 20_000, ['GroundFailure: RCD tripped, "A"']);
    for (const s of [old, recent]) {
      h.session(s, true);
      h.interval({ connectorId: 1, kind: 'plugged', from: s.startedAt, to: s.unpluggedAt! });
      h.interval({ connectorId: 1, kind: 'charging', from: s.startedAt, to: s.chargeEndedAt! });
    }
    await h.close();
    return { dir, now, recent };
  }

  it('--json: sessions and the summary since the start of the history; --since narrows both', async () => {
    const { dir, recent } = await history();
    const all = await report(dir);
    expect(all.chargePointId).toBe('CP-X');
    expect(all.sessions.map((s) => s.id)).toEqual(['old', 'recent']);
    expect(all.summary).toMatchObject({ connectors: 1, sessions: 2, energyKWh: 30, kWhPerSession: 15, averageSessionMinutes: 120, averageIdleAfterChargeMinutes: 90 });
    expect(all.summary.days).toBeCloseTo(4, 2);
    expect(all.summary.occupancyPercent).toBeCloseTo((100 * 6) / 96, 1);
    expect(all.summary.chargingPercent).toBeCloseTo((100 * 3) / 96, 1);

    const r = await sessions(['--data-dir', dir, '--json', '--since', '2d']);
    const narrow = JSON.parse(r.stdout) as SessionsReport;
    expect(narrow.sessions).toEqual([
      {
        id: 'recent', connectorId: 1, transactionId: null, idTagHash: recent.idTagHash, state: 'complete', pluggedInAt: null,
        startedAt: new Date(recent.startedAt).toISOString(), stoppedAt: new Date(recent.stoppedAt!).toISOString(), unpluggedAt: new Date(recent.unpluggedAt!).toISOString(),
        durationS: 7200, energyWh: 20_000, chargingS: 5400, idleAfterChargeS: 5400, stopReason: 'Local', faults: recent.faults, interrupted: false,
      },
    ]);
    expect(narrow.summary).toMatchObject({ sessions: 1, energyKWh: 20 });
    expect(narrow.summary.days).toBeCloseTo(2, 2);
    expect(narrow.summary.sessionsPerDay).toBeCloseTo(0.5, 2);
    expect(narrow.summary.occupancyPercent).toBeCloseTo((100 * 3) / 48, 1);
  });

  it('--csv: a header and one row per session, fields quoted where needed', async () => {
    const { dir } = await history();
    const r = await sessions(['--data-dir', dir, '--csv', '--since', new Date(Date.now() - 2 * 24 * H).toISOString().slice(0, 10)]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\r\n');
    expect(lines[0]).toBe('id,connectorId,transactionId,idTagHash,state,pluggedInAt,startedAt,stoppedAt,unpluggedAt,durationS,energyWh,chargingS,idleAfterChargeS,stopReason,faults,interrupted');
    expect(lines.slice(1).filter((l) => l.startsWith('recent,1,,'))).toHaveLength(1);
    expect(lines.find((l) => l.startsWith('recent,'))).toMatch(/,7200,20000,5400,5400,Local,"GroundFailure: RCD tripped, ""A""",false$/);
  });

  it('a bad option: one line naming it, exit 64', async () => {
    const dir = await tempDir();
    const cases: [string[], RegExp][] = [
      [['--since', 'yesterday'], /^evse sessions: --since: expected a date .* or a duration .*, got "yesterday"$/],
      [['--since', '2999-01-01'], /^evse sessions: --since: 2999-01-01T00:00:00\.000Z is in the future$/],
      [['--csv', '--json'], /^evse sessions: --csv and --json exclude each other: choose one$/],
      [['--bogus'], /^evse sessions: unknown option '--bogus'; `evse sessions --help` lists the options$/],
      [['--since'], /^evse sessions: --since: a value is required \(--since <when>\)$/],
    ];
    for (const [args, message] of cases) {
      const r = await sessions(['--data-dir', dir, ...args]);
      expect(r.code, args.join(' ')).toBe(64);
      expect(r.stderr.trimEnd().split('\n'), args.join(' ')).toEqual([expect.stringMatching(message)]);
      expect(r.stdout).toBe('');
    }
    const missing = await sessions(['--data-dir', join(dir, 'nope')]);
    expect(missing.code).toBe(66);
    expect(missing.stderr).toMatch(/^evse sessions: no data directory .*nope/);
  });
});
