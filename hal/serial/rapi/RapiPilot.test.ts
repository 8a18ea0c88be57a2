import { afterEach, describe, expect, it } from 'vitest';
import { outcomeOf, watchFaults } from '../../contract/observers.js';
import { createSerialPilotHarness, createSerialPilotRig } from '../testing/SerialPilotHarness.js';
import { RapiPilot, type InitRetry } from './RapiPilot.js';
import { until } from '../../../test/support/until.js';

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

  it('an unplug while a $GS answer is on the wire: states follow the wire order, never A then the older B (20 rounds)', async () => {
    h = await createSerialPilotHarness();
    const { responder } = h.rig;
    for (let round = 0; round < 20; round++) {
      await h.setVehicleState('B');
      await h.advance(0);
      expect(h.pilot.state).toBe('B');
      const states: string[] = [];
      const record = (s: string): number => states.push(s);
      h.pilot.on('state', record);
      // The board answers the next poll with B and, in the same write, reports the unplug ($AT A).
      responder.afterReply('GS', () => responder.setVehicle('A'));
      await h.advance(1000);
      h.pilot.off('state', record);
      expect({ round, states }).toEqual({ round, states: ['A'] });
      expect(h.pilot.state).toBe('A');
    }
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

  it('the adapter vanishing raises PORT_LOST; once back the board gets the offer asked for meanwhile ($FS) and the fault clears', async () => {
    h = await createSerialPilotHarness();
    const faults = watchFaults(h.pilot);
    const offer = h.pilot.setCurrentOffer(16);
    await h.advance(0);
    await offer;
    await h.rig.unplug();
    await h.advance(1000);
    expect(faults.raised).toEqual(['PORT_LOST']);
    // The agent withdraws the offer while the board cannot be reached: the command fails …
    await expect(h.pilot.setCurrentOffer(0)).rejects.toMatchObject({ code: 'PORT_LOST' });
    await h.advance(3000);
    expect(faults.sequence).toEqual(['fault:PORT_LOST']); // no PILOT_FAULT for polls that could not be sent

    await h.rig.replug();
    const before = h.rig.responder.received.length;
    // The reopen is real I/O: virtual time goes on in steps meanwhile.
    await until('the port reopened', () => h.pilot.activeFaults.size === 0, 10_000, 20, () => h.advance(500));
    expect(faults.sequence).toEqual(['fault:PORT_LOST', 'cleared:PORT_LOST']);
    // … and reaches it once the port is back, before anything else.
    expect(h.rig.responder.received[before]).toMatch(/^\$FS :/);
    expect(h.pilot.currentOfferA).toBe(0);
    await h.setVehicleState('B');
    await h.advance(0);
    expect(h.pilot.state).toBe('B');
  });

  it('an adapter missing at start: PORT_OPEN_FAILED; plugged in later, the board is initialized ($FS, then $GC) and the fault clears', async () => {
    const rig = await createSerialPilotRig();
    await rig.unplug();
    const pilot = new RapiPilot({ id: 'pilot:1', controller: rig.controller });
    h = { dispose: async () => void (await pilot.release(), await rig.dispose()) } as typeof h;
    const faults = watchFaults(pilot);
    await rig.controller.open();
    await expect(pilot.init(20)).rejects.toMatchObject({ code: 'PORT_LOST' });
    expect(faults.raised).toEqual(['PORT_OPEN_FAILED']);
    await rig.replug();
    await until('the port opened', () => pilot.activeFaults.size === 0, 10_000, 20, () => rig.advance(500));
    expect(faults.sequence).toEqual(['fault:PORT_OPEN_FAILED', 'cleared:PORT_OPEN_FAILED']);
    expect(rig.responder.received.map((l) => l.slice(0, 3)).filter((c) => c !== '$GS')).toEqual(['$FS', '$GC']);
    expect(pilot.maxCurrentA).toBe(20); // the configured maximum, within the board's $GC range
  });

  it('a board charging on its own auto-start whose first replies are lost is put to sleep anyway: retried on the clock until confirmed', async () => {
    // The EV asks for power, and the board, never told to sleep, charges it.
    const rig = await createSerialPilotRig({ autoStartCharging: true });
    const retries: InitRetry[] = [];
    const pilot = new RapiPilot({ id: 'pilot:1', controller: rig.controller, onInitRetry: (r) => retries.push(r) });
    h = { dispose: async () => void (await pilot.release(), await rig.dispose()) } as typeof h;
    rig.responder.dropReplies(2); // the replies to the first commands are lost on the line
    const opened = outcomeOf(rig.controller.open());
    // Opening the port is real I/O: virtual time goes on in steps meanwhile.
    await until('the controller opened', () => opened.settled, 10_000, 5, () => rig.advance(100));
    expect(opened.resolved).toBe(true);
    const init = outcomeOf(pilot.init());
    for (let i = 0; i < 120 && !init.settled; i++) await rig.advance(250);
    expect({ resolved: init.resolved, retries: retries.map((r) => String(r.error)), received: rig.responder.received }).toMatchObject({ resolved: true });
    expect([0xfe, 0xff]).toContain(rig.responder.evseState); // asleep or disabled: relay open
    expect(retries.length).toBeGreaterThan(0);
    expect(retries[0]).toMatchObject({ step: 'safe state', attempt: 1, delayMs: 250 });
    expect(rig.responder.received.some((l) => /^\$(FS|FD) /.test(l))).toBe(true);
  });

  it('a board that enables itself later is disabled at once ($FD) with UNCOMMANDED_POWER, then put back to sleep', async () => {
    h = await createSerialPilotHarness();
    const faults = watchFaults(h.pilot);
    await h.setVehicleState('C');
    await h.advance(0);
    const before = h.rig.responder.received.length;
    await h.rig.responder.autoStart();
    for (let i = 0; i < 5; i++) await h.advance(100);
    const sent = h.rig.responder.received.slice(before).map((l) => l.slice(0, 3)).filter((c) => c !== '$GS');
    expect(sent).toEqual(['$FD', '$FS']);
    expect(faults.sequence).toEqual(['fault:UNCOMMANDED_POWER', 'cleared:UNCOMMANDED_POWER']);
    expect(h.rig.responder.evseState).toBe(0xfe);
    expect(h.pilot.currentOfferA).toBe(0);
  });
});
