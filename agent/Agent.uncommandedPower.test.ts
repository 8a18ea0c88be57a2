/**
 * The meter cross-check end to end: power the agent did not command (a contactor bridged so its
 * feedback cannot see it, and an EV that ignores the PWM) is found by the ConnectorController from
 * the meter, commanded off and reported to the embedded strict CSMS (virtual time, 127.0.0.1).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { agentFixture, cleanupAgents, startSession } from '../test/support/agentFixture.js';

afterEach(cleanupAgents);

const CARD = '04A1B2C3D4E5F6';

describe('power with the contactor commanded open', () => {
  it('after a session: Faulted/PowerSwitchFailure with the meter reading in info, contactor commanded open again; cleared when power stops', async () => {
    const f = await agentFixture();
    const hw = f.sim.connectors[0]!;
    await startSession(f, CARD);
    hw.relay.bypass(); // contacts bridged: the feedback contact still follows the command
    hw.ev.ignorePwm(); // the EV does not stop drawing when the offer goes
    let opens = 0;
    const open = hw.relay.open.bind(hw.relay);
    hw.relay.open = () => (opens++, open()); // counts the commands; the real relay carries them out

    f.sim.rfid.tap(CARD);
    await f.advance(1000);
    expect(f.sent('StopTransaction')).toEqual([expect.objectContaining({ reason: 'Local' })]);
    expect(opens).toBe(1);
    await f.advance(5000);
    expect(f.agent.connectors[0]!.status).toBe('Faulted');
    const faulted = f.sent('StatusNotification').filter((s) => s.connectorId === 1).at(-1);
    expect(faulted).toMatchObject({ status: 'Faulted', errorCode: 'PowerSwitchFailure' });
    expect(faulted?.info).toMatch(/^\d+ W with the contactor commanded open$/);
    expect(opens).toBe(2); // commanded open again, although the agent believed it open
    // A card cannot start a session on it meanwhile.
    f.sim.rfid.tap(CARD);
    await f.advance(2000);
    expect(f.sent('StartTransaction')).toHaveLength(1);

    hw.relay.repair();
    await f.advance(15_000, 1000);
    expect(hw.powerW).toBe(0);
    expect(f.agent.connectors[0]!.status).toBe('Finishing');
    expect(f.statusTrail(1).slice(-2)).toEqual(['Faulted/PowerSwitchFailure', 'Finishing']);
  });

  it('a healthy stop is no false alarm', async () => {
    const f = await agentFixture();
    await startSession(f, CARD);
    f.sim.rfid.tap(CARD);
    await f.advance(60_000, 1000);
    expect(f.statusTrail(1).at(-1)).toBe('Finishing');
    expect(f.statusTrail(1).some((s) => s.startsWith('Faulted'))).toBe(false);
  });
});
