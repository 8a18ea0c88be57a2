/**
 * Device faults end to end: simulated meter and contactor faults reach the connector machine,
 * the contactor and the CSMS (StatusNotification errorCode, StopTransaction reason), in virtual
 * time against the embedded strict CSMS on 127.0.0.1 (test/support/agentFixture.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { agentFixture, cleanupAgents, startSession } from '../test/support/agentFixture.js';

afterEach(cleanupAgents);

const CARD = '04A1B2C3D4E5F6';
const MINUTE = 60_000;

describe('meter fault during a transaction', () => {
  it.each([
    ['with periodic samples', 60],
    ['with periodic samples off', 0],
  ])('%s: Faulted/PowerMeterFailure, contactor open, transaction kept; back to Charging when the meter answers', async (_name, interval) => {
    const f = await agentFixture({ ocpp: { MeterValueSampleInterval: interval } });
    const hw = f.sim.connectors[0]!;
    await startSession(f, CARD);
    await f.advance(5 * MINUTE, MINUTE);

    hw.meter.stopAnswering();
    // The charger notices at its next meter read: a periodic sample, or here a triggered one.
    if (interval === 0) await f.csms.call('AGENT-T1', 'TriggerMessage', { requestedMessage: 'MeterValues', connectorId: 1 });
    await f.advance(2 * MINUTE, 10_000);
    expect(f.agent.connectors[0]!.status).toBe('Faulted');
    expect(f.agent.connectors[0]!.errorCode).toBe('PowerMeterFailure');
    expect(f.statusTrail(1).at(-1)).toBe('Faulted/PowerMeterFailure');
    expect(hw.relay.state).toBe('open');
    expect(f.sent('StopTransaction')).toEqual([]);
    expect(f.agent.transactions.get(1)).toBeDefined();

    hw.meter.answerAgain();
    await f.advance(2 * MINUTE, 10_000);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    expect(f.statusTrail(1).slice(-2)).toEqual(['Faulted/PowerMeterFailure', 'Charging']);
    expect(hw.relay.state).toBe('closed');
    expect(f.sent('StopTransaction')).toEqual([]);

    f.sim.rfid.tap(CARD);
    await f.advance(1000);
    expect(f.sent('StopTransaction')).toEqual([expect.objectContaining({ transactionId: 1, reason: 'Local' })]);
  });

  it('no meter polling is left once the fault has cleared', async () => {
    const f = await agentFixture({ ocpp: { MeterValueSampleInterval: 0 } });
    const hw = f.sim.connectors[0]!;
    await startSession(f, CARD);
    const timersWhileCharging = f.clock.pendingTimers;
    hw.meter.stopAnswering();
    await f.csms.call('AGENT-T1', 'TriggerMessage', { requestedMessage: 'MeterValues', connectorId: 1 });
    await f.advance(MINUTE, 10_000);
    expect(f.agent.connectors[0]!.status).toBe('Faulted');
    hw.meter.answerAgain();
    await f.advance(MINUTE, 10_000);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    expect(f.clock.pendingTimers).toBe(timersWhileCharging);
  });
});

describe('welded contactor', () => {
  it('Faulted/PowerSwitchFailure and StopTransaction reason Other', async () => {
    const f = await agentFixture();
    const hw = f.sim.connectors[0]!;
    await startSession(f, CARD);
    await f.advance(5 * MINUTE, MINUTE);
    hw.relay.weld();
    hw.ev.suspend(); // the EV pauses: the charger opens the contactor, which does not open
    await f.advance(1000, 50);
    expect(f.sent('StopTransaction')).toEqual([expect.objectContaining({ transactionId: 1, reason: 'Other' })]);
    expect(f.agent.connectors[0]!.status).toBe('Faulted');
    expect(f.statusTrail(1).at(-1)).toBe('Faulted/PowerSwitchFailure');
    expect(hw.relay.state).toBe('closed'); // welded: reported, not hidden
    // Not recoverable: a card cannot start a new session.
    hw.ev.resume();
    f.sim.rfid.tap(CARD);
    await f.advance(5000);
    expect(f.sent('StartTransaction')).toHaveLength(1);
    expect(f.agent.connectors[0]!.status).toBe('Faulted');
  });
});

describe('card reader fault', () => {
  it('is reported for the charge point (connectorId 0, ReaderFailure) and cleared by the next good read; connectors stay usable', async () => {
    const f = await agentFixture();
    const chargePointTrail = () => f.statusTrail(0);
    expect(chargePointTrail().at(-1)).toBe('Available');

    for (let i = 0; i < 3; i++) f.sim.rfid.sendGarbage();
    await f.advance(1000);
    expect(chargePointTrail().at(-1)).toBe('Available/ReaderFailure');
    const reported = f.sent('StatusNotification').filter((s) => s.connectorId === 0).at(-1);
    expect(reported).toMatchObject({ errorCode: 'ReaderFailure', info: 'RFID_FAULT', status: 'Available' });
    // Reported once, not per garbage frame.
    f.sim.rfid.sendGarbage();
    await f.advance(1000);
    expect(chargePointTrail().filter((s) => s === 'Available/ReaderFailure')).toHaveLength(1);
    // The connector itself is not faulted (remote starts need no reader).
    expect(f.agent.connectors[0]!.status).not.toBe('Faulted');

    // The next good read clears it, and that card starts a session as usual.
    await startSession(f, CARD);
    expect(chargePointTrail().at(-1)).toBe('Available');
    expect(f.sent('StartTransaction')).toHaveLength(1);
  });
});
