/**
 * Fleet behaviour profiles end to end, in-process against the embedded strict CSMS on 127.0.0.1:
 * RFID and remote starts (the CSMS remote-starts on half of the chargers, so the other half's
 * remote drivers give up), energy targets, injected faults and network outages, the Prometheus
 * endpoint scraped over HTTP; and the reconnect curve after a CSMS restart.
 */
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedCsms } from '../scenarios/csms/EmbeddedCsms.js';
import { Fleet } from '../scenarios/fleet/Fleet.js';
import { serveFleetMetrics } from '../scenarios/fleet/fleetPrometheus.js';
import { describeReconnects } from '../scenarios/fleet/formatReport.js';
import { mergeOverDefault, parseProfile } from '../scenarios/fleet/profile.js';
import { DEFAULT_PROFILE } from '../scenarios/fleet/profileDefault.js';
import { cleanupStack } from './support/cleanupStack.js';
import { startQuietCsms } from './support/quietCsms.js';
import { until as pollUntil } from './support/until.js';

/** Polls `check` every 50 ms for at most `ms` of real time. */
const until = (what: string, check: () => boolean, ms = 15_000): Promise<void> => pollUntil(what, check, ms, 50);

const { cleanups, release } = cleanupStack();
afterEach(release);

/** A busy profile in wall-clock seconds: an EV every ~2 s per free connector, short sessions. */
const busy = parseProfile(
  mergeOverDefault(DEFAULT_PROFILE, {
    name: 'test-busy',
    time: { acceleration: 1 },
    arrivals: { baseline: 1800, peaks: [] },
    sessions: { minutes: { min: 0.04, max: 0.08 }, energyKWh: { min: 0.004, max: 0.008 }, dwellMinutes: { min: 0, max: 0.01 }, remoteShare: 0.5, remotePatienceMinutes: 0.05 },
    faults: { meterTimeout: { perDay: 4000, minutes: { min: 0.02, max: 0.05 } }, networkOutage: { perDay: 800, minutes: 0.03 } },
    ocppGroups: [{ share: 0.5, ocpp: { MeterValueSampleInterval: 5 } }],
  }),
  'test',
);

