/**
 * OCPP 2.0.1 registration and status over a real socket: the agent offers `ocpp2.0.1` to a strict
 * 2.0.1 CSMS (ocpp-rpc validates both ways), boots with reason and chargingStation, follows
 * Pending/Rejected with their interval, heartbeats, and reports each EVSE's connector status in
 * ConnectorStatusEnumType.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { agent201Fixture, cleanupAgents201 } from '../../../test/support/agent201Fixture.js';

afterEach(cleanupAgents201);

const SECOND = 1000;

describe('OCPP 2.0.1 registration', () => {
  it('offers ocpp2.0.1, boots with reason PowerUp and the station identity, then reports every EVSE', async () => {
    const f = await agent201Fixture();
    expect(f.csms.client.protocol).toBe('ocpp2.0.1');
    expect(f.sent('BootNotification')).toEqual([
      { reason: 'PowerUp', chargingStation: { model: 'test', vendorName: 'evse-agent', serialNumber: 'SN-201', firmwareVersion: '0.1.0' } },
    ]);
    expect(f.agent.link.state).toBe('accepted');
    // One per EVSE (connector 1 each), none for the station as a whole (2.0.1 has no connectorId 0).
    expect(f.sent('StatusNotification').map(({ evseId, connectorId, connectorStatus }) => ({ evseId, connectorId, connectorStatus }))).toEqual([
      { evseId: 1, connectorId: 1, connectorStatus: 'Available' },
      { evseId: 2, connectorId: 1, connectorStatus: 'Available' },
    ]);
    expect(f.sent('StatusNotification')[0]!.timestamp).toBe(new Date(f.clock.now()).toISOString());
  });

  it('takes the interval of an Accepted boot as the heartbeat interval and sends Heartbeat on it', async () => {
    const f = await agent201Fixture({ csms: { boot: () => ({ interval: 120 }) } });
    expect(f.config.getInt('HeartbeatInterval')).toBe(120);
    await f.advance(119 * SECOND);
    expect(f.csms.count('Heartbeat')).toBe(0);
    await f.advance(1 * SECOND);
    await f.waitForSent('Heartbeat');
  });

  it('Pending: sends nothing but BootNotification, answers the CSMS, and boots again after interval', async () => {
    const f = await agent201Fixture({ boot: false, csms: { boot: (n) => (n === 1 ? { status: 'Pending', interval: 30 } : { interval: 3600 }) } });
    await f.waitForSent('BootNotification');
    await f.advance(0);
    expect(f.agent.link.state).toBe('pending');
    // The CSMS may look at the station while it is Pending (B02).
    const got = await f.call('GetVariables', { getVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }] });
    expect(got.getVariableResult[0]).toMatchObject({ attributeStatus: 'Accepted', attributeValue: '300' });
    await f.advance(29 * SECOND);
    expect(f.csms.count('BootNotification')).toBe(1);
    expect(f.csms.count('StatusNotification')).toBe(0);
    await f.advance(1 * SECOND);
    await f.waitForSent('StatusNotification', 2);
    expect(f.csms.count('BootNotification')).toBe(2);
    expect(f.agent.link.state).toBe('accepted');
  });

  it('Rejected: answers no CSMS call and boots again only after interval', async () => {
    const f = await agent201Fixture({ boot: false, csms: { boot: (n) => (n === 1 ? { status: 'Rejected', interval: 60 } : { interval: 3600 }) } });
    await f.waitForSent('BootNotification');
    await f.advance(0);
    expect(f.agent.link.state).toBe('rejected');
    const unanswered = f.csms.client.call('GetVariables', { getVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }] }, { callTimeoutMs: 300 });
    await expect(unanswered).rejects.toThrow();
    await f.advance(59 * SECOND);
    expect(f.csms.count('BootNotification')).toBe(1);
    await f.advance(1 * SECOND);
    await f.waitForSent('StatusNotification', 2);
    expect(f.agent.link.state).toBe('accepted');
  });

  it('reports a connector in use as Occupied, and Available again after the session', async () => {
    const f = await agent201Fixture({ connectors: 1 });
    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(1000);
    await f.waitForSent('StatusNotification', 2);
    expect(f.sent('StatusNotification').map((s) => s.connectorStatus)).toEqual(['Available', 'Occupied']);
    f.sim.connectors[0]!.ev.unplug();
    await f.advance(1000);
    await f.waitForSent('StatusNotification', 3);
    expect(f.sent('StatusNotification').at(-1)!.connectorStatus).toBe('Available');
  });
});
