/** `evse fleet --processes`: how the slices, source addresses, Node flags and machine limits are worked out. */
import { describe, expect, it } from 'vitest';
import { bootOldSpaceFlag } from '../scenarios/fleet/fleetHeap.js';
import { shardPositions } from '../scenarios/fleet/fleetIds.js';
import type { FleetCommandOptions } from './fleetOptions.js';
import { ephemeralPorts, fileLimitProblem, openFileLimit } from './fleetLimits.js';
import { processAddresses, processesConflict, processShard, shardNodeFlags, shardProcessArgs, type ProcessesPlan } from './fleetProcesses.js';

const opts: FleetCommandOptions = {
  csms: 'ws://127.0.0.1:9000/ocpp',
  count: 50_000,
  idPrefix: 'CP',
  ramp: 900,
  connectors: 1,
  seed: 7,
  progress: 5,
  logLevel: 'warn',
  threads: '1',
  maxBooting: 250,
  processes: 3,
};
const plan: ProcessesPlan = { processes: 3, shard: undefined, localAddresses: undefined, jsonOut: undefined, htmlOut: undefined };

describe('evse fleet --processes: slices', () => {
  it('gives process j the composed shard i + n·j of n·P: disjoint, together exactly the command’s slice', () => {
    expect([0, 1, 2].map((j) => processShard(undefined, j, 3))).toEqual([
      { index: 0, count: 3 },
      { index: 1, count: 3 },
      { index: 2, count: 3 },
    ]);
    const mine = { index: 1, count: 2 };
    const parts = [0, 1, 2].map((j) => shardPositions(30, processShard(mine, j, 3)));
    expect(parts.flat().sort((a, b) => a - b)).toEqual(shardPositions(30, mine));
    expect(new Set(parts.flat()).size).toBe(parts.flat().length);
  });

  it('splits the ramp and passes the run’s identity, the slice and its report file to each process', () => {
    const args = shardProcessArgs({ ...opts, duration: 90_000, profile: 'p.yaml' }, plan, 2, '/tmp/x/shard-2.json');
    const value = (flag: string) => args[args.indexOf(flag) + 1];
    expect(args[0]).toBe('fleet');
    expect(value('--shard')).toBe('2/3');
    expect(value('--ramp')).toBe('300');
    expect(value('--count')).toBe('50000');
    expect(value('--seed')).toBe('7');
    expect(value('--duration')).toBe('90000ms');
    expect(value('--profile')).toBe('p.yaml');
    expect(value('--report')).toBe('/tmp/x/shard-2.json');
    expect(value('--html')).toBe('/tmp/x/shard-2.html');
    expect(value('--local-address')).toBe('127.0.0.4');
    expect(args).not.toContain('--processes');
  });
});

describe('evse fleet --processes: source addresses', () => {
  it('uses 127.0.0.2… per process towards a CSMS on this machine, nothing towards another', () => {
    if (process.platform !== 'linux') return;
    expect([0, 1, 2].map((j) => processAddresses(undefined, j, 3, 'ws://127.0.0.1:9000'))).toEqual([['127.0.0.2'], ['127.0.0.3'], ['127.0.0.4']]);
    expect(processAddresses(undefined, 0, 3, 'ws://localhost:9000/ocpp')).toEqual(['127.0.0.2']);
    expect(processAddresses(undefined, 0, 3, 'wss://csms.example.com/ocpp')).toBeUndefined();
    expect(processAddresses(undefined, 0, 1, 'ws://127.0.0.1:9000')).toBeUndefined();
  });

  it('splits given addresses into disjoint sets, or gives one each in turn when there are fewer', () => {
    const four = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'];
    expect([0, 1].map((j) => processAddresses(four, j, 2, 'ws://127.0.0.1:1'))).toEqual([['10.0.0.1', '10.0.0.3'], ['10.0.0.2', '10.0.0.4']]);
    expect([0, 1, 2].map((j) => processAddresses(['10.0.0.1', '10.0.0.2'], j, 3, 'ws://127.0.0.1:1'))).toEqual([['10.0.0.1'], ['10.0.0.2'], ['10.0.0.1']]);
  });
});

describe('evse fleet --processes: Node flags and conflicts', () => {
  it('sizes each process’s old space for its chargers, unless the user sized it', () => {
    expect(bootOldSpaceFlag(16_667)).toBe('--initial-old-space-size=489');
    expect(bootOldSpaceFlag(500)).toBeUndefined();
    expect(shardNodeFlags(opts, plan, 0, [], '')).toEqual(['--initial-old-space-size=489']);
    expect(shardNodeFlags(opts, plan, 0, ['--max-old-space-size=8192'], '')).toEqual(['--max-old-space-size=8192']);
    expect(shardNodeFlags(opts, plan, 0, [], '--max-old-space-size=8192')).toEqual([]);
    expect(shardNodeFlags({ ...opts, count: 300 }, plan, 0, ['--enable-source-maps'], '')).toEqual(['--enable-source-maps']);
  });

  it('refuses the options that address one process', () => {
    expect(processesConflict({ ...opts, controlPort: 0 })).toMatch(/^--control-port cannot be used with --processes/);
    expect(processesConflict({ ...opts, metricsPort: 9100 })).toMatch(/^--metrics-port cannot be used with --processes/);
    expect(processesConflict(opts)).toBeUndefined();
  });
});

describe('machine limits', () => {
  it('reads the hard open-file limit and the ephemeral port range from /proc text', () => {
    const limits = 'Limit                     Soft Limit           Hard Limit           Units\nMax open files            1024                 20000                files\n';
    expect(openFileLimit(limits)).toBe(20_000);
    expect(openFileLimit('Max open files            unlimited            unlimited            files\n')).toBe(Infinity);
    expect(openFileLimit('')).toBeUndefined();
    expect(ephemeralPorts('32768\t60999\n')).toBe(28_232);
    expect(ephemeralPorts('')).toBeUndefined();
  });

  it('says how many processes are needed, or how to raise the limit, when a process cannot hold its sockets', () => {
    expect(fileLimitProblem(16_667, 3, 50_000, 20_000)).toBeUndefined();
    const problem = fileLimitProblem(25_000, 2, 50_000, 20_000);
    expect(problem).toMatch(/^25000 chargers per process need about 25200 open files, but a process may open 20000 here/);
    expect(problem).toMatch(/use --processes 3 or more/);
    expect(problem).toMatch(/ulimit -Hn 65536/);
    expect(fileLimitProblem(50_000, 1, 50_000, Infinity)).toBeUndefined();
  });
});
