/**
 * `evse scenario run --hal serial` on socat ptys: the agent's real serial drivers (RAPI, Modbus
 * RTU, PN532) against the project's device simulators, the embedded strict CSMS on 127.0.0.1,
 * real time. With `--rig sim-devices` the kit drives the simulators; with `--rig prompt` this
 * test is the engineer: it reads each question from the command's output, does the step on the
 * simulators and answers through the command's (piped) input.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../hal/clock.js';
import { SimDevicesRig } from '../scenarios/kit/rig/SimDevicesRig.js';
import { runScenarioCommand } from '../bin/scenarioCommand.js';
import { capturedIo as io } from './support/capturedIo.js';
import { EVSE_BIN } from './support/spawnEvse.js';

const library = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../scenarios/library');
const SHORT = path.join(library, 'short-session-plug-card-unplug.scenario.ts');
const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

async function scratch(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'evse-scn-serial-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const base = { reporter: 'json', seed: 1, hal: 'serial', csms: 'embedded' };

interface JsonReport {
  passed: number;
  failed: number;
  scenarios: { name: string; status: string; error?: { step?: string; message: string; type: string }; timeline: { kind: string; text: string }[] }[];
}

describe('evse scenario run --hal serial', () => {
  it('--rig sim-devices: the short library session over ptys, energy from the Modbus meter slave', async () => {
    const c = io();
    const code = await runScenarioCommand([SHORT], { ...base, rig: 'sim-devices' }, c);
    const report = JSON.parse(c.out()) as JsonReport;
    expect(code, JSON.stringify(report.scenarios[0]?.error ?? c.err())).toBe(0);
    const timeline = report.scenarios[0]!.timeline.map((e) => e.text);
    const start = timeline.find((l) => l.startsWith('→ StartTransaction'));
    const stop = timeline.find((l) => l.startsWith('→ StopTransaction'));
    expect(start).toMatch(/meterStart:0/);
    // 32 A × 230 V × 3 for about five seconds: some tens of Wh, read over Modbus RTU.
    const meterStop = Number(/meterStop:(\d+)/.exec(stop ?? '')?.[1]);
    expect(meterStop).toBeGreaterThan(5);
    expect(meterStop).toBeLessThan(1000);
    expect(stop).toMatch(/reason:"EVDisconnected"/);
  }, 60_000);

  it('--rig sim-devices drives faults through the controller; an EV battery it cannot model is refused by name', async () => {
    const dir = await scratch();
    await writeFile(path.join(dir, 'weld.scenario.yaml'), 'name: welded relay at the controller\nsteps:\n  - plugIn: 1\n  - present: "04A1B2C3"\n  - expectStatus: {status: Charging}\n  - relayFault: welded\n  - unplug: 1\n  - expectStatus: {status: Faulted}\n');
    await writeFile(path.join(dir, 'soc.scenario.yaml'), 'name: battery\nsteps:\n  - setSoC: 0.5\n');
    const c = io();
    const code = await runScenarioCommand([path.join(dir, 'soc.scenario.yaml'), path.join(dir, 'weld.scenario.yaml')], { ...base, rig: 'sim-devices' }, c);
    const report = JSON.parse(c.out()) as JsonReport;
    expect(code).toBe(1);
    expect(report.scenarios[0]).toMatchObject({ name: 'battery', status: 'failed', error: { type: 'error' } });
    expect(report.scenarios[0]!.error!.message).toMatch(/soc\.scenario\.yaml:3 setSoC: ev\.setSoC: the sim-devices rig has no EV battery model/);
    expect(report.scenarios[1], JSON.stringify(report.scenarios[1]!.error)).toMatchObject({ status: 'passed' });
    expect(report.scenarios[1]!.timeline.some((e) => e.kind === 'status' && /connector 1: Faulted \(\w+\)/.test(e.text))).toBe(true);
  }, 60_000);

  it('--rig prompt: the engineer answers through the input; skip goes on, abort fails the step, faults are refused', async () => {
    // The bench: simulators on ptys that this test (the engineer) operates by hand.
    const bench = await SimDevicesRig.start({ clock: systemClock, rfidModel: 'pn532' });
    cleanups.push(() => bench.close());
    const c = io({ ...process.env, ...bench.environment });
    const answered: string[] = [];
    const engineer = (async () => {
      for (let seen = 0; ; ) {
        const questions = c.err().split('\n').filter((l) => l.startsWith('>> '));
        if (questions.length > seen) {
          const q = questions[seen++]!;
          answered.push(q);
          if (q.includes('Plug the EV into connector 1')) await bench.ev('plugIn');
          else if (q.includes('Present card 04A1B2C3')) await bench.presentCard('04A1B2C3');
          else if (q.includes('Unplug the EV from connector 1')) await bench.ev('unplug');
          else if (q.includes('Make the EV at connector 1 pause')) {
            c.stdin.write('s\n'); // this EV cannot: skipped
            continue;
          }
          c.stdin.write('\n');
        }
        if (c.out() !== '') return;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const dir = await scratch();
    await writeFile(path.join(dir, 'a-skip.scenario.yaml'), 'name: a suspend the EV cannot do is skipped\nsteps:\n  - suspend: 1\n  - note: after the skip\n');
    const code = await runScenarioCommand([SHORT, path.join(dir, 'a-skip.scenario.yaml')], { ...base, rig: 'prompt', promptTimeout: '20s' }, c);
    await engineer;
    const report = JSON.parse(c.out()) as JsonReport;
    expect(report.scenarios.map((r) => [r.name, r.status, r.error?.message])).toEqual([
      ['short session: plug in, card, a few seconds of charging, unplug', 'passed', undefined],
      ['a suspend the EV cannot do is skipped', 'passed', undefined],
    ]);
    expect(code).toBe(0);
    expect(answered[0]).toMatch(/^>> Plug the EV into connector 1, then press Enter {2}\[Enter = done, s = skip, a = abort; 20 s\]$/);
    expect(report.scenarios[1]!.timeline.map((e) => e.text)).toContain('skipped at the bench: EV suspends charging at connector 1');

    // Abort, and a fault step: both fail naming the step.
    await writeFile(path.join(dir, 'b-abort.scenario.yaml'), 'name: aborted\nsteps:\n  - plugIn: 1\n');
    await writeFile(path.join(dir, 'c-fault.scenario.yaml'), 'name: fault by prompt\nsteps:\n  - meterFault: timeout\n');
    const c2 = io({ ...process.env, ...bench.environment });
    c2.stdin.write('a\n');
    const code2 = await runScenarioCommand([path.join(dir, 'b-abort.scenario.yaml'), path.join(dir, 'c-fault.scenario.yaml')], { ...base, rig: 'prompt', promptTimeout: '20s' }, c2);
    const report2 = JSON.parse(c2.out()) as JsonReport;
    expect(code2).toBe(1);
    expect(report2.scenarios[0]!.error).toMatchObject({ type: 'failure', step: expect.stringMatching(/b-abort\.scenario\.yaml:3 plugIn$/) });
    expect(report2.scenarios[0]!.error!.message).toMatch(/Plug the EV into connector 1: aborted by the engineer/);
    expect(report2.scenarios[1]!.error!.message).toMatch(/fault\.meter: cannot inject a meter fault by prompting; run this scenario with --rig sim-devices/);
  }, 90_000);

  it('the built `evse scenario run --hal serial` as a process: prompts on stderr, answers through its stdin pipe', async () => {
    const bench = await SimDevicesRig.start({ clock: systemClock, rfidModel: 'pn532' });
    cleanups.push(() => bench.close());
    const dir = await scratch();
    const file = path.join(dir, 'bench.scenario.yaml');
    await writeFile(file, 'name: bench session\nsteps:\n  - plugIn: 1\n  - present: "04A1B2C3"\n  - expectCall: {action: StartTransaction, within: 20s}\n  - expectStatus: {status: Charging}\n  - unplug: 1\n  - expectStatus: {status: Available}\n');
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...process.env, NODE_ENV: undefined, EVSE_LOG_LEVEL: 'warn', ...bench.environment })) if (v !== undefined) env[k] = v;
    // EVSE_SCENARIO_TEST_BIN: another build of evse (the default is this package's dist/, built by `npm test`).
    const child = spawn(process.execPath, [process.env.EVSE_SCENARIO_TEST_BIN ?? EVSE_BIN, 'scenario', 'run', file, '--hal', 'serial', '--rig', 'prompt', '--prompt-timeout', '20s'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const asked: string[] = [];
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      const questions = err.split('\n').filter((l) => l.startsWith('>> '));
      for (const q of questions.slice(asked.length)) {
        asked.push(q);
        void (async () => {
          if (q.includes('Plug the EV into connector 1')) await bench.ev('plugIn');
          else if (q.includes('Present card 04A1B2C3')) await bench.presentCard('04A1B2C3');
          else if (q.includes('Unplug the EV from connector 1')) await bench.ev('unplug');
          child.stdin.write('\n');
        })();
      }
    });
    const code = await exited;
    expect(code, `${out}\n${err}`).toBe(0);
    expect(asked.map((q) => q.replace(/, then press Enter.*$/, ''))).toEqual(['>> Plug the EV into connector 1', '>> Present card 04A1B2C3 at the reader', '>> Unplug the EV from connector 1']);
    expect(out).toMatch(/✓ bench session {2}\(real time, \d+ ms wall\)/);
  }, 60_000);

  it('refuses a bad rig, a rig without --hal serial, and a serial configuration without ports (78, naming the key)', async () => {
    const c = io();
    expect(await runScenarioCommand([SHORT], { ...base, rig: 'servo' }, c)).toBe(64);
    expect(await runScenarioCommand([SHORT], { ...base, hal: 'sim', rig: 'sim-devices' }, c)).toBe(64);
    expect(c.err()).toContain("--rig must be one of prompt, sim-devices, got 'servo'");
    expect(c.err()).toContain('--rig sim-devices needs --hal serial');
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('EVSE_')));
    const c2 = io(env);
    expect(await runScenarioCommand([SHORT], { ...base, rig: 'prompt' }, c2)).toBe(78);
    expect(c2.err()).toMatch(/invalid configuration for --hal serial: hal\.serial\.\S*port/);
  });
});
