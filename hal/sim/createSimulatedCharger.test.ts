import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../clock.js';
import type { CardEvent, ChargerHardware } from '../index.js';
import { createSimulatedCharger, type SimulatedChargerOptions } from './createSimulatedCharger.js';

const make = (options: Partial<SimulatedChargerOptions> = {}) => createSimulatedCharger({ clock: new SimulatedClock(), ...options });

describe('createSimulatedCharger', () => {
  it('builds one connector per connectorId with its own EV, and one reader, named with the prefix', () => {
    const charger = make({ connectors: 2, idPrefix: 'cp7/' });
    expect(charger.connectors.map((c) => c.connectorId)).toEqual([1, 2]);
    expect(charger.connectors[0]!.ev).not.toBe(charger.connectors[1]!.ev);
    const c2 = charger.connectors[1]!;
    expect([c2.relay.id, c2.meter.id, c2.pilot.id, c2.lock!.id]).toEqual(['cp7/relay:2', 'cp7/meter:2', 'cp7/pilot:2', 'cp7/lock:2']);
    expect(charger.rfid.id).toBe('cp7/rfid:0');
    expect(charger.hardware.connectors).toBe(charger.connectors);
    expect(charger.hardware.readers).toEqual([charger.rfid]);
  });

  it('tetheredCable: connectors without a socket have no lock device', async () => {
    const charger = make({ connectors: 2, tetheredCable: true });
    expect(charger.connectors.map((c) => c.lock)).toEqual([undefined, undefined]);
    expect(make().connectors[0]!.lock).toBeDefined();
    await charger.close(); // closes without a lock to release
  });

  it('applies the electrical options to every connector', () => {
    const charger = make({ connectors: 2, maxCurrentA: 16, phases: 1, voltageV: 120, frequencyHz: 60 });
    for (const c of charger.connectors) {
      expect(c.pilot.maxCurrentA).toBe(16);
      expect(c.meter.phases).toBe(1);
      expect(c.meter.voltageV).toBe(120);
      expect(c.meter.frequencyHz).toBe(60);
    }
  });

  it('plugs the EV into connector 1 at start when asked, and only there', () => {
    const charger = make({ connectors: 2, evConnected: true, ev: { soc: 0.3 } });
    expect(charger.connectors.map((c) => c.pilot.state)).toEqual(['B', 'A']);
    expect(charger.connectors[0]!.ev.soc).toBe(0.3);
  });

  it.each([
    [{ connectors: 0 }, /connectors must be an integer in 1\.\.64; got 0/],
    [{ connectors: 1.5 }, /connectors/],
    [{ maxCurrentA: 5 }, /maxCurrentA must be a number in 6\.\.80/],
    [{ maxCurrentA: 100 }, /maxCurrentA/],
    [{ phases: 2 as 1 }, /phases must be 1 or 3; got 2/],
    [{ voltageV: 50 }, /voltageV must be a number in 100..480/],
    [{ frequencyHz: Number.NaN }, /frequencyHz/],
    [{ ev: { soc: 50 } }, /ev\.soc .*fraction/],
    [{ ev: { batteryKWh: -1 } }, /ev\.batteryKWh/],
    [{ relay: { deadlineMs: 0 } }, /deadlineMs/],
  ] as const)('rejects %j with a RangeError naming the option', (options, message) => {
    expect(() => make(options as Partial<SimulatedChargerOptions>)).toThrow(RangeError);
    expect(() => make(options as Partial<SimulatedChargerOptions>)).toThrow(message);
  });

  it('rejects a missing clock', () => {
    expect(() => createSimulatedCharger({} as SimulatedChargerOptions)).toThrow(/clock/);
  });

  it('runs a whole session through the ChargerHardware interface, as the agent sees it', async () => {
    const clock = new SimulatedClock();
    const charger = createSimulatedCharger({ clock, maxCurrentA: 32, ev: { batteryKWh: 40, soc: 0.5, maxCurrentA: 32 } });
    const hardware: ChargerHardware = charger.hardware;
    const [connector] = hardware.connectors;
    const cards: CardEvent[] = [];
    hardware.readers[0]!.on('card', (c) => cards.push(c));
    const pilot: string[] = [];
    connector!.pilot.on('state', (s) => pilot.push(s));

    charger.connectors[0]!.ev.plugIn();
    charger.rfid.tap('04A2B3C4');
    await connector!.lock!.lock();
    await connector!.pilot.setCurrentOffer(32);
    await connector!.relay.close();
    const start = await connector!.meter.read();
    clock.advance(30 * 60_000);
    const half = await connector!.meter.read();
    expect(half.powerW).toBeCloseTo(32 * 230 * 3, 6);
    expect(half.energyWh - start.energyWh).toBeCloseTo(32 * 230 * 3 * 0.5, 6);
    clock.advance(10 * 3_600_000);
    expect(connector!.pilot.state).toBe('B'); // full
    await connector!.relay.open();
    await connector!.lock!.unlock();
    charger.connectors[0]!.ev.unplug();
    expect(cards.map((c) => c.uid)).toEqual(['04A2B3C4']);
    expect(pilot).toEqual(['B', 'C', 'B', 'A']);
    const end = await connector!.meter.read();
    expect(end.energyWh - start.energyWh).toBeCloseTo((0.5 * 40_000) / 0.9, 3);
  });

  it('close() releases every device and timer; commands reject DEVICE_CLOSED; idempotent', async () => {
    const clock = new SimulatedClock();
    const charger = createSimulatedCharger({ clock, connectors: 2, evConnected: true });
    const c = charger.connectors[0]!;
    await c.pilot.setCurrentOffer(16);
    await c.relay.close();
    expect(clock.pendingTimers).toBe(1);
    await charger.hardware.close();
    await charger.close();
    expect(clock.pendingTimers).toBe(0);
    for (const command of [c.relay.open(), c.meter.read(), c.pilot.setCurrentOffer(0), c.lock!.lock()]) {
      await expect(command).rejects.toMatchObject({ code: 'DEVICE_CLOSED' });
    }
    const cards: CardEvent[] = [];
    charger.rfid.on('card', (card) => cards.push(card));
    charger.rfid.tap('AABB');
    expect(cards).toEqual([]);
  });
});
