/**
 * A charge point's OcppLink on a SimulatedClock, wired to a {@link StubCsms} over a real socket on
 * 127.0.0.1, with a recording control port and an in-memory configuration. Test support only.
 */
import { createServer, type AddressInfo } from 'node:net';
import pino from 'pino';
import { expect, vi } from 'vitest';
import { SimulatedClock } from '../../../hal/clock.js';
import { OcppConfiguration } from '../../store/OcppConfiguration.js';
import { OcppLink, type OcppLinkOptions, type OcppLinkState, type TrafficRecord } from '../OcppLink.js';
import type { BootNotificationRequest } from '../../ocpp16/messages.js';
import { RecordingControl } from './RecordingControl.js';
import { StubCsms, type StubCsmsOptions } from './StubCsms.js';

export const BOOT: BootNotificationRequest = { chargePointVendor: 'evse-agent', chargePointModel: 'test', firmwareVersion: '0.1.0' };

const cleanups: (() => Promise<void>)[] = [];

/** Stops every link and CSMS created by the fixtures of the current test (call in afterEach). */
export async function cleanupLinks(): Promise<void> {
  for (const c of cleanups.splice(0).reverse()) await c();
}

export interface LinkFixtureOptions {
  /** Start a stub CSMS with these options (default {}); `false` starts none. */
  csms?: StubCsmsOptions | false;
  /** URL to use instead of the stub's. */
  url?: string;
  link?: Partial<OcppLinkOptions>;
  connectors?: number;
  readonlyValues?: Record<string, number | boolean | string>;
  /** Initial OCPP configuration values (over the fixture's: no pings; back-off 1 s, 2 s, 4 s, 8 s, 8 s … without a random part). */
  ocpp?: Record<string, number | boolean | string>;
  /** Where the simulated clock starts (default SimulatedClock's); e.g. Date.now() for certificates made now. */
  clockStart?: number;
}

/** Reconnect waits of 1 s, 2 s, 4 s, 8 s, then 8 s: exact, no random part. */
const EXACT_BACKOFF = { RetryBackOffWaitMinimum: 1, RetryBackOffRandomRange: 0, RetryBackOffRepeatTimes: 3 };

export async function linkFixture(opts: LinkFixtureOptions = {}) {
  const csms = opts.csms === false ? undefined : await StubCsms.start(opts.csms ?? {});
  const clock = new SimulatedClock(opts.clockStart);
  const log = pino({ level: 'silent' });
  const connectors = opts.connectors ?? 2;
  // Real-time pings have no place in a virtual-time test.
  const config = await OcppConfiguration.open({ file: null, log, initial: { WebSocketPingInterval: 0, ...EXACT_BACKOFF, ...opts.ocpp }, readonlyValues: { NumberOfConnectors: connectors, ...opts.readonlyValues } });
  const control = new RecordingControl(config, log, connectors);
  const link = new OcppLink({
    url: opts.url ?? csms?.url ?? 'ws://127.0.0.1:9/ocpp',
    identity: 'CP1',
    clock,
    log,
    boot: BOOT,
    config,
    control,
    callTimeoutMs: 30_000,
    random: () => 1,
    ...opts.link,
  });
  const traffic: TrafficRecord[] = [];
  const errors: Error[] = [];
  const states: OcppLinkState[] = [];
  const reconnecting: { attempt: number; delayMs: number }[] = [];
  const disconnected: { code: number; reason: string }[] = [];
  link.on('message', (r) => void traffic.push(r));
  link.on('error', (e) => void errors.push(e));
  link.on('state', (s) => void states.push(s));
  link.on('reconnecting', (r) => void reconnecting.push(r));
  link.on('disconnected', (d) => void disconnected.push(d));
  cleanups.push(async () => {
    await link.stop();
    await csms?.close();
  });
  const stub = () => {
    if (!csms) throw new Error('this fixture has no CSMS');
    return csms;
  };
  return {
    csms: stub,
    clock,
    config,
    control,
    link,
    traffic,
    errors,
    states,
    reconnecting,
    disconnected,
    /** Waits (real time) until the link is in `state`. */
    until: (state: OcppLinkState) => vi.waitFor(() => expect(link.state).toBe(state), { timeout: 5000, interval: 2 }),
    /** Waits until no call of the link is queued or in flight. */
    idle: () => vi.waitFor(() => expect(link.pendingCalls).toBe(0), { timeout: 5000, interval: 2 }),
  };
}

/** Waits (real time) until `check` stops throwing. */
export function eventually(check: () => void, timeout = 5000): Promise<void> {
  return vi.waitFor(check, { timeout, interval: 2 });
}

/** Lets real I/O run for a moment (for "nothing happens" checks). */
export async function quiet(ms = 60): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  const until = performance.now() + ms;
  while (performance.now() < until) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** A port on 127.0.0.1 that nothing listens on (right now). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

