/**
 * The usage recorder on a real agent (simulated hardware, virtual time) against the embedded strict
 * CSMS on 127.0.0.1: what it records agrees with what the CSMS was told (StartTransaction /
 * StopTransaction timestamps, meterStart / meterStop, transactionId, reason), and with what the
 * simulated EV did (plugged in, charging, paused, unplugged). The session history on a temporary
 * directory is the sink where a test needs durability.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { agentFixture, cleanupAgents, startSession, T0, type AgentFixture } from '../../test/support/agentFixture.js';
import { agent201Fixture, cleanupAgents201 } from '../../test/support/agent201Fixture.js';
import type { TransactionEvent } from '../transactions/transactionTypes.js';
import { hashIdTag } from '../auth/idTagHash.js';
import { SessionHistory } from '../store/SessionHistory.js';
import { UsageTracker } from './UsageTracker.js';
import { idleAfterChargeMs, sessionState, type SessionRecord, type UsageInterval, type UsageSink } from '../store/usageTypes.js';
import { SimulatedClock } from '../../hal/clock.js';
import { createSimulatedCharger } from '../../hal/sim/createSimulatedCharger.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await cleanupAgents();
  await cleanupAgents201();
  for (const c of cleanups.splice(0)) await c();
});

const CARD = '04A1B2C3D4E5F6';
const MINUTE = 60_000;
const SALT = 'pepper';

/** Keeps what the tracker hands over: every version of every session, every interval. */
class MemorySink implements UsageSink {
  readonly versions: { record: SessionRecord; complete: boolean }[] = [];
  readonly intervals: UsageInterval[] = [];
  session(record: Readonly<SessionRecord>, complete: boolean): void {
    this.versions.push({ record: structuredClone(record), complete });
  }
  interval(interval: Readonly<UsageInterval>): void {
    this.intervals.push({ ...interval });
  }
  /** The latest version of each session. */
  get sessions(): SessionRecord[] {
    const byId = new Map(this.versions.map((v) => [v.record.id, v.record]));
    return [...byId.values()];
  }
  closed(kind: UsageInterval['kind']): UsageInterval[] {
    return this.intervals.filter((i) => i.kind === kind && i.to !== undefined);
  }
}

async function tracked(options: Parameters<typeof agentFixture>[0] = {}): Promise<{ f: AgentFixture; sink: MemorySink; tracker: UsageTracker }> {
  const sink = new MemorySink();
  let tracker!: UsageTracker;
  const f = await agentFixture({
    ...options,
    beforeStart: (agent) => {
      tracker = new UsageTracker({ agent, clock: agent.options.clock, sink, idTagSalt: SALT });
      tracker.start();
    },
  });
  return { f, sink, tracker };
}

