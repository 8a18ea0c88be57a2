import { existsSync } from 'node:fs';
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { PtyPair } from './PtyPair.js';

function open(path: string): Promise<SerialPort> {
  return new Promise((resolve, reject) => {
    const port = new SerialPort({ path, baudRate: 9600 }, (err) => (err ? reject(err) : resolve(port)));
  });
}
const closePort = (port: SerialPort): Promise<void> => new Promise((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve()));

describe('PtyPair', () => {
  let pair: PtyPair | undefined;
  afterEach(async () => {
    await pair?.dispose();
    pair = undefined;
  });

  it('connects two serial ports and removes socat and the links on dispose', async () => {
    pair = await PtyPair.create();
    const a = await open(pair.driverPath);
    const b = await open(pair.devicePath);
    const received = new Promise<Buffer>((resolve) => b.once('data', resolve));
    a.write(Buffer.from([0x02, 0x41, 0x03]));
    expect([...(await received)]).toEqual([0x02, 0x41, 0x03]);
    await closePort(a);
    await closePort(b);
    const pid = pair.pid!;
    await pair.dispose();
    expect(() => process.kill(pid, 0)).toThrow();
    expect(existsSync(pair.driverPath)).toBe(false);
  });

  it('unplug closes the open port; replug brings the same path back', async () => {
    pair = await PtyPair.create();
    const a = await open(pair.driverPath);
    const closed = new Promise<void>((resolve) => a.once('close', () => resolve()));
    a.on('error', () => undefined);
    await pair.unplug();
    // Linux reports a vanished pty master to the slave only on the next write (EIO).
    a.write(Buffer.from([0]));
    await closed;
    expect(existsSync(pair.driverPath)).toBe(false);
    await pair.replug();
    const again = await open(pair.driverPath);
    expect(again.isOpen).toBe(true);
    await closePort(again);
  });
});
