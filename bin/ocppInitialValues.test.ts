/**
 * WebSocketPingInterval: `csms.pingIntervalMs` seeds the key; a CSMS change is in effect at once,
 * persists, and is what runs (and what GetConfiguration reports) after a restart — the setting does
 * not override it again. An in-process Agent wired as `evse run` wires it, on the embedded strict
 * CSMS over a real socket, its configuration in a file that survives the restart.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../hal/clock.js';
import { createSimulatedCharger } from '../hal/sim/createSimulatedCharger.js';
import { EmbeddedCsms } from '../scenarios/csms/EmbeddedCsms.js';
import { Agent } from '../agent/Agent.js';
import { OcppConfiguration } from '../agent/store/OcppConfiguration.js';
import { ocppInitialValues } from './ocppInitialValues.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const CP = 'PING-1';
const log = pino({ level: 'silent' });
/** The settings as `evse run` has them: pings every 30 s, no WebSocketPingInterval under `ocpp:`. */
const settings = { csms: { url: '', callTimeoutMs: 10_000, pingIntervalMs: 30_000, fallbackUrls: [], securityProfile: 0 as const, allowPlainPassword: false, tls: { ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' } }, ocpp: { HeartbeatInterval: 3600 } };

describe('ocppInitialValues', () => {
  it('seeds WebSocketPingInterval from csms.pingIntervalMs (seconds, rounded); an explicit ocpp value wins', () => {
    expect(ocppInitialValues(settings)).toEqual({ WebSocketPingInterval: 30, HeartbeatInterval: 3600 });
    expect(ocppInitialValues({ ...settings, csms: { ...settings.csms, pingIntervalMs: 1500 } }).WebSocketPingInterval).toBe(2);
    expect(ocppInitialValues({ ...settings, ocpp: { WebSocketPingInterval: 0 } })).toEqual({ WebSocketPingInterval: 0 });
  });
});

describe('WebSocketPingInterval', () => {
  it('the CSMS value is in effect at once and after a restart, and GetConfiguration reports what is in effect', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ping-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const clock = new SimulatedClock();
    const csms = new EmbeddedCsms({ now: () => clock.now(), logger: log, pingIntervalMs: 0 });
    const { url } = await csms.start();
    cleanups.push(() => csms.stop());
    const sim = createSimulatedCharger({ clock });
    cleanups.push(() => sim.close());

    /** One run of `evse run`: the configuration store opened from its file, then the agent. */
    const run = async () => {
      const config = await OcppConfiguration.open({ file: join(dir, 'ocpp-configuration.json'), initial: ocppInitialValues(settings), readonlyValues: { NumberOfConnectors: 1 }, log });
      const agent = new Agent({ chargePointId: CP, boot: { chargePointVendor: 'evse-agent', chargePointModel: 'test' }, csms: { ...settings.csms, url }, hardware: sim.hardware, config, clock, log });
      const since = csms.mark();
      agent.start();
      await csms.waitForCall(CP, 'BootNotification', undefined, { timeoutMs: 5000, since });
      return { agent, config };
    };
    const reported = async () => (await csms.call(CP, 'GetConfiguration', { key: ['WebSocketPingInterval'] })).configurationKey?.[0]?.value;

    const first = await run();
    expect(first.agent.link.pingIntervalMs).toBe(30_000);
    expect(await reported()).toBe('30');
    expect(await csms.call(CP, 'ChangeConfiguration', { key: 'WebSocketPingInterval', value: '7' })).toEqual({ status: 'Accepted' });
    expect(first.agent.link.pingIntervalMs).toBe(7000);
    await first.agent.stop({ flushMs: 0 });
    await first.config.flush();

    const second = await run();
    cleanups.push(() => second.agent.stop({ flushMs: 0 }));
    expect(second.agent.link.pingIntervalMs).toBe(7000);
    expect(await reported()).toBe('7');
    expect(await csms.call(CP, 'ChangeConfiguration', { key: 'WebSocketPingInterval', value: '0' })).toEqual({ status: 'Accepted' });
    expect(second.agent.link.pingIntervalMs).toBe(0);
  });
});
