/**
 * Rdm6300Reader over a pty: what the contract suite does not cover (the adapter vanishing); and
 * over serialport's MockBinding, the same driver without a pty.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../clock.js';
import { watchFaults } from '../contract/observers.js';
import { Rdm6300Reader, type Rdm6300ReaderOptions } from './Rdm6300Reader.js';
import { mockSerial } from './testing/mockSerial.js';
import { Rdm6300Emitter } from './deviceSims/Rdm6300Emitter.js';
import { createSerialRfidHarness, type SerialRdm6300Harness } from './testing/SerialRfidHarness.js';
import { until } from '../../test/support/until.js';

describe('Rdm6300Reader (emitter over a pty)', () => {
  let h: SerialRdm6300Harness;
  afterEach(async () => {
    await h.reader.release();
    await h.dispose?.();
  });

  it('the adapter vanishing raises PORT_LOST; once it is back the same reader reads cards again', async () => {
    h = await createSerialRfidHarness();
    const faults = watchFaults(h.reader);
    const cards: string[] = [];
    h.reader.on('card', (c) => cards.push(c.uid));
    await h.presentCard('12AB34CD');
    await h.advance(0);
    expect(cards).toEqual(['12AB34CD']);

    await h.unplug();
    await h.advance(1000); // a receive-only port is watched: its path is gone
    expect(faults.raised).toEqual(['PORT_LOST']);
    await h.advance(2000); // a reopen attempt fails: still one fault
    expect(faults.sequence).toEqual(['fault:PORT_LOST']);

    await h.replug();
    // The reopen is real I/O: virtual time goes on in steps meanwhile.
    await until('the port reopened', () => h.reader.activeFaults.size === 0, 10_000, 20, () => h.advance(500));
    expect(faults.sequence).toEqual(['fault:PORT_LOST', 'cleared:PORT_LOST']);
    await h.presentCard('0BADCAFE');
    await h.advance(0);
    expect(cards).toEqual(['12AB34CD', '0BADCAFE']);
  });
});

// The same driver over serialport's MockBinding (no pty, virtual time only): the unit level.
describe('Rdm6300Reader (MockBinding)', () => {
  const PATH = '/dev/ttyMOCK-rdm';
  const serial = mockSerial();
  let reader: Rdm6300Reader;
  afterEach(async () => {
    await reader.release();
    serial.reset();
  });
  const settle = (): Promise<void> => serial.settle();
  async function start(options: Partial<Rdm6300ReaderOptions> = {}) {
    serial.create(PATH);
    const clock = new SimulatedClock();
    reader = new Rdm6300Reader({ id: 'rfid:0', path: PATH, clock, binding: serial.binding, ...options });
    const faults = watchFaults(reader);
    const cards: string[] = [];
    reader.on('card', (c) => cards.push(c.uid));
    await reader.open();
    return { clock, faults, cards };
  }

  it('reads a held card once, again after it was taken away; unreadable frames raise RFID_FAULT, a good one clears it', async () => {
    const { clock, faults, cards } = await start({ removalMs: 500 });
    const device = serial.port(PATH);
    expect(device.openOptions.baudRate).toBe(9600);

    for (let i = 0; i < 3; i++) {
      device.emitData(Rdm6300Emitter.frame('0F0019F9D8'));
      await settle();
      clock.advance(100);
    }
    clock.advance(500);
    device.emitData(Rdm6300Emitter.frame('0F0019F9D8'));
    await settle();
    expect(cards).toEqual(['0F0019F9D8', '0F0019F9D8']);

    const garbage = Rdm6300Emitter.frame('0F0019F9D8');
    garbage[11]! ^= 0x01; // a checksum digit spoiled on the air
    for (let i = 0; i < 3; i++) device.emitData(garbage);
    await settle();
    expect(faults.sequence).toEqual(['fault:RFID_FAULT']);
    device.emitData(Rdm6300Emitter.frame('12AB34CD56'));
    await settle();
    expect(faults.sequence).toEqual(['fault:RFID_FAULT', 'cleared:RFID_FAULT']);
    expect(cards.at(-1)).toBe('12AB34CD56');
  });

  it('the adapter pulled raises PORT_LOST once; replugged, the port is reopened, the fault clears and cards are read', async () => {
    const { clock, faults, cards } = await start({ reopenIntervalMs: 2000 });
    serial.unplug(PATH);
    await settle();
    clock.advance(4000);
    await settle();
    expect(faults.sequence).toEqual(['fault:PORT_LOST']);

    serial.create(PATH);
    clock.advance(2000);
    await settle();
    expect(faults.sequence).toEqual(['fault:PORT_LOST', 'cleared:PORT_LOST']);
    serial.port(PATH).emitData(Rdm6300Emitter.frame('0F0019F9D8'));
    await settle();
    expect(cards).toEqual(['0F0019F9D8']);
  });
});
