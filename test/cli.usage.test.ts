/**
 * The command line as a new user meets it: every subcommand answers a wrong option with exit 64
 * and one line on stderr naming the option and what is allowed (no help dump, no stack trace, no
 * pino internals); `--help` still prints the help on stdout and exits 0. The built `evse` runs as
 * a process, as from a shell.
 */
import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { spawnEvse } from './support/spawnEvse.js';

const CSMS = ['--csms', 'ws://127.0.0.1:1'];

async function run(args: string[]): Promise<{ code: number | string; stdout: string; stderr: string }> {
  const p = spawnEvse(args, {});
  const code = await p.exited;
  return { code, stdout: p.stdout(), stderr: p.stderr() };
}

const USAGE_ERRORS: [string[], RegExp][] = [
  [['fleet', ...CSMS, '--count', '0'], /^evse fleet: --count: expected an integer of at least 1, got '0'$/],
  [['fleet', ...CSMS, '--count', 'abc'], /^evse fleet: --count: expected an integer of at least 1, got 'abc'$/],
  [['fleet', ...CSMS, '--count', '2.5'], /^evse fleet: --count: expected an integer of at least 1, got '2.5'$/],
  [['fleet', ...CSMS, '--count', '1', '--ramp', '-5'], /^evse fleet: --ramp: expected a number greater than 0, got '-5'$/],
  [['fleet', ...CSMS, '--count', '1', '--connectors', '9'], /^evse fleet: --connectors: expected an integer from 1 to 8, got '9'$/],
  [['fleet', ...CSMS, '--count', '1', '--duration', 'soon'], /^evse fleet: --duration: expected seconds, or a number with ms, s, m or h .*, got 'soon'$/],
  [['fleet', ...CSMS, '--count', '1', '--log-level', 'loud'], /^evse fleet: --log-level: expected one of fatal, error, warn, info, debug, trace, silent, got 'loud'$/],
  [['fleet', ...CSMS, '--count', '1', '--bogus'], /^evse fleet: unknown option '--bogus'; `evse fleet --help` lists the options$/],
  [['fleet', ...CSMS, '--count', '1', '--rmap', '5'], /^evse fleet: unknown option '--rmap' \(did you mean --ramp\?\); `evse fleet --help` lists the options$/],
  [['fleet', ...CSMS, '--count'], /^evse fleet: --count: a value is required \(--count <n>\)$/],
  [['fleet', 'merge', 'a.json', '--bogus'], /^evse fleet merge: unknown option '--bogus'/],
  [['fleet', 'merge'], /^evse fleet merge: missing required argument 'files'$/],
  [['run', '--bogus'], /^evse run: unknown option '--bogus'; `evse run --help` lists the options$/],
  [['run', 'now'], /^evse run: too many arguments/],
  [['demo', '--log-level', 'loud'], /^evse demo: --log-level: expected one of fatal, error, warn, info, debug, trace, silent, got 'loud'$/],
  [['demo', '--minutes', '0'], /^evse demo: --minutes: expected a number greater than 0, got '0'$/],
  [['demo', '--ocpp', '2.1'], /^evse demo: --ocpp: expected one of 1\.6, 2\.0\.1, got '2\.1'$/],
  [['csms', '--port', 'abc'], /^evse csms: --port: expected an integer from 0 to 65535, got 'abc'$/],
  [['csms', '--port', '70000'], /^evse csms: --port: expected an integer from 0 to 65535, got '70000'$/],
  [['csms', '--log-level', 'loud'], /^evse csms: --log-level: expected one of .*, got 'loud'$/],
  [['scenario', 'run', '--bogus'], /^evse scenario run: unknown option '--bogus'/],
  [['scenario', 'run', '--seed', '-1'], /^evse scenario run: --seed: expected an integer from 0 to 4294967295, got '-1'$/],
  [['scenario', 'run', '--reporter', 'tap'], /^evse scenario run: unknown reporter 'tap'; use one of pretty, json, junit$/],
  [['scenario', 'run', '--hal', 'can'], /^evse scenario run: --hal must be sim or serial, got 'can'$/],
  [['scenario', 'run', '--ocpp', '2'], /^evse scenario run: --ocpp: expected one of 1\.6, 2\.0\.1, got '2'$/],
  [['bogus'], /^evse: unknown command 'bogus'; `evse --help` lists the commands$/],
  [['fleat'], /^evse: unknown command 'fleat' \(did you mean fleet\?\); `evse --help` lists the commands$/],
];

describe('evse: usage errors exit 64 with one line', () => {
  it.each(USAGE_ERRORS.map(([args, line]) => [args.join(' '), args, line] as const))('evse %s', async (_title, args, line) => {
    const r = await run(args);
    expect(r.code).toBe(64);
    expect(r.stdout).toBe('');
    expect(r.stderr.endsWith('\n') && r.stderr.split('\n').length === 2, `one line, got:\n${r.stderr}`).toBe(true);
    expect(r.stderr.trim()).toMatch(line);
  });

  it('a command group without its subcommand prints its help on stderr and exits 64', async () => {
    for (const args of [[], ['scenario']]) {
      const r = await run(args);
      expect(r.code).toBe(64);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^Usage: evse/);
    }
  });
  it('evse csms on a port that is taken: exit 64, one line naming --host/--port', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = taken.address() as AddressInfo;
      const r = await run(['csms', '--port', String(port)]);
      expect(r.code).toBe(64);
      expect(r.stderr).toBe(`evse csms: --host/--port: cannot listen on 127.0.0.1:${port}: the port is in use (EADDRINUSE)\n`);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});

describe('evse: --help and --version', () => {
  it.each(['', 'run', 'demo', 'csms', 'fleet', 'fleet merge', 'scenario run'])('evse %s --help prints the help on stdout and exits 0', async (command) => {
    const args = command.split(' ').filter(Boolean);
    const r = await run([...args, '--help']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(new RegExp(`^Usage: ${['evse', ...args].join(' ')} `));
  });

  it('the logging options are in the help of every command that logs', async () => {
    for (const command of ['run', 'demo', 'csms', 'fleet']) {
      const help = (await run([command, '--help'])).stdout;
      expect(help).toMatch(/--pretty/);
      expect(help).toMatch(/--no-pretty/);
      if (command !== 'run') expect(help).toMatch(/--log-level <level>/);
    }
  });

  it('--version prints the version and exits 0', async () => {
    const r = await run(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+/);
  });
});
