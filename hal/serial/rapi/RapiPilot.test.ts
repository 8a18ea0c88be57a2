import { afterEach, describe, expect, it } from 'vitest';
import { watchFaults } from '../../contract/observers.js';
import { createSerialPilotHarness } from '../testing/SerialPilotHarness.js';

describe('RapiPilot (OpenEVSE responder over a pty)', () => {
  let h: Awaited<ReturnType<typeof createSerialPilotHarness>>;
  afterEach(async () => {
    await h.dispose?.();
  });

  it('sends checksummed commands with increasing sequence ids; the offer is $SC amps V then $FE, 0 is $FS', async () => {
    h = await createSerialPilotHarness();
    const p = h.pilot.setCurrentOffer(16);
    await h.advance(0);
    await p;
    const p0 = h.pilot.setCurrentOffer(0);
    await h.advance(0);
    await p0;
    const lines = h.rig.responder.received;
    expect(lines.slice(-3)).toEqual([expect.stringMatching(/^\$SC 16 V :[0-9A-F]{2}$/), expect.stringMatching(/^\$FE :/), expect.stringMatching(/^\$FS :/)]);
    const seqs = lines.map((l) => parseInt(l.split(':')[1]!, 16));
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
    expect(h.rig.responder.stats.badChecksum).toBe(0);
    expect(h.pilot.maxCurrentA).toBe(32); // from $GC
  });

  it('an unreadable pilot (E) is a state event and PILOT_FAULT, cleared by a valid reading', async () => {
    h = await createSerialPilotHarness();
    const faults = watchFaults(h.pilot);
    await h.setVehicleState('B');
    await h.advance(0);
    await h.setVehicleState('E');
    await h.advance(0);
    expect(h.pilot.state).toBe('E');
    await h.setVehicleState('B');
    await h.advance(0);
    expect(faults.sequence).toEqual(['fault:PILOT_FAULT', 'cleared:PILOT_FAULT']);
  });

  it.each([
    [0x06, 'GROUND_FAULT'],
    [0x07, 'GROUND_FAULT'],
    [0x0a, 'HIGH_TEMPERATURE'],
    [0x0b, 'OVER_CURRENT'],
  ] as const)('EVSE error state %i is %s with the pilot at F; leaving it clears both', async (state, code) => {
    h = await createSerialPilotHarness();
    const faults = watchFaults(h.pilot);
    await h.rig.responder.setError(state);
    await h.advance(0);
    expect(h.pilot.state).toBe('F');
    expect(faults.raised).toEqual([code, 'PILOT_FAULT']);
    await h.rig.responder.setError(undefined);
    await h.advance(0);
    expect(h.pilot.state).toBe('A');
    expect(faults.cleared.sort()).toEqual([code, 'PILOT_FAULT'].sort());
  });

  it('diode check failed (05) is PILOT_DIODE', async () => {
    h = await createSerialPilotHarness();
    const faults = watchFaults(h.pilot);
    await h.rig.responder.setError(0x05);
    await h.advance(0);
    expect(faults.raised).toEqual(['PILOT_DIODE']);
  });

  it('noise and bad checksums on the line are counted and skipped; a silent controller faults after 3 polls and clears', async () => {
    h = await createSerialPilotHarness();
    const faults = watchFaults(h.pilot);
    await h.rig.responder.inject('\x00\xff$OK 01^00\rgarbage\r');
    await h.setVehicleState('B');
    await h.advance(0);
    expect(h.pilot.state).toBe('B');
    expect(h.rig.controller.stats.badLines).toBeGreaterThanOrEqual(1);
    h.rig.responder.mode = 'silent';
    for (let i = 0; i < 4; i++) await h.advance(1400);
    expect(faults.raised).toEqual(['PILOT_FAULT']);
    h.rig.responder.mode = 'answer';
    // Small steps: a poll's reply travels in real time, while a whole step's timers fire at once.
    for (let i = 0; i < 8; i++) await h.advance(250);
    expect(faults.cleared).toEqual(['PILOT_FAULT']);
  });
});
