/**
 * What the process-level serial tests share: a last-in-first-out clean-up stack (the agent
 * before the simulators, the simulators before their socat), socat pty pairs, temporary
 * directories, `evse run` processes killed by their PID if a test leaves them running, polling
 * in real time (re-exported from until.ts), and the SDM meter's energy register as the slave holds it.
 */
import { PtyPair } from '../../hal/serial/deviceSims/PtyPair.js';
import type { SdmMeterSim } from '../../hal/serial/deviceSims/SdmMeterSim.js';
import { cleanupStack, type CleanupStack } from './cleanupStack.js';
import { spawnEvse, type EvseProcess } from './spawnEvse.js';

export { until } from './until.js';

export interface SerialRig extends Omit<CleanupStack, 'tempDir'> {
  /** A socat pty pair, disposed (socat killed by its PID) on release. */
  pty(): Promise<PtyPair>;
  /** A fresh temporary directory, removed on release. */
  tempDir(): Promise<string>;
  /** `evse run` with `env`, killed (SIGKILL, by PID) on release if still running. */
  evse(env: Record<string, string>): EvseProcess;
}

/** `tempPrefix` names the test's temporary directories (`evse-serial-…`). */
export function serialRig(tempPrefix: string): SerialRig {
  const stack = cleanupStack();
  const { cleanups } = stack;
  return {
    ...stack,
    async pty() {
      const pair = await PtyPair.create();
      cleanups.push(() => pair.dispose());
      return pair;
    },
    tempDir: () => stack.tempDir(tempPrefix),
    evse(env) {
      const p = spawnEvse(['run'], env);
      cleanups.push(async () => {
        if (p.child.exitCode === null && p.child.signalCode === null) await p.stop('SIGKILL');
      });
      return p;
    },
  };
}

/** The float32 import-energy register (0x48, kWh) as the meter slave holds it, in Wh. */
export function energyRegisterWh(meter: SdmMeterSim): number {
  const [hi, lo] = meter.inputRegisters(0x48, 2);
  const buf = Buffer.alloc(4);
  buf.writeUInt16BE(hi!, 0);
  buf.writeUInt16BE(lo!, 2);
  return buf.readFloatBE(0) * 1000;
}
