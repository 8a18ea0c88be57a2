/**
 * Tamper detection end to end: the simulated cabinet switch of an in-process Agent on virtual
 * time, the embedded strict CSMS over a real WebSocket, MaintenanceMode set with ChangeConfiguration.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../hal/clock.js';
import { createSimulatedCharger } from '../hal/sim/createSimulatedCharger.js';
import { CP, T0, agentFixture, cleanupAgents, startSession } from '../test/support/agentFixture.js';
import type { SecurityEventType } from './security/securityEvents.js';
import type { TamperState } from './tamper/TamperGuard.js';

afterEach(cleanupAgents);

async function charger(opts: { openAtStart?: boolean; configFile?: string } = {}) {
  const events: SecurityEventType[] = [];
  const states: TamperState[] = [];
  const clock = new SimulatedClock(T0);
  const sim = createSimulatedCharger({ clock, connectors: 1, tamperSwitch: true });
  if (opts.openAtStart) sim.tamper!.open();
  const f = await agentFixture({
    clock,
    sim,
    ...(opts.configFile !== undefined && { configFile: opts.configFile }),
    agent: { securityEvents: { raise: (type) => void events.push(type) } },
    beforeStart: (agent) => agent.on('tamper', (s) => void states.push(s)),
  });
  return { f, events, states };
}

describe('tamper detection', () => {
  it('opening the cabinet ends the session, faults every connector, raises TamperDetectionActivated and switches the alarm on', async () => {
    const { f, events, states } = await charger();
    await startSession(f);
    f.sim.tamper!.open();
    await f.advance(2000);
    expect(f.sent('StopTransaction')).toEqual([expect.objectContaining({ reason: 'Other' })]);
    expect(f.sim.connectors[0]!.relay.state).toBe('open');
    expect(f.statusTrail(1).at(-1)).toBe('Faulted/OtherError');
    expect(events).toEqual(['TamperDetectionActivated']);
    expect(f.sim.alarm!.on).toBe(true);
    expect(states.at(-1)).toEqual({ active: true, maintenance: false, latched: true });

    f.sim.rfid.tap('04FFEEDDCCBBAA'); // no new session while out of service
    await f.advance(2000);
    expect(f.sent('StartTransaction')).toHaveLength(1);
  });

  it('stays out of service after the door is shut, until the CSMS sets MaintenanceMode; opening during maintenance is allowed', async () => {
    const { f, events } = await charger();
    f.sim.tamper!.open();
    await f.advance(1000);
    f.sim.tamper!.shut();
    await f.advance(60_000, 10_000);
    expect(f.agent.connectors[0]!.status).toBe('Faulted');

    expect(await f.csms.call(CP, 'ChangeConfiguration', { key: 'MaintenanceMode', value: 'true' })).toEqual({ status: 'Accepted' });
    await f.advance(1000);
    expect(f.agent.connectors[0]!.status).toBe('Available');
    expect(f.sim.alarm!.writes).toEqual([true, false]);

    f.sim.tamper!.open(); // the technician at work
    await f.advance(1000);
    expect(f.agent.connectors[0]!.status).toBe('Available');
    expect(events).toEqual(['TamperDetectionActivated']);

    // Maintenance ended with the door still open: that is tampering again.
    expect(await f.csms.call(CP, 'ChangeConfiguration', { key: 'MaintenanceMode', value: 'false' })).toEqual({ status: 'Accepted' });
    await f.advance(1000);
    expect(f.agent.connectors[0]!.status).toBe('Faulted');
    expect(events).toEqual(['TamperDetectionActivated', 'TamperDetectionActivated']);
  });

  it('a cabinet already open at start keeps the charger out of service', async () => {
    const { f, events } = await charger({ openAtStart: true });
    await f.advance(1000);
    expect(f.agent.connectors[0]!.status).toBe('Faulted');
    expect(events).toEqual(['TamperDetectionActivated']);
  });

  it('MaintenanceMode set by DataTransfer (org.evse-agent.maintenance / MaintenanceMode) puts the charger back in service and survives a restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'evse-maint-'));
    try {
      const configFile = join(dir, 'ocpp-configuration.json');
      const { f, events } = await charger({ configFile });
      f.sim.tamper!.open();
      await f.advance(1000);
      expect(f.agent.connectors[0]!.status).toBe('Faulted');
      const dt = (data?: string) => f.csms.call(CP, 'DataTransfer', { vendorId: 'org.evse-agent.maintenance', messageId: 'MaintenanceMode', ...(data !== undefined && { data }) });
      expect(await dt()).toEqual({ status: 'Accepted', data: 'false' });
      expect(await dt('maybe')).toEqual({ status: 'Rejected' });
      expect(await f.csms.call(CP, 'DataTransfer', { vendorId: 'org.evse-agent.maintenance', messageId: 'Other', data: 'true' })).toEqual({ status: 'UnknownMessageId' });
      expect(await dt('true')).toEqual({ status: 'Accepted', data: 'true' });
      await f.advance(1000);
      expect(f.agent.connectors[0]!.status).toBe('Available');
      expect(f.sim.alarm!.writes).toEqual([true, false]);
      expect(await f.csms.call(CP, 'GetConfiguration', { key: ['MaintenanceMode'] })).toMatchObject({ configurationKey: [{ key: 'MaintenanceMode', value: 'true' }] });
      await f.close();

      // After a restart the service visit goes on: the cabinet open at start is no tampering.
      const after = await charger({ configFile, openAtStart: true });
      await after.f.advance(2000);
      expect(after.f.agent.connectors[0]!.status).toBe('Available');
      expect(after.events).toEqual([]);
      expect(events).toEqual(['TamperDetectionActivated']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
