/**
 * The socket's cable lock end to end: a simulated charger whose connectors have a lock, the Agent
 * and the embedded strict CSMS on 127.0.0.1, in virtual time. The lock is engaged before the PWM
 * offer and the contactor, held for the whole session, released only once the contactor is open,
 * and UnlockConnectorOnEVSideDisconnect decides what an unplug at the EV does to it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createSimulatedCharger } from '../hal/sim/createSimulatedCharger.js';
import { SimulatedClock } from '../hal/clock.js';
import { agentFixture, cleanupAgents, CP, startSession, T0, type AgentFixture } from '../test/support/agentFixture.js';

afterEach(cleanupAgents);

const CARD = '04A1B2C3D4E5F6';

/**
 * Confirmed device positions of connector 1, in the order the devices reported them (listening
 * before the agent does: its reaction to one event may move the next device synchronously).
 */
function deviceTrail(f: AgentFixture): string[] {
  const hw = f.sim.connectors[0]!;
  const trail: string[] = [];
  hw.lock!.prependListener('state', (locked) => void trail.push(locked ? 'locked' : 'unlocked'));
  hw.relay.prependListener('state', (state) => void trail.push(`contactor ${state}`));
  return trail;
}

describe('connector lock during a session', () => {
  it('locks before the contactor closes, stays locked while charging, unlocks only after the contactor opened', async () => {
    const f = await agentFixture();
    const hw = f.sim.connectors[0]!;
    const trail = deviceTrail(f);
    expect(hw.lock!.locked).toBe(false);
    await startSession(f, CARD);
    expect(trail).toEqual(['locked', 'contactor closed']);
    await f.advance(30 * 60_000, 60_000);
    expect(hw.lock!.locked).toBe(true);
    expect(f.agent.connectors[0]!.status).toBe('Charging');

    f.sim.rfid.tap(CARD);
    await f.advance(1000);
    expect(f.sent('StopTransaction')).toEqual([expect.objectContaining({ reason: 'Local' })]);
    expect(trail).toEqual(['locked', 'contactor closed', 'contactor open', 'unlocked']);
    expect(hw.lock!.locked).toBe(false);
  });

  it('a lock that does not confirm: no offer, no contactor, Faulted/ConnectorLockFailure; charging once it locks on a retry', async () => {
    const f = await agentFixture();
    const hw = f.sim.connectors[0]!;
    hw.lock!.jam();
    hw.ev.plugIn();
    await f.advance(1000);
    f.sim.rfid.tap(CARD);
    await f.advance(5000);
    expect(hw.lock!.locked).toBe(false);
    expect(hw.relay.state).toBe('open');
    expect(hw.pilot.currentOfferA).toBe(0);
    expect(hw.powerW).toBe(0);
    expect(f.agent.connectors[0]!.status).toBe('Faulted');
    expect(f.statusTrail(1).at(-1)).toBe('Faulted/ConnectorLockFailure');
    // A recoverable fault: the transaction is kept, as for a meter that stops answering.
    expect(f.sent('StartTransaction')).toHaveLength(1);
    expect(f.sent('StopTransaction')).toEqual([]);

    hw.lock!.unjam();
    await f.advance(12_000);
    expect(hw.lock!.locked).toBe(true);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    expect(hw.relay.state).toBe('closed');
    // SuspendedEV while the EV answers the offer that came with the lock.
    expect(f.statusTrail(1).slice(-3)).toEqual(['Faulted/ConnectorLockFailure', 'SuspendedEV', 'Charging']);
  });

  it('UnlockConnector during a session: StopTransaction(UnlockCommand), Unlocked, and the lock is not engaged again', async () => {
    const f = await agentFixture();
    const hw = f.sim.connectors[0]!;
    await startSession(f, CARD);
    expect(hw.lock!.locked).toBe(true);
    expect(await f.csms.call(CP, 'UnlockConnector', { connectorId: 1 })).toEqual({ status: 'Unlocked' });
    await f.advance(15_000);
    expect(f.sent('StopTransaction')).toEqual([expect.objectContaining({ reason: 'UnlockCommand' })]);
    expect(hw.relay.state).toBe('open');
    expect(hw.lock!.locked).toBe(false);
    expect(f.agent.connectors[0]!.status).toBe('Finishing');
  });

  // A guard that the lock handling stays out of the way where there is none (passes before and after).
  it('connectors without a lock (tethered cable) charge and stop as before', async () => {
    const clock = new SimulatedClock(T0);
    const sim = createSimulatedCharger({ clock, tetheredCable: true });
    const f = await agentFixture({ clock, sim });
    await startSession(f, CARD);
    f.sim.rfid.tap(CARD);
    await f.advance(1000);
    expect(f.sent('StopTransaction')).toEqual([expect.objectContaining({ reason: 'Local' })]);
    expect(f.statusTrail(1)).toEqual(['Available', 'Preparing', 'SuspendedEV', 'Charging', 'Finishing']);
    expect(sim.connectors[0]!.lock).toBeUndefined();
  });
});

