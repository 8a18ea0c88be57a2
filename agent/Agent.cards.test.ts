/**
 * Cards at the charger: an in-process Agent on virtual time, simulated hardware, the embedded
 * strict CSMS over a real socket on 127.0.0.1 (test/support/agentFixture.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CP, agentFixture, cleanupAgents } from '../test/support/agentFixture.js';

afterEach(cleanupAgents);

const CARD = '04A1B2C3D4E5F6';
const OTHER = '04FFEEDDCCBBAA';

describe('cards', () => {
  it('tap → Authorize → StartTransaction → Charging; the same card again stops with reason Local', async () => {
    const f = await agentFixture();
    const [connector] = f.sim.connectors;
    connector!.ev.plugIn();
    await f.advance(1000);
    expect(f.agent.connectors[0]!.status).toBe('Preparing');

    f.sim.rfid.tap(CARD);
    await f.advance(1000);
    expect(f.sent('Authorize')).toEqual([{ idTag: CARD }]);
    expect(f.sent('StartTransaction')).toEqual([expect.objectContaining({ connectorId: 1, idTag: CARD, meterStart: 0 })]);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    expect(connector!.relay.state).toBe('closed');

    await f.advance(10 * 60_000, 60_000);
    f.sim.rfid.tap(CARD);
    await f.advance(1000);
    // The card that started the session stops it without asking the CSMS again.
    expect(f.sent('Authorize')).toHaveLength(1);
    const [stop] = f.sent('StopTransaction');
    expect(stop).toMatchObject({ reason: 'Local', idTag: CARD, transactionId: 1 });
    expect(stop!.meterStop).toBeGreaterThan(0);
    expect(connector!.relay.state).toBe('open');
    expect(f.agent.connectors[0]!.status).toBe('Finishing');
    // SuspendedEV for the moment between the PWM offer and the EV asking for power (pilot B → C).
    expect(f.statusTrail(1)).toEqual(['Available', 'Preparing', 'SuspendedEV', 'Charging', 'Finishing']);
    expect(f.csms.transactions()).toHaveLength(1);
  });

  it('ignores a different Accepted card while charging: no stop, no second transaction', async () => {
    const f = await agentFixture();
    f.sim.connectors[0]!.ev.plugIn();
    f.sim.rfid.tap(CARD);
    await f.advance(2000);
    expect(f.agent.connectors[0]!.status).toBe('Charging');

    f.sim.rfid.tap(OTHER);
    await f.advance(2000);
    expect(f.sent('Authorize').map((a) => a.idTag)).toEqual([CARD, OTHER]);
    expect(f.sent('StartTransaction')).toHaveLength(1);
    expect(f.sent('StopTransaction')).toEqual([]);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
  });

  it('a card with the same parentIdTag (answered by the CSMS) stops the session, reason Local', async () => {
    const f = await agentFixture();
    f.csms.setAuthorization({ [CARD]: { status: 'Accepted', parentIdTag: 'FLEET-7' }, [OTHER]: { status: 'Accepted', parentIdTag: 'FLEET-7' } });
    f.sim.connectors[0]!.ev.plugIn();
    f.sim.rfid.tap(CARD);
    await f.advance(2000);
    expect(f.agent.connectors[0]!.status).toBe('Charging');

    f.sim.rfid.tap(OTHER);
    await f.advance(2000);
    expect(f.sent('StopTransaction')).toEqual([expect.objectContaining({ reason: 'Local', idTag: OTHER, transactionId: 1 })]);
    expect(f.sent('StartTransaction')).toHaveLength(1);
    expect(f.agent.connectors[0]!.status).toBe('Finishing');
  });

  it('a card of another group does not stop the session', async () => {
    const f = await agentFixture();
    f.csms.setAuthorization({ [CARD]: { status: 'Accepted', parentIdTag: 'FLEET-7' }, [OTHER]: { status: 'Accepted', parentIdTag: 'FLEET-8' } });
    f.sim.connectors[0]!.ev.plugIn();
    f.sim.rfid.tap(CARD);
    await f.advance(2000);
    f.sim.rfid.tap(OTHER);
    await f.advance(2000);
    expect(f.sent('StopTransaction')).toEqual([]);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
  });

  it('an Invalid card starts nothing and the connector stays Preparing', async () => {
    const f = await agentFixture();
    f.csms.setAuthorization({ [CARD]: 'Accepted' });
    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(1000);
    f.sim.rfid.tap(OTHER);
    await f.advance(5000);
    expect(f.sent('Authorize')).toEqual([{ idTag: OTHER }]);
    expect(f.sent('StartTransaction')).toEqual([]);
    expect(f.agent.connectors[0]!.status).toBe('Preparing');
    expect(f.sim.connectors[0]!.relay.state).toBe('open');
    expect(f.statusTrail(1)).toEqual(['Available', 'Preparing']);
  });

  it('card before the cable: plugging in within ConnectionTimeOut starts the transaction', async () => {
    const f = await agentFixture({ ocpp: { ConnectionTimeOut: 30 } });
    f.sim.rfid.tap(CARD);
    await f.advance(1000);
    expect(f.agent.connectors[0]!.status).toBe('Preparing');
    expect(f.sent('StartTransaction')).toEqual([]);
    await f.advance(25_000);
    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(2000);
    expect(f.sent('StartTransaction')).toEqual([expect.objectContaining({ connectorId: 1, idTag: CARD })]);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
  });

  it('card before the cable: after ConnectionTimeOut the authorization lapses and a later plug-in starts nothing', async () => {
    const f = await agentFixture({ ocpp: { ConnectionTimeOut: 30 } });
    f.sim.rfid.tap(CARD);
    await f.advance(1000);
    expect(f.agent.connectors[0]!.status).toBe('Preparing');
    await f.advance(30_000);
    expect(f.agent.connectors[0]!.status).toBe('Available');
    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(5000);
    expect(f.sent('StartTransaction')).toEqual([]);
    expect(f.agent.connectors[0]!.status).toBe('Preparing');
    expect(f.statusTrail(1)).toEqual(['Available', 'Preparing', 'Available', 'Preparing']);
  });

  it('ConnectionTimeOut changed by the CSMS applies to the next card without a restart', async () => {
    const f = await agentFixture({ ocpp: { ConnectionTimeOut: 300 } });
    expect(await f.csms.call(CP, 'ChangeConfiguration', { key: 'ConnectionTimeOut', value: '10' })).toEqual({ status: 'Accepted' });
    f.sim.rfid.tap(CARD);
    await f.advance(1000);
    expect(f.agent.connectors[0]!.status).toBe('Preparing');
    await f.advance(10_000);
    expect(f.agent.connectors[0]!.status).toBe('Available');
  });

  it('StopTransactionOnEVSideDisconnect=false set by the CSMS keeps the session through an unplug', async () => {
    const f = await agentFixture();
    expect(await f.csms.call(CP, 'ChangeConfiguration', { key: 'StopTransactionOnEVSideDisconnect', value: 'false' })).toEqual({ status: 'Accepted' });
    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(1000);
    f.sim.rfid.tap(CARD);
    await f.advance(2000);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    f.sim.connectors[0]!.ev.unplug();
    await f.advance(2000);
    expect(f.sent('StopTransaction')).toEqual([]);
    expect(f.sim.connectors[0]!.relay.state).toBe('open');
  });

  it('a reserving card goes to the connector reserved for it; another card to a free connector, never a reserved one', async () => {
    const f = await agentFixture({ charger: { connectors: 2 } });
    const expiryDate = new Date(f.clock.now() + 3_600_000).toISOString();
    expect(await f.csms.call(CP, 'ReserveNow', { connectorId: 2, expiryDate, idTag: CARD, reservationId: 5 })).toEqual({ status: 'Accepted' });
    await f.advance(1000);
    f.sim.rfid.tap(CARD); // no cable yet anywhere
    await f.advance(1000);
    f.sim.connectors[1]!.ev.plugIn();
    await f.advance(2000);
    expect(f.sent('StartTransaction')).toEqual([expect.objectContaining({ connectorId: 2, idTag: CARD, reservationId: 5 })]);

    expect(await f.csms.call(CP, 'ReserveNow', { connectorId: 1, expiryDate, idTag: CARD, reservationId: 6 })).toEqual({ status: 'Accepted' });
    expect(await f.csms.call(CP, 'RemoteStopTransaction', { transactionId: 1 })).toEqual({ status: 'Accepted' });
    await f.advance(1000);
    f.sim.connectors[1]!.ev.unplug();
    await f.advance(1000);
    f.sim.rfid.tap(OTHER); // connector 1 is reserved for CARD: OTHER goes to connector 2
    await f.advance(1000);
    expect(f.agent.connectors.map((c) => c.status)).toEqual(['Reserved', 'Preparing']);
    f.sim.connectors[1]!.ev.plugIn();
    await f.advance(2000);
    expect(f.sent('StartTransaction')[1]).toMatchObject({ connectorId: 2, idTag: OTHER });
    expect(f.sent('StartTransaction')[1]).not.toHaveProperty('reservationId');
    expect(f.agent.connectors[0]!.status).toBe('Reserved');
  });
});
