/**
 * The Agent's life cycle and its transaction plumbing end to end: shutdown, start on hardware
 * with a latched fault, sessions while the CSMS does not accept the charger, late
 * StartTransaction answers. In-process Agent, virtual time, embedded strict CSMS on 127.0.0.1
 * (test/support/agentFixture.ts).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SimulatedClock } from '../hal/clock.js';
import { createSimulatedCharger } from '../hal/sim/createSimulatedCharger.js';
import { CP, T0, agentFixture, cleanupAgents, reconnectPending, startSession } from '../test/support/agentFixture.js';
import { callError } from '../scenarios/csms/EmbeddedCsms.js';

afterEach(cleanupAgents);

const CARD = '04A1B2C3D4E5F6';
const OTHER = '04FFEEDDCCBBAA';
const MINUTE = 60_000;

describe('agent.stop()', () => {
  it('ends the transaction with reason Reboot, opens the contactor, closes the connection and leaves no timer', async () => {
    const f = await agentFixture({ ocpp: { MeterValueSampleInterval: 60, ClockAlignedDataInterval: 900 } });
    await startSession(f, CARD);
    await f.advance(5 * MINUTE, MINUTE);
    expect(f.sim.connectors[0]!.relay.state).toBe('closed');

    await f.agent.stop();
    expect(f.sent('StopTransaction')).toEqual([expect.objectContaining({ transactionId: 1, reason: 'Reboot' })]);
    expect(f.sim.connectors[0]!.relay.state).toBe('open');
    await vi.waitFor(() => expect(f.csms.isConnected(CP)).toBe(false), { timeout: 5000, interval: 5 });
    await f.sim.close();
    expect(f.clock.pendingTimers).toBe(0);
  });

  it('waits for the answer to the status that follows its StopTransaction, however slow the CSMS (no cut after a number of event-loop turns)', async () => {
    const f = await agentFixture();
    await startSession(f, CARD);
    // The CSMS answers StatusNotification 300 ms (real time) late; the agent has 2 s to flush.
    f.csms.respondTo('StatusNotification', async (_request, ctx) => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      return ctx.defaultReply();
    });
    const answered: string[] = [];
    f.agent.on('traffic', (r) => {
      if (r.direction === 'in' && r.type === 'result' && r.action) answered.push(r.action);
    });
    await f.agent.stop();
    expect(answered).toEqual(['StopTransaction', 'StatusNotification']);
    await f.sim.close();
  });

  it('leaves no timer with a reservation, a card waiting for its cable and a retry pending', async () => {
    const f = await agentFixture({ charger: { connectors: 3 }, ocpp: { MeterValueSampleInterval: 60, ConnectionTimeOut: 120, TransactionMessageRetryInterval: 30 } });
    f.csms.respondTo('MeterValues', callError('InternalError'));
    await startSession(f, CARD, 1);
    await f.advance(MINUTE + 1000); // a sample failed: its retry waits 30 s
    expect(f.sent('MeterValues')).toHaveLength(1);
    expect(await f.csms.call(CP, 'ReserveNow', { connectorId: 3, expiryDate: new Date(f.clock.now() + 3_600_000).toISOString(), idTag: 'R', reservationId: 4 })).toEqual({
      status: 'Accepted',
    });
    f.sim.rfid.tap(OTHER); // connector 2, waiting for its cable
    await f.advance(0);
    expect(f.agent.connectors.map((c) => c.status)).toEqual(['Charging', 'Preparing', 'Reserved']);

    await f.agent.stop({ flushMs: 500 });
    await f.sim.close();
    expect(f.clock.pendingTimers).toBe(0);
  });

  it('while the CSMS is unreachable: returns without delivering, contactor open, no timer left', async () => {
    const f = await agentFixture();
    await startSession(f, CARD);
    await f.csms.stop();
    await vi.waitFor(() => expect(f.agent.link.isAccepted).toBe(false), { timeout: 5000, interval: 5 });
    const t0 = performance.now();
    await f.agent.stop({ flushMs: 3000 });
    expect(performance.now() - t0).toBeLessThan(1000); // nothing can be sent: no waiting for the flush time
    expect(f.sim.connectors[0]!.relay.state).toBe('open');
    await f.sim.close();
    expect(f.clock.pendingTimers).toBe(0);
  });
});

describe('start', () => {
  it('reports a fault the hardware already has (a welded contactor survives a Soft reset in bin/runAgent)', async () => {
    const clock = new SimulatedClock(T0);
    const sim = createSimulatedCharger({ clock, connectors: 2 });
    const relay = sim.connectors[1]!.relay;
    await relay.close();
    relay.weld();
    const opening = relay.open().catch((err: unknown) => err);
    clock.advance(relay.deadlineMs);
    expect(await opening).toMatchObject({ code: 'RELAY_WELDED' });

    const f = await agentFixture({ clock, sim });
    expect(f.agent.connectors.map((c) => c.status)).toEqual(['Available', 'Faulted']);
    expect(f.statusTrail(2)).toEqual(['Faulted/PowerSwitchFailure']);
    expect(await f.csms.call(CP, 'RemoteStartTransaction', { connectorId: 2, idTag: 'REMOTE1' })).toEqual({ status: 'Rejected' });
  });
});

describe('sessions while the CSMS does not accept the charger', () => {
  it('are journaled and delivered in order after the next accepted boot, the stop with the transactionId the CSMS assigned', async () => {
    const f = await agentFixture({ ocpp: { AllowOfflineTxForUnknownId: true, MeterValueSampleInterval: 300 } });
    // The next boot (the 2nd) is answered Pending, retry in 10 minutes.
    await reconnectPending(f);

    await startSession(f, CARD); // Authorize impossible: accepted as an unknown idTag offline
    await f.advance(6 * MINUTE, MINUTE);
    f.sim.rfid.tap(CARD);
    await f.advance(1000);
    expect(f.sent('Authorize')).toEqual([]);
    expect(f.sent('StartTransaction')).toEqual([]);

    await f.advance(5 * MINUTE, MINUTE); // Accepted boot
    const calls = f.csms.traffic((r) => r.chargePointId === CP && r.direction === 'in' && r.kind === 'call').map((r) => r.action);
    const txCalls = calls.filter((a) => a === 'StartTransaction' || a === 'MeterValues' || a === 'StopTransaction');
    expect(txCalls).toEqual(['StartTransaction', 'MeterValues', 'StopTransaction']);
    expect(calls.indexOf('StartTransaction')).toBeGreaterThan(calls.lastIndexOf('BootNotification'));
    const [tx] = f.csms.transactions(CP);
    expect(tx).toMatchObject({ idTag: CARD, stop: { reason: 'Local' } });
    expect(f.sent('StopTransaction')[0]!.transactionId).toBe(tx!.transactionId);
    expect(f.sent('MeterValues')[0]!.transactionId).toBe(tx!.transactionId);
    expect(f.csms.chargePoint(CP)?.unknownStops).toEqual([]);
  });
});

describe('transaction messages the CSMS answers with a CallError', () => {
  it('are retried after RetryInterval × attempt on the clock, without stalling virtual time', async () => {
    const f = await agentFixture({ ocpp: { TransactionMessageAttempts: 3, TransactionMessageRetryInterval: 30 } });
    f.csms.respondOnce('StopTransaction', callError('InternalError'), { times: 2 });
    await startSession(f, CARD);
    f.sim.rfid.tap(CARD);
    const stoppedAt = f.clock.now();
    const wall = performance.now();
    await f.advance(3 * MINUTE, 5000);
    expect(performance.now() - wall).toBeLessThan(2000); // settling never waited for a retry in real time
    const stops = f.csms.traffic((r) => r.direction === 'in' && r.kind === 'call' && r.action === 'StopTransaction');
    expect(stops.map((r) => r.t - stoppedAt)).toEqual([0, 30_000, 90_000]);
    expect(f.csms.transactions(CP)[0]?.stop).toMatchObject({ reason: 'Local' });
  });

  it('are given up after TransactionMessageAttempts and the next one goes out', async () => {
    const f = await agentFixture({ ocpp: { TransactionMessageAttempts: 2, TransactionMessageRetryInterval: 10, MeterValueSampleInterval: 60 } });
    f.csms.respondOnce('MeterValues', callError('InternalError'), { times: 2 });
    await startSession(f, CARD);
    await f.advance(2 * MINUTE, 5000);
    const mvs = f.csms.traffic((r) => r.direction === 'in' && r.kind === 'call' && r.action === 'MeterValues');
    const start = Date.parse(f.sent('StartTransaction')[0]!.timestamp);
    // Sample 1 at +60 s fails, retried at +70 s, fails again: given up. Sample 2 at +120 s goes through.
    expect(mvs.map((r) => r.t - start)).toEqual([60_000, 70_000, 120_000]);
    expect(f.csms.transactions(CP)[0]?.meterValues).toHaveLength(1);
  });
});

describe('the StartTransaction answer', () => {
  it('confirms only the transaction it started: a late answer does not end the next session on that connector', async () => {
    const f = await agentFixture({ ocpp: { LocalPreAuthorize: true } });
    f.agent.authCache.put(CARD, { status: 'Accepted' });
    f.agent.authCache.put(OTHER, { status: 'Accepted' });
    // A consistent CSMS: the StopTransaction.conf, which the cache also learns from, says Blocked too.
    f.csms.setAuthorization({ [CARD]: 'Blocked', [OTHER]: 'Accepted' });
    let answer: (() => void) | undefined;
    f.csms.respondOnce('StartTransaction', (_req, ctx) => new Promise((resolve) => (answer = () => resolve({ ...ctx.defaultReply(), idTagInfo: { status: 'Blocked' } }))));
    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(1000);

    f.sim.rfid.tap(CARD);
    await f.csms.waitForCall(CP, 'StartTransaction', { idTag: CARD }, 5000);
    f.sim.rfid.tap(CARD); // stopped before the CSMS answered
    f.sim.rfid.tap(OTHER); // and the next driver starts right away
    await vi.waitFor(() => expect(f.agent.connectors[0]!.status).toBe('Charging'), { timeout: 5000, interval: 2 });
    expect(f.agent.transactions.get(1)?.idTag).toBe(OTHER);

    answer!(); // CARD is Blocked: that is about the first transaction, which is over
    await f.advance(2000);
    expect(f.sent('StartTransaction').map((s) => s.idTag)).toEqual([CARD, OTHER]);
    expect(f.sent('StopTransaction')).toEqual([expect.objectContaining({ transactionId: 1, reason: 'Local', idTag: CARD })]);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    // The cache learnt CARD's status, not OTHER's.
    expect(f.agent.authCache.get(CARD)?.status).toBe('Blocked');
    expect(f.agent.authCache.get(OTHER)?.status).toBe('Accepted');
    expect(f.agent.authCache.has('')).toBe(false);
  });

  it('with a rejected idTag ends the running session (StopTransactionOnInvalidId) with reason DeAuthorized', async () => {
    const f = await agentFixture({ ocpp: { AuthorizationCacheEnabled: false } });
    f.csms.respondOnce('StartTransaction', (_req, ctx) => ({ ...ctx.defaultReply(), idTagInfo: { status: 'Invalid' } }));
    await startSession(f, CARD).catch(() => undefined); // it may be over before the status is looked at
    await f.advance(1000);
    expect(f.sent('StopTransaction')).toEqual([expect.objectContaining({ transactionId: 1, reason: 'DeAuthorized' })]);
    expect(f.sim.connectors[0]!.relay.state).toBe('open');
    expect(f.agent.authCache.size).toBe(0); // AuthorizationCacheEnabled=false: not written
  });
});

describe('a stop while the start is still reading the meter', () => {
  it('is not lost: StartTransaction then StopTransaction, and the connector is free afterwards', async () => {
    const f = await agentFixture();
    const hw = f.sim.connectors[0]!;
    // A Modbus meter that takes 500 ms to answer.
    const read = hw.meter.read.bind(hw.meter);
    hw.meter.read = () => new Promise((resolve, reject) => f.clock.setTimeout(() => void read().then(resolve, reject), 500));
    hw.ev.plugIn();
    await f.advance(1000);
    expect(await f.csms.call(CP, 'RemoteStartTransaction', { connectorId: 1, idTag: 'REMOTE1' })).toEqual({ status: 'Accepted' });
    await f.advance(100, 10);
    hw.ev.unplug(); // the driver changes their mind while meterStart is being read
    await f.advance(2000, 100);

    expect(f.sent('StartTransaction')).toHaveLength(1);
    expect(f.sent('StopTransaction')).toEqual([expect.objectContaining({ transactionId: 1, reason: 'EVDisconnected' })]);
    expect(f.agent.transactions.get(1)).toBeUndefined();
    expect(f.agent.connectors[0]!.status).toBe('Available');
    hw.ev.plugIn();
    await f.advance(1000);
    expect(await f.csms.call(CP, 'RemoteStartTransaction', { connectorId: 1, idTag: 'REMOTE2' })).toEqual({ status: 'Accepted' });
    await f.advance(2000, 100);
    expect(f.sent('StartTransaction').map((s) => s.idTag)).toEqual(['REMOTE1', 'REMOTE2']);
  });

  it('Reset during that moment still stops the starting transaction (reason SoftReset)', async () => {
    const f = await agentFixture();
    const hw = f.sim.connectors[0]!;
    const read = hw.meter.read.bind(hw.meter);
    hw.meter.read = () => new Promise((resolve, reject) => f.clock.setTimeout(() => void read().then(resolve, reject), 500));
    hw.ev.plugIn();
    await f.advance(1000);
    expect(await f.csms.call(CP, 'RemoteStartTransaction', { connectorId: 1, idTag: 'REMOTE1' })).toEqual({ status: 'Accepted' });
    expect(f.agent.transactions.get(1)).toBeUndefined(); // meterStart not read yet
    const resets: string[] = [];
    f.agent.on('reset', (t) => void resets.push(t));
    expect(await f.csms.call(CP, 'Reset', { type: 'Soft' })).toEqual({ status: 'Accepted' });
    await vi.waitFor(() => expect(resets).toEqual(['Soft']), { timeout: 5000, interval: 2 });
    await f.advance(2000, 100);
    expect(f.sent('StopTransaction')).toEqual([expect.objectContaining({ transactionId: 1, reason: 'SoftReset' })]);
  });
});