describe('UnlockConnectorOnEVSideDisconnect', () => {
  it('true (default), transaction kept on unplug: the cable is released at the unplug and locked again before charging on replug', async () => {
    const f = await agentFixture({ ocpp: { StopTransactionOnEVSideDisconnect: false } });
    const hw = f.sim.connectors[0]!;
    await startSession(f, CARD);
    const trail = deviceTrail(f);
    hw.ev.unplug();
    await f.advance(1000);
    expect(f.sent('StopTransaction')).toEqual([]);
    expect(trail).toEqual(['contactor open', 'unlocked']);

    hw.ev.plugIn();
    await f.advance(2000);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    expect(trail).toEqual(['contactor open', 'unlocked', 'locked', 'contactor closed']);
  });

  it('true, transaction stopped on unplug: StopTransaction(EVDisconnected) and the cable is released', async () => {
    const f = await agentFixture();
    const hw = f.sim.connectors[0]!;
    await startSession(f, CARD);
    expect(hw.lock!.locked).toBe(true);
    hw.ev.unplug();
    await f.advance(1000);
    expect(f.sent('StopTransaction')).toEqual([expect.objectContaining({ reason: 'EVDisconnected' })]);
    expect(hw.lock!.locked).toBe(false);
  });

  it('false (set by the CSMS), transaction kept on unplug: the cable stays locked until the card ends the session', async () => {
    const f = await agentFixture({ ocpp: { StopTransactionOnEVSideDisconnect: false } });
    const hw = f.sim.connectors[0]!;
    expect(await f.csms.call(CP, 'ChangeConfiguration', { key: 'UnlockConnectorOnEVSideDisconnect', value: 'false' })).toEqual({ status: 'Accepted' });
    await startSession(f, CARD);
    hw.ev.unplug();
    await f.advance(60_000, 1000);
    expect(f.agent.connectors[0]!.status).toBe('SuspendedEV');
    expect(hw.lock!.locked).toBe(true);

    f.sim.rfid.tap(CARD);
    await f.advance(1000);
    expect(f.sent('StopTransaction')).toEqual([expect.objectContaining({ reason: 'Local' })]);
    expect(hw.lock!.locked).toBe(false);
  });

  it('false, transaction stopped on unplug: the cable stays locked after the StopTransaction until UnlockConnector', async () => {
    const f = await agentFixture({ ocpp: { UnlockConnectorOnEVSideDisconnect: false } });
    const hw = f.sim.connectors[0]!;
    await startSession(f, CARD);
    hw.ev.unplug();
    await f.advance(60_000, 1000);
    expect(f.sent('StopTransaction')).toEqual([expect.objectContaining({ reason: 'EVDisconnected' })]);
    expect(f.agent.connectors[0]!.status).toBe('Available');
    expect(hw.lock!.locked).toBe(true);

    expect(await f.csms.call(CP, 'UnlockConnector', { connectorId: 1 })).toEqual({ status: 'Unlocked' });
    await f.advance(30_000, 1000);
    expect(hw.lock!.locked).toBe(false);
  });

  it('false, transaction stopped on unplug: the card of that session releases the cable and starts nothing', async () => {
    const f = await agentFixture({ ocpp: { UnlockConnectorOnEVSideDisconnect: false } });
    const hw = f.sim.connectors[0]!;
    await startSession(f, CARD);
    hw.ev.unplug();
    await f.advance(1000);
    expect(hw.lock!.locked).toBe(true);

    f.sim.rfid.tap(CARD);
    await f.advance(1000);
    expect(hw.lock!.locked).toBe(false);
    expect(f.sent('StartTransaction')).toHaveLength(1);
    expect(f.agent.connectors[0]!.status).toBe('Available');
  });
});