describe('UsageTracker on an agent', () => {
  it('records a session as the CSMS saw it: start, stop, energy, reason, charging and idle time until the EV leaves', async () => {
    const { f, sink } = await tracked({ ocpp: { StopTransactionOnEVSideDisconnect: true } });
    const hw = f.sim.connectors[0]!;
    const pluggedAt = f.clock.now();
    await startSession(f, CARD);
    await f.advance(30 * MINUTE, MINUTE);
    hw.ev.suspend(); // the EV stops drawing: SuspendedEV, the charge is over
    await f.advance(1000);
    const chargeEnd = f.clock.now();
    expect(f.agent.connectors[0]!.status).toBe('SuspendedEV');
    await f.advance(10 * MINUTE, MINUTE);
    f.sim.rfid.tap(CARD); // the driver ends the session…
    await f.advance(1000);
    expect(sessionState(sink.sessions[0]!)).toBe('stopped');
    await f.advance(5 * MINUTE, MINUTE);
    hw.ev.unplug(); // …and leaves five minutes later
    await f.advance(1000);
    const unpluggedAt = f.clock.now() - 1000;

    const [start] = f.sent('StartTransaction');
    const [stop] = f.sent('StopTransaction');
    expect(sink.sessions).toHaveLength(1);
    const r = sink.sessions[0]!;
    expect(r).toEqual({
      id: expect.any(String),
      connectorId: 1,
      transactionId: stop!.transactionId,
      idTagHash: hashIdTag(CARD, SALT),
      pluggedInAt: pluggedAt,
      startedAt: Date.parse(start!.timestamp),
      stoppedAt: Date.parse(stop!.timestamp),
      unpluggedAt,
      meterStartWh: start!.meterStart,
      energyWh: stop!.meterStop - start!.meterStart,
      chargingMs: expect.any(Number),
      chargeEndedAt: expect.any(Number),
      stopReason: 'Local',
      faults: [],
    });
    expect(r.energyWh).toBeGreaterThan(1000); // half an hour at 11 kW
    // Charging from the start (the contactor closes at once) until the EV paused, within a step.
    expect(Math.abs(r.chargeEndedAt! - chargeEnd)).toBeLessThanOrEqual(1000);
    expect(Math.abs(r.chargingMs - (r.chargeEndedAt! - r.startedAt))).toBeLessThanOrEqual(1000);
    expect(idleAfterChargeMs(r)).toBe(unpluggedAt - r.chargeEndedAt!);
    expect(idleAfterChargeMs(r)! / MINUTE).toBeCloseTo(15, 1);
    // Complete only once the EV left; before that, every change was handed over as it happened.
    expect(sink.versions.map((v) => v.complete)).toEqual([...sink.versions.slice(1).map(() => false), true]);
    expect(sink.closed('plugged')).toEqual([{ connectorId: 1, kind: 'plugged', from: pluggedAt, to: unpluggedAt }]);
    expect(sink.closed('charging')).toEqual([{ connectorId: 1, kind: 'charging', from: expect.any(Number), to: r.chargeEndedAt }]);
  });

  it('the EV leaving ends the transaction and the session at once (StopTransactionOnEVSideDisconnect)', async () => {
    const { f, sink } = await tracked();
    await startSession(f, CARD);
    await f.advance(20 * MINUTE, MINUTE);
    f.sim.connectors[0]!.ev.unplug();
    await f.advance(1000);
    const [stop] = f.sent('StopTransaction');
    const r = sink.sessions[0]!;
    expect(r).toMatchObject({ stopReason: 'EVDisconnected', stoppedAt: Date.parse(stop!.timestamp) });
    expect(sessionState(r)).toBe('complete');
    expect(r.unpluggedAt).toBeLessThanOrEqual(r.stoppedAt!);
    expect(idleAfterChargeMs(r)).toBe(0);
    expect(sink.versions.at(-1)!.complete).toBe(true);
  });

  it('faults seen during the session are kept; faulted and unavailable time are intervals', async () => {
    const { f, sink } = await tracked({ ocpp: { MeterValueSampleInterval: 60 } });
    const hw = f.sim.connectors[0]!;
    await startSession(f, CARD);
    await f.advance(5 * MINUTE, MINUTE);
    hw.meter.stopAnswering();
    await f.advance(2 * MINUTE, 10_000);
    expect(f.agent.connectors[0]!.status).toBe('Faulted');
    hw.meter.answerAgain();
    await f.advance(2 * MINUTE, 10_000);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    f.sim.rfid.tap(CARD);
    await f.advance(1000);
    hw.ev.unplug();
    await f.advance(1000);
    expect(await f.csms.call('AGENT-T1', 'ChangeAvailability', { connectorId: 1, type: 'Inoperative' })).toEqual({ status: 'Accepted' });
    await f.advance(10 * MINUTE, MINUTE);
    expect(await f.csms.call('AGENT-T1', 'ChangeAvailability', { connectorId: 1, type: 'Operative' })).toEqual({ status: 'Accepted' });
    await f.advance(1000);

    const r = sink.sessions[0]!;
    expect(r.faults).toEqual([expect.stringMatching(/^PowerMeterFailure: /)]);
    const [faulted] = sink.closed('faulted');
    expect(faulted!.to! - faulted!.from).toBeGreaterThan(MINUTE);
    expect(faulted!.from).toBeGreaterThan(r.startedAt);
    // Charging stopped while faulted: two charging stretches, their sum is the session's charging time.
    const charging = sink.closed('charging');
    expect(charging).toHaveLength(2);
    expect(r.chargingMs).toBe(charging.reduce((n, i) => n + (i.to! - i.from), 0));
    const [unavailable] = sink.closed('unavailable');
    expect((unavailable!.to! - unavailable!.from) / MINUTE).toBeCloseTo(10, 1);
  });
});

