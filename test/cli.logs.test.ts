/**
 * Logs on stderr: human-readable (pino-pretty) with `--pretty` or when stderr is a terminal, JSON
 * lines otherwise or with `--no-pretty`; for `evse run`, `evse demo` and `evse fleet` (also in its
 * worker threads). The terminal is a real pseudo-terminal from util-linux `script`.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedCsms } from '../scenarios/csms/EmbeddedCsms.js';
import { EVSE_BIN, spawnEvse, type EvseProcess } from './support/spawnEvse.js';
import { until } from './support/until.js';

/** `[22:04:06.123] INFO: message {fields}`: pino-pretty's line with the options of bin/logger.ts. */
const PRETTY = /^\[\d\d:\d\d:\d\d\.\d{3}\] (TRACE|DEBUG|INFO|WARN|ERROR|FATAL): \S/;
/** An error is shown below its line, indented (`    err: "Error: …"`, stack lines). */
const PRETTY_OR_ERROR = new RegExp(`${PRETTY.source}|^ {4}\\S`);
const stripColours = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, ''); // eslint-disable-line no-control-regex

function lines(text: string): string[] {
  return text.split(/\r?\n/).filter((l) => l.trim() !== '');
}

const processes: EvseProcess[] = [];
afterEach(async () => {
  for (const p of processes.splice(0)) await p.stop('SIGKILL', 5000).catch(() => undefined);
});

describe('evse demo logs', () => {
  it('--pretty: human-readable lines on stderr, stdout unchanged', async () => {
    const demo = spawnEvse(['demo', '--pretty', '--log-level', 'info', '--minutes', '15'], {});
    processes.push(demo);
    expect(await demo.exited).toBe(0);
    const logged = lines(demo.stderr());
    expect(logged.length).toBeGreaterThan(3);
    for (const line of logged) expect(line).toMatch(PRETTY);
    expect(demo.stderr()).toMatch(/INFO: BootNotification answered \{.*"status":"Accepted"/);
    expect(demo.stdout()).toMatch(/✓ transaction/);
  });

  it('stderr not a terminal (a pipe): JSON lines', async () => {
    const demo = spawnEvse(['demo', '--log-level', 'info', '--minutes', '15'], {});
    processes.push(demo);
    expect(await demo.exited).toBe(0);
    const logged = lines(demo.stderr());
    expect(logged.length).toBeGreaterThan(3);
    for (const line of logged) expect(JSON.parse(line)).toMatchObject({ level: expect.any(Number), msg: expect.any(String) });
  });

  /**
   * Runs `evse demo` with stdout and stderr on a pseudo-terminal (stdout to /dev/null); its terminal
   * output. A user's colour terminal: TERM set and CI unset here (Node reports no colours under
   * CI=true without a known CI provider, and for a dumb terminal; a CI runner has either).
   */
  async function onTerminal(flags: string): Promise<{ code: number | null; text: string }> {
    const command = `'${process.execPath}' '${EVSE_BIN}' demo --log-level info --minutes 15 ${flags} >/dev/null`;
    const child = spawn('script', ['-qfec', command, '/dev/null'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, CI: undefined, TERM: 'xterm-256color' } });
    let text = '';
    child.stdout.on('data', (d: Buffer) => (text += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    return { code, text };
  }

  it.skipIf(!existsSync('/usr/bin/script'))('stderr a terminal: human-readable, in colour; --no-pretty: JSON lines', async () => {
    const tty = await onTerminal('');
    expect(tty.code).toBe(0);
    expect(tty.text).toMatch(/\x1b\[\d+m/); // eslint-disable-line no-control-regex
    const pretty = lines(stripColours(tty.text));
    expect(pretty.length).toBeGreaterThan(3);
    for (const line of pretty) expect(line).toMatch(PRETTY);

    const json = await onTerminal('--no-pretty');
    expect(json.code).toBe(0);
    const logged = lines(json.text);
    expect(logged.length).toBeGreaterThan(3);
    for (const line of logged) expect(JSON.parse(line)).toMatchObject({ level: expect.any(Number) });
  });
});

describe('evse run and evse fleet logs', () => {
  it('evse run --pretty (errors below their line)', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'evse-logs-'));
    try {
      // No CSMS there: the connection errors are logged with their error.
      const run = spawnEvse(['run', '--pretty'], { EVSE_CSMS_URL: 'ws://127.0.0.1:1/ocpp', EVSE_LOG_LEVEL: 'info', EVSE_DATA_DIR: dataDir });
      processes.push(run);
      await until('a connection error', () => /WARN: cannot connect to the CSMS .*\n {4}err: "Error: connect ECONNREFUSED/.test(run.stderr()));
      expect((await run.stop('SIGTERM')).code).toBe(0);
      expect(run.stderr()).toMatch(/INFO: agent started \{"csms":"ws:\/\/127.0.0.1:1\/ocpp\/CP001","hal":"sim"\}/);
      for (const line of lines(run.stderr())) expect(line).toMatch(PRETTY_OR_ERROR);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('evse fleet --pretty: the worker threads log human-readable lines too', { timeout: 40_000 }, async () => {
    const csms = new EmbeddedCsms({ logger: pino({ level: 'silent' }) });
    const { url } = await csms.start();
    try {
      const fleet = spawnEvse(['fleet', '--csms', url, '--count', '4', '--threads', '2', '--pretty', '--log-level', 'info', '--progress', '60'], {});
      processes.push(fleet);
      // All four chargers run in the two workers; each boots and says so.
      const booted = () => lines(fleet.stderr()).filter((l) => /INFO: BootNotification answered/.test(l)).length;
      await until('four boots logged', () => booted() === 4, 25_000);
      expect((await fleet.stop('SIGTERM', 15_000)).code).toBe(0);
      const logged = lines(fleet.stderr()).filter((l) => !l.startsWith('evse fleet: '));
      for (const line of logged) expect(line).toMatch(PRETTY);
      // Not sharded: no "0/1" anywhere.
      expect(fleet.stderr()).toMatch(/^evse fleet: 4 chargers against ws:\/\/127\.0\.0\.1:\d+ at 100\/s on 2 thread\(s\)$/m);
      expect(fleet.stdout()).toMatch(/^fleet: 4 of 4 chargers started, 4 accepted/);
      expect(`${fleet.stdout()}${fleet.stderr()}`).not.toMatch(/\b0\/1\b/);
    } finally {
      await csms.stop();
    }
  });
});
