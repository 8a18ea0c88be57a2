/**
 * What a test of `evse` as a process needs, released together after each test: the processes it
 * started (SIGKILLed if still running), the embedded strict CSMSs it listened with, and its
 * temporary data directories — last made, first released (a process before its CSMS).
 */
import { EmbeddedCsms } from '../../scenarios/csms/EmbeddedCsms.js';
import { cleanupStack, type CleanupStack } from './cleanupStack.js';
import { spawnEvse, type EvseProcess } from './spawnEvse.js';

export interface EvseRig extends CleanupStack {
  /** `evse run` (or `args`) with `env` (logs at warn unless the env says otherwise). */
  start(env: Record<string, string | undefined>, args?: string[]): EvseProcess;
  /** An embedded strict CSMS on 127.0.0.1 (`port` 0: any free one). */
  csms(port?: number): Promise<EmbeddedCsms>;
}

export function evseRig(): EvseRig {
  const stack = cleanupStack();
  return {
    ...stack,
    start(env, args = ['run']) {
      const p = spawnEvse(args, { EVSE_LOG_LEVEL: 'warn', ...env });
      stack.cleanups.push(async () => {
        if (p.child.exitCode === null && p.child.signalCode === null) await p.stop('SIGKILL');
      });
      return p;
    },
    async csms(port = 0) {
      const csms = new EmbeddedCsms();
      await csms.start({ host: '127.0.0.1', port });
      stack.cleanups.push(() => csms.stop());
      return csms;
    },
  };
}
