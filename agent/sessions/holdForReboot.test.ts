/**
 * The session service's hold while a staged firmware waits to reboot (SessionService.holdForReboot,
 * OCPP 2.0.1 L01.FR.07), on an in-process Agent against the embedded strict CSMS over a real
 * WebSocket: free connectors Unavailable, a running session goes on and its connector follows once it
 * ends, a ChangeAvailability or a Reset of one connector meanwhile does not lift it; an Agent without an owner restarts in
 * place, and the hold ends with that restart (each connector as the operator set it).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CP, agentFixture, cleanupAgents, startSession } from '../../test/support/agentFixture.js';

afterEach(cleanupAgents);

describe('SessionService.holdForReboot', () => {
  it('holds the free connectors Unavailable and the busy one after its session; a restart in place ends the hold', async () => {
    const f = await agentFixture({ charger: { connectors: 3 } });
    await startSession(f, '04A1B2C3D4E5F6', 1);
    expect(await f.csms.call(CP, 'ChangeAvailability', { connectorId: 3, type: 'Inoperative' })).toEqual({ status: 'Accepted' });
    await f.advance(1000);

    f.agent.sessions.holdForReboot();
    await f.advance(1000);
    expect(f.agent.connectors.map((c) => c.status)).toEqual(['Charging', 'Unavailable', 'Unavailable']);
    expect(f.agent.acceptsSessions).toBe(false);
    // The operator's choice is kept for after the hold; the connector stays held.
    expect(await f.csms.call(CP, 'ChangeAvailability', { connectorId: 2, type: 'Operative' })).toEqual({ status: 'Accepted' });
    await f.advance(1000);
    expect(f.agent.connectors[1]!.status).toBe('Unavailable');
    // A Reset of that connector alone (OCPP 2.0.1 Reset with evseId) starts it again still held.
    expect(await f.agent.resetConnector(2)).toBe(true);
    await f.advance(1000);
    expect(f.agent.connectors[1]!.status).toBe('Unavailable');

    // Nobody owns the process (no 'reset' listener): the reboot is a restart in place.
    await f.agent.performReset('Hard');
    await f.advance(5000);
    expect(f.sent('StopTransaction')).toEqual([expect.objectContaining({ reason: 'HardReset' })]);
    expect(f.agent.heldForReboot).toBe(false);
    expect(f.agent.acceptsSessions).toBe(true);
    expect(f.agent.connectors[1]!.status).toBe('Available');
    expect(f.agent.connectors[2]!.status).toBe('Unavailable'); // the operator's Inoperative stands
  });
});
