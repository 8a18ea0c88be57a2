/** The simulated drivers of a fleet charger, on the virtual clock with a simulated charger (no agent: its link state is given). */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../hal/clock.js';
import { createSimulatedCharger } from '../../hal/sim/createSimulatedCharger.js';
import { seededRandom } from '../seededRandom.js';
import { resolveBehaviour } from './profileLoader.js';
import { SessionBehaviour } from './SessionBehaviour.js';

describe('SessionBehaviour', () => {
  it('a driver at a charger still starting up waits for it to come up before tapping; later, offline, taps at once', () => {
    const clock = new SimulatedClock();
    const sim = createSimulatedCharger({ clock });
    const link = { isAccepted: false };
    const taps: number[] = [];
    sim.rfid.on('card', () => taps.push(clock.now()));
    const behaviour = new SessionBehaviour({
      sim,
      clock,
      random: seededRandom(1),
      faultRandom: seededRandom(2),
      cardUid: 'F000000001',
      log: pino({ level: 'silent' }),
      // RFID starts only; the EV arrives 100 ms after the start, charges 10 s.
      behaviour: resolveBehaviour({ idleMs: [100, 100], chargeMs: [10_000, 10_000] }),
      epochMs: clock.now(),
      controls: { transactionOn: () => false, link, dropLink: () => undefined, restoreLink: () => undefined },
    });
    behaviour.start();
    clock.advance(10_000);
    expect(sim.connectors[0]!.ev.plugged).toBe(true);
    expect(taps).toEqual([]); // never accepted yet: the driver waits (a card now would be refused offline)
    link.isAccepted = true;
    const upAt = clock.now();
    clock.advance(1000);
    expect(taps).toHaveLength(1);
    expect(taps[0]! - upAt).toBeLessThanOrEqual(1000);
    // The charger came up once: a tap while it is offline later goes ahead (offline authorization decides).
    link.isAccepted = false;
    clock.advance(60_000); // no transaction: the driver gives up, leaves, and the next one arrives
    expect(taps.length).toBeGreaterThan(1);
    behaviour.stop();
  });
});