describe('UsageTracker after a restart', () => {
  it('a stopped session whose EV left while the charger was down is complete, ending where the history last saw the charger', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'evse-usage-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'sessions.log');
    const clock = new SimulatedClock(T0);
    const history1 = await SessionHistory.open({ file, clock, maxSessions: 100, maxDays: 0, connectors: 1 });
    let tracker1!: UsageTracker;
    const f1 = await agentFixture({
      clock,
      beforeStart: (agent) => {
        tracker1 = new UsageTracker({ agent, clock, sink: history1, resume: history1.resumeState() });
        tracker1.start();
      },
    });
    await startSession(f1, CARD);
    await f1.advance(10 * MINUTE, MINUTE);
    const [tx] = f1.csms.transactions('AGENT-T1');
    expect(await f1.csms.call('AGENT-T1', 'RemoteStopTransaction', { transactionId: tx!.transactionId })).toEqual({ status: 'Accepted' });
    await f1.advance(1000);
    // As `evse run` shuts down: the agent, then the tracker, then the hardware.
    await f1.agent.stop({ flushMs: 500 });
    tracker1.stop();
    const downAt = clock.now();
    await f1.close();
    await history1.close();

    // Down for an hour; the EV leaves meanwhile. A new process, a new simulated world.
    clock.advance(60 * MINUTE);
    const history2 = await SessionHistory.open({ file, clock, maxSessions: 100, maxDays: 0, connectors: 1 });
    const resume = history2.resumeState();
    expect(resume.sessions).toHaveLength(1);
    expect(resume.aliveAt).toBe(downAt);
    await agentFixture({
      clock,
      sim: createSimulatedCharger({ clock, connectors: 1 }), // no EV plugged in
      beforeStart: (agent) => new UsageTracker({ agent, clock, sink: history2, resume }).start(),
    });
    await history2.flush();

    const h = (await SessionHistory.read(file))!;
    expect(h.sessions).toHaveLength(1);
    const r = h.sessions[0]!;
    expect(r).toMatchObject({ stopReason: 'Remote', transactionId: tx!.transactionId, unpluggedAt: downAt, interrupted: true });
    expect(sessionState(r)).toBe('complete');
    // The plugged-in interval ended where the charger was last alive, not when it came back.
    expect(h.intervals.filter((i) => i.kind === 'plugged')).toEqual([{ connectorId: 1, kind: 'plugged', from: expect.any(Number), to: downAt }]);
  });
});

describe('OCPP 2.0.1: a transaction begun at the plug-in (TxStartPoint EVConnected)', () => {
  it('the usage record and the transaction events name nobody at the start, then the driver authorized for it (session history file)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'evse-usage-201-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'sessions.log');
    const clock = new SimulatedClock(T0);
    const history = await SessionHistory.open({ file, clock, maxSessions: 100, maxDays: 0, connectors: 1 });
    cleanups.unshift(() => history.close());
    const events: TransactionEvent[] = [];
    const f = await agent201Fixture({
      clock,
      connectors: 1,
      ocpp: { TxStartPoint: 'EVConnected' },
      beforeStart: (agent) => {
        new UsageTracker({ agent, clock, sink: history, idTagSalt: SALT }).start();
        agent.on('transaction', (e) => events.push(e));
      },
    });
    const ev = f.sim.connectors[0]!.ev;
    ev.plugIn();
    await f.advance(1000);
    await f.waitForSent('TransactionEvent');
    await history.flush();
    const started = (await SessionHistory.read(file))!.sessions;
    expect(started).toHaveLength(1);
    expect(started[0]!.idTagHash).toBeUndefined(); // nobody yet
    f.sim.rfid.tap(CARD);
    await f.advance(1000);
    await f.waitForSent('TransactionEvent', 2);
    await history.flush();
    expect((await SessionHistory.read(file))!.sessions[0]!.idTagHash).toBe(hashIdTag(CARD, SALT));
    ev.unplug();
    await f.advance(1000);
    await f.waitForSent('TransactionEvent', 4);
    await history.flush();
    const [done] = (await SessionHistory.read(file))!.sessions;
    expect(done).toMatchObject({ idTagHash: hashIdTag(CARD, SALT), stopReason: 'EVDisconnected' });
    expect(sessionState(done!)).toBe('complete');
    // What the telemetry hears (its payloads: transactionPayload.test.ts): `started` without an idTag,
    // `authorized` with the driver, `stopped` naming them; one session.
    expect(events.map((e) => [e.event, e.event === 'stopped' ? e.startIdTag : 'idTag' in e ? e.idTag : undefined])).toEqual([
      ['started', ''],
      ['confirmed', undefined],
      ['authorized', CARD],
      ['stopped', CARD],
    ]);
    expect(new Set(events.map((e) => e.localId)).size).toBe(1);
  });
});
