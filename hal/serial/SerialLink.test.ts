/**
 * SerialLink over serialport's MockBinding (testing/mockSerial.ts): no pty, virtual time. The same
 * behaviour over real ttys is covered end to end by the drivers' socat tests.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../clock.js';
import type { HalError } from '../errors.js';
import { FaultLatch } from '../FaultLatch.js';
import { SerialLink } from './SerialLink.js';
import { mockSerial } from './testing/mockSerial.js';

const PATH = '/dev/ttyMOCK0';
const serial = mockSerial();
let link: SerialLink | undefined;

afterEach(async () => {
  await link?.close();
  link = undefined;
  serial.reset();
});

const settle = (): Promise<void> => serial.settle();
function createLink(clock = new SimulatedClock()) {
  link = new SerialLink({ id: 'rfid:0', path: PATH, baudRate: 9600, clock, binding: serial.binding, reopenIntervalMs: 2000, watchIntervalMs: 1000 });
  const events: string[] = [];
  const errors: HalError[] = [];
  link.on('lost', (error) => {
    events.push(`lost:${error.code}`);
    errors.push(error);
  });
  link.on('restored', () => events.push('restored'));
  return { link, clock, events, errors };
}

describe('SerialLink (MockBinding)', () => {
  it('carries bytes both ways with the line settings it was given', async () => {
    serial.create(PATH, { record: true });
    const { link } = createLink();
    const received: Buffer[] = [];
    link.on('data', (chunk) => received.push(chunk));
    await link.open();
    expect(link.isOpen).toBe(true);
    const port = serial.port(PATH);
    expect(port.openOptions).toMatchObject({ path: PATH, baudRate: 9600, parity: 'none', stopBits: 1 });

    await link.write('$GS\r');
    expect(port.recording.toString()).toBe('$GS\r');
    port.emitData(Buffer.from([0x02, 0x41, 0x03]));
    await settle();
    expect(Buffer.concat(received)).toEqual(Buffer.from([0x02, 0x41, 0x03]));
    expect(link.stats.bytesReceived).toBe(3);
  });

  it('a port missing at start is PORT_OPEN_FAILED, reported once, retried on the clock until it is there', async () => {
    const { link, clock, events } = createLink();
    await link.open();
    expect(events).toEqual(['lost:PORT_OPEN_FAILED']);
    expect(link.isOpen).toBe(false);
    await expect(link.write('x')).rejects.toMatchObject({ code: 'PORT_LOST' });

    clock.advance(2000); // a retry that fails again is no new report
    await settle();
    expect(events).toEqual(['lost:PORT_OPEN_FAILED']);

    serial.create(PATH);
    clock.advance(2000);
    await settle();
    expect(events).toEqual(['lost:PORT_OPEN_FAILED', 'restored']);
    expect(link.isOpen).toBe(true);
    expect(link.stats).toMatchObject({ losses: 1, reopens: 1 });
  });

  it('an adapter pulled (the line fails with EIO) is PORT_LOST; the same path is reopened once it is back', async () => {
    serial.create(PATH);
    const { link, clock, events, errors } = createLink();
    await link.open();
    serial.unplug(PATH);
    await settle();
    expect(events).toEqual(['lost:PORT_LOST']);
    expect(errors[0]!.device).toBe('rfid:0');
    expect(link.isOpen).toBe(false);

    clock.advance(2000);
    await settle();
    expect(events).toEqual(['lost:PORT_LOST']);

    serial.create(PATH, { record: true });
    clock.advance(2000);
    await settle();
    expect(events).toEqual(['lost:PORT_LOST', 'restored']);
    await link.write('again');
    expect(serial.port(PATH).recording.toString()).toBe('again');
  });

  it('a path that vanishes with nothing on the line is noticed by the watch within watchIntervalMs', async () => {
    serial.create(PATH);
    const { link, clock, events, errors } = createLink();
    await link.open();
    clock.advance(1000);
    await settle();
    expect(events).toEqual([]); // still listed: watched again

    serial.vanish();
    clock.advance(1000);
    await settle();
    expect(events).toEqual(['lost:PORT_LOST']);
    expect(errors[0]!.message).toContain(`${PATH} vanished`);
    expect(link.isOpen).toBe(false);
  });

  it('close() ends it: no reopening, writes refused, no timer left', async () => {
    const { link, clock, events } = createLink();
    await link.open();
    await link.close();
    serial.create(PATH);
    clock.advance(10_000);
    await settle();
    expect(events).toEqual(['lost:PORT_OPEN_FAILED']);
    expect(link.isOpen).toBe(false);
    await expect(link.write('x')).rejects.toMatchObject({ code: 'PORT_LOST' });
    expect(clock.pendingTimers).toBe(0);
  });

  it('reportFaultsTo: the port faults are active exactly while the link is down', async () => {
    const { link, clock } = createLink();
    const seen: string[] = [];
    const faults = new FaultLatch('rfid:0', (e) => seen.push(`fault:${e.code}`), (c) => seen.push(`cleared:${c}`));
    link.reportFaultsTo(faults);
    await link.open();
    serial.create(PATH);
    clock.advance(2000);
    await settle();
    serial.unplug(PATH);
    await settle();
    serial.create(PATH);
    clock.advance(2000);
    await settle();
    expect(seen).toEqual(['fault:PORT_OPEN_FAILED', 'cleared:PORT_OPEN_FAILED', 'fault:PORT_LOST', 'cleared:PORT_LOST']);
    expect(faults.active.size).toBe(0);
  });
});