describe('fleet behaviour profile', () => {
  it('runs RFID and remote sessions, energy targets, faults and outages; serves Prometheus metrics', { timeout: 60_000 }, async () => {
    const { csms, url, log } = await startQuietCsms(cleanups);
    // The CSMS starts a session for every EV that plugs into an even-numbered charger.
    csms.on('call', (r) => {
      const p = r.payload as { connectorId?: number; status?: string };
      if (r.action === 'StatusNotification' && p.status === 'Preparing' && Number(r.chargePointId.slice(-1)) % 2 === 0) {
        void csms.call(r.chargePointId, 'RemoteStartTransaction', { connectorId: p.connectorId!, idTag: 'APP0001' }).catch(() => undefined);
      }
    });
    const fleet = new Fleet({ csmsUrl: url, count: 30, idPrefix: 'P', rampPerSecond: 300, seed: 11, log, ocpp: { RetryBackOffWaitMinimum: 0, RetryBackOffRandomRange: 1, RetryBackOffRepeatTimes: 0 }, behaviour: { profile: busy } });
    cleanups.push(() => fleet.stop(2000));
    const metrics = await serveFleetMetrics({ host: '127.0.0.1', port: 0, report: () => fleet.report() });
    cleanups.push(() => metrics.close());
    await fleet.start();
    await until('all chargers accepted', () => fleet.accepted === 30);
    const b = () => fleet.metrics.behaviour;
    await until(
      'remote and RFID starts, a missed remote start, an energy target, a fault and an outage',
      () => (b().startedRemote ?? 0) >= 3 && (b().startedRfid ?? 0) >= 3 && (b().remoteMissed ?? 0) >= 1 && (b().energyReached ?? 0) >= 1 && (b()['fault:meterTimeout'] ?? 0) >= 1 && (b()['fault:networkOutage'] ?? 0) >= 1,
      30_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}: ${JSON.stringify(b())}, transactions ${csms.transactions().length}`);
    });
    await until('sessions completed', () => csms.transactions().filter((t) => t.stop).length >= 10);

    // Prometheus, over HTTP.
    expect(metrics.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const res = await fetch(metrics.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/^evse_fleet_chargers\{state="planned"\} 30$/m);
    expect(text).toMatch(/^evse_fleet_ocpp_calls_total\{action="BootNotification",ocpp_version="1\.6"\} \d+$/m);
    expect(text).toMatch(/^evse_fleet_ocpp_response_quantiles_seconds\{action="StartTransaction",ocpp_version="1\.6",quantile="0\.99"\} [\d.e-]+$/m);
    expect(text).toMatch(/^evse_fleet_behaviour_events_total\{event="startedRemote"\} [1-9]\d*$/m);
    expect(text).toMatch(/^# TYPE evse_fleet_transactions_total counter$/m);
    expect((await fetch(metrics.url.replace('/metrics', '/other'))).status).toBe(404);

    // Both kinds of session reached the CSMS; a remote session ends by unplugging, an RFID one by the card.
    // Stopped while every charger is online: one in a network outage at the stop keeps its
    // StopTransactions journaled, like a real charger that is offline when switched off (docs/fleet.md).
    await until('every charger online', () => fleet.chargers.every((c) => c.agent.link.isAccepted && c.agent.link.pendingCalls === 0));
    const report = await fleet.stop(8000);
    const txs = csms.transactions();
    expect(txs.some((t) => t.idTag === 'APP0001' && t.stop?.reason === 'EVDisconnected')).toBe(true);
    expect(txs.some((t) => t.idTag.startsWith('F0') && t.stop?.reason === 'Local')).toBe(true);
    expect(txs.filter((t) => !t.stop && t.duplicateOf === undefined)).toEqual([]);
    expect(csms.violations()).toEqual([]);
    // Profile keys reached the chargers: half of them report meter values every 5 s (seeded groups).
    const intervals = fleet.chargers.map((c) => c.agent.config.getInt('MeterValueSampleInterval'));
    expect(new Set(intervals)).toEqual(new Set([5, 60]));
    expect(report.profile).toBe('test-busy');
    expect(report.behaviour?.arrivals).toBeGreaterThan(10);
    expect(report.disconnects).toBeGreaterThanOrEqual(1);
    expect(report.timeline!.disconnects.reduce((n, v) => n + v, 0)).toBe(report.disconnects);
  });

  it('spreads the reconnections after a CSMS restart over the back-off window (the reconnect curve)', { timeout: 60_000 }, async () => {
    const log = pino({ level: 'silent' });
    let csms = new EmbeddedCsms({ logger: log });
    const { url, port } = await csms.start();
    cleanups.push(() => csms.stop());
    const fleet = new Fleet({ csmsUrl: url, count: 80, idPrefix: 'R', rampPerSecond: 1000, seed: 5, log, ocpp: { RetryBackOffWaitMinimum: 1, RetryBackOffRandomRange: 3, RetryBackOffRepeatTimes: 0 }, behaviour: false });
    cleanups.push(() => fleet.stop(2000));
    await fleet.start();
    await until('all chargers accepted', () => fleet.accepted === 80);
    await new Promise((r) => setTimeout(r, 1100));
    const restartAt = Date.now();
    await csms.stop();
    csms = new EmbeddedCsms({ logger: log });
    await csms.start({ port });
    await until('every charger back', () => csms.chargePoints().filter((c) => c.connected).length === 80, 20_000);
    // The CSMS sees a connection before the charger has heard its handshake answer: wait for the chargers' own count too.
    const reconnectsSince = (t: NonNullable<ReturnType<typeof fleet.report>['timeline']>): number[] => t.reconnects.slice(Math.floor((restartAt - t.startedAt) / 1000 / t.stepS));
    await until('every charger counts its reconnection', () => reconnectsSince(fleet.report().timeline!).reduce((n, v) => n + v, 0) >= 80, 5000);
    const t = fleet.report().timeline!;
    const fromStep = Math.floor((restartAt - t.startedAt) / 1000 / t.stepS);
    const after = reconnectsSince(t);
    const total = after.reduce((n, v) => n + v, 0);
    expect(total).toBe(80);
    expect(t.disconnects.slice(fromStep).reduce((n, v) => n + v, 0)).toBe(80);
    // 1 s plus a random part of up to 3 s: several seconds carry reconnections, none more than half
    // of them, and all within the window plus slack.
    expect(after.filter((v) => v > 0).length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...after)).toBeLessThanOrEqual(40);
    const lastStep = after.findLastIndex((v) => v > 0);
    expect(lastStep).toBeLessThanOrEqual(7);
    // The connected curve dips: each charger is away at least the 1-s minimum (its disconnect may be
    // noticed a step after the restart on a busy machine).
    expect(Math.min(...t.connected.slice(fromStep))).toBeLessThan(80);
    expect(describeReconnects(t)).toMatch(/^reconnections \d+ from \d+ s to \d+ s, peak \d+ in the 1-s step at \d+ s \(\d+ %\) {2}\|[ ▁▂▃▄▅▆▇█]+\|$/);
  });
});
