/**
 * IEC 61851 state D (the EV asks for ventilation) end to end: a simulated EV, the Agent and the
 * embedded strict CSMS on 127.0.0.1, in virtual time. Without the `ventilation` capability D never
 * gets the contactor; with it, D charges like C.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { agentFixture, cleanupAgents, startSession } from '../test/support/agentFixture.js';

afterEach(cleanupAgents);

const CARD = '04A1B2C3D4E5F6';

describe('pilot state D (ventilation requested)', () => {
  it('without ventilation: contactor opens, offer withdrawn, Faulted/OtherError with a clear info; the transaction survives', async () => {
    const f = await agentFixture();
    const hw = f.sim.connectors[0]!;
    await startSession(f, CARD);
    expect(hw.relay.state).toBe('closed');

    hw.ev.setVentilation(true);
    await f.advance(1000);
    expect(hw.pilot.state).toBe('D');
    expect(hw.relay.state).toBe('open');
    expect(hw.pilot.currentOfferA).toBe(0);
    expect(f.agent.connectors[0]!.status).toBe('Faulted');
    const faulted = f.sent('StatusNotification').filter((s) => s.connectorId === 1).at(-1);
    expect(faulted).toMatchObject({ status: 'Faulted', errorCode: 'OtherError', info: 'EV requests ventilation; not supported' });
    expect(f.sent('StopTransaction')).toEqual([]);
    expect(f.agent.transactions.get(1)).toBeDefined();
    // No energy flows while the EV waits in D.
    const before = (await hw.meter.read()).energyWh;
    await f.advance(10 * 60_000, 60_000);
    expect((await hw.meter.read()).energyWh).toBe(before);

    // The EV gives up on ventilation: the same transaction charges again.
    hw.ev.setVentilation(false);
    await f.advance(2000);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    expect(hw.relay.state).toBe('closed');
    expect(f.statusTrail(1).slice(-2)).toEqual(['Faulted/OtherError', 'Charging']);
    expect(f.sent('StartTransaction')).toHaveLength(1);
    expect(f.sent('StopTransaction')).toEqual([]);
  });

  it('with ventilation: D charges like C', async () => {
    const f = await agentFixture({ agent: { ventilation: true }, charger: { ev: { ventilation: true } } });
    const hw = f.sim.connectors[0]!;
    await startSession(f, CARD);
    expect(hw.pilot.state).toBe('D');
    expect(hw.relay.state).toBe('closed');
    expect(f.statusTrail(1)).not.toContain('Faulted/OtherError');
    await f.advance(10 * 60_000, 60_000);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    expect((await hw.meter.read()).energyWh).toBeGreaterThan(1000);
  });
});
