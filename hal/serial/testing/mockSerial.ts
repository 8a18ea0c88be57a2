/**
 * serialport's own MockBinding (@serialport/binding-mock, exported by serialport) for unit tests of the serial drivers
 * without a pty: a port exists once the test creates it, the test plays the device
 * (`emitData`, `recording`), and it can take the adapter away in the two ways a USB adapter goes:
 * - `unplug`: the port vanishes and its pending read fails with EIO, which serialport reports as
 *   a disconnect (a read error that is not `canceled`, per its BindingInterface contract);
 * - `vanish`: the port only disappears from `list()`; nothing on the line notices (a receive-only
 *   device with nothing to read), so only the driver's watch of the path can.
 * A mock, because a serial line needs a tty: the end-to-end tests over socat ptys
 * (testing/PtyPair.ts) stay the real check; these run anywhere, fast and on the virtual clock.
 *
 * MockBinding keeps its ports in one registry per process: call `reset()` after each test.
 */
import { SerialPortMock } from 'serialport';
import type { SerialBinding } from '../SerialLink.js';

/** serialport's MockBinding, as serialport itself exports it (with its types). */
const MockBinding = SerialPortMock.binding;
type MockPortBinding = Awaited<ReturnType<typeof MockBinding.open>>;
type CreatePortOptions = NonNullable<Parameters<typeof MockBinding.createPort>[1]>;

export interface MockSerial {
  /** Give this to the driver (`binding` option). */
  readonly binding: SerialBinding;
  /** A port at `path` comes into existence (at start, or plugged in again). */
  create(path: string, options?: CreatePortOptions): void;
  /** The device side of the port last opened at `path`. */
  port(path: string): MockPortBinding;
  /** The adapter is pulled: the port disappears and its open line fails (EIO). */
  unplug(path: string): void;
  /** The port disappears from the system without an error on the line. */
  vanish(): void;
  /** Forgets every port (MockBinding is process-wide). */
  reset(): void;
  /** Lets the binding's I/O (on `process.nextTick`) and the stream's reach the driver. */
  settle(): Promise<void>;
}

export function mockSerial(): MockSerial {
  const opened = new Map<string, { port: MockPortBinding; unplug: () => void }>();
  const binding = {
    list: () => MockBinding.list(),
    async open(options: Parameters<typeof MockBinding.open>[0]): Promise<MockPortBinding> {
      const port = await MockBinding.open(options);
      const read = port.read.bind(port);
      let fail: (error: Error) => void = () => undefined;
      const gone = new Promise<never>((_resolve, reject) => (fail = reject));
      gone.catch(() => undefined);
      port.read = (buffer, offset, length) => Promise.race([read(buffer, offset, length), gone]);
      opened.set(options.path, { port, unplug: () => fail(Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' })) });
      return port;
    },
  };
  return {
    binding,
    create: (path, options) => MockBinding.createPort(path, options),
    port(path) {
      const entry = opened.get(path);
      if (!entry) throw new Error(`no port opened at ${path}`);
      return entry.port;
    },
    unplug(path) {
      MockBinding.reset();
      opened.get(path)?.unplug();
    },
    vanish: () => MockBinding.reset(),
    reset() {
      MockBinding.reset();
      opened.clear();
    },
    async settle() {
      for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
    },
  };
}
