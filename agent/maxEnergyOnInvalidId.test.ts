/**
 * MaxEnergyOnInvalidId through a whole in-process Agent, the simulated EV and the embedded strict
 * CSMS over a real socket, in virtual time: after the CSMS rejects the idTag of a running
 * transaction (StartTransaction.conf not Accepted) with StopTransactionOnInvalidId false, the EV
 * may draw that much energy more; then the connector suspends (SuspendedEVSE, contactor open).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CP, agentFixture, cleanupAgents } from '../test/support/agentFixture.js';

afterEach(cleanupAgents);

const SECOND = 1000;

async function rejectedSession(ocpp: Record<string, number | boolean>) {
  const f = await agentFixture({ ocpp: { StopTransactionOnInvalidId: false, ...ocpp } });
  f.csms.setAuthorization({ GOOD: 'Accepted' }); // anything else is Invalid
  f.sim.connectors[0]!.ev.plugIn();
  await f.advance(SECOND);
  // A remote start is not authorized first (AuthorizeRemoteTxRequests=false): the StartTransaction.conf decides.
  expect(await f.csms.call(CP, 'RemoteStartTransaction', { connectorId: 1, idTag: 'STOLEN' })).toEqual({ status: 'Accepted' });
  await f.advance(SECOND);
  expect(f.csms.transactions(CP)).toEqual([expect.objectContaining({ idTag: 'STOLEN' })]);
  return f;
}

describe('MaxEnergyOnInvalidId', () => {
  it('lets the EV draw that many Wh after the idTag was rejected, then suspends (SuspendedEVSE, contactor open)', async () => {
    const f = await rejectedSession({ MaxEnergyOnInvalidId: 500 });
    const meter = f.sim.connectors[0]!.meter;
    // StartTransaction.conf answers at once: the register at the rejection is meterStart (rounded down).
    const atRejection = f.sent('StartTransaction')[0]!.meterStart;
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    // ≈ 11 kW: 500 Wh take about 164 s.
    await f.advance(120 * SECOND, SECOND);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    await f.advance(120 * SECOND, SECOND);
    expect(f.agent.connectors[0]!.status).toBe('SuspendedEVSE');
    expect(f.sim.connectors[0]!.relay.state).toBe('open');
    const delivered = (await meter.read()).energyWh - atRejection;
    expect(delivered).toBeGreaterThanOrEqual(499);
    expect(delivered).toBeLessThan(515); // checked at the moment the allowance runs out, not a poll later
    await f.advance(60 * SECOND, SECOND);
    expect((await meter.read()).energyWh - atRejection).toBeCloseTo(delivered, 3);
    expect(f.sent('StopTransaction')).toEqual([]); // suspended, not stopped
    expect(f.statusTrail(1).slice(-2)).toEqual(['Charging', 'SuspendedEVSE']);
  });

  it('a meter that stops answering ends the allowance (when in doubt, no power)', async () => {
    const f = await rejectedSession({ MaxEnergyOnInvalidId: 100_000 });
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    f.sim.connectors[0]!.meter.stopAnswering();
    await f.advance(31 * SECOND, SECOND);
    expect(f.sim.connectors[0]!.relay.state).toBe('open');
    expect(f.agent.connectors[0]!.hasTransaction).toBe(true);
  });
});
