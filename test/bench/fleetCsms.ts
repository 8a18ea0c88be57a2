/** `evse csms --quiet` in its own process for the fleet benchmarks: URL, CPU time so far, final count line. */
import { readFileSync } from 'node:fs';
import { spawnEvse } from '../support/spawnEvse.js';

export interface BenchCsms {
  url: string;
  /** user+system CPU seconds of the CSMS process so far (Linux /proc). */
  cpuS(): number;
  /** Stops it and returns its final summary line. */
  stop(): Promise<string>;
  /** Kills it (SIGKILL: a crash, no close handshakes). */
  stopHard(): Promise<void>;
}

/**
 * `extra`: more `evse csms` options, e.g. `--sites <file>`; `port` 0: any free one (a restart
 * passes the port of the CSMS it replaces).
 */
export async function startCsms(extra: string[] = [], port = 0): Promise<BenchCsms> {
  const csms = spawnEvse(['csms', '--port', String(port), '--quiet', '--summary', '60', ...extra], {});
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`evse csms did not start: ${csms.stderr()}`)), 10_000);
    csms.child.stderr!.on('data', () => {
      const m = /listening on (ws:\/\/\S+?)[ (]/.exec(csms.stderr());
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
  });
  return {
    url,
    cpuS: () => {
      // Fields 14 and 15 of /proc/<pid>/stat (after the parenthesised name): utime, stime in clock ticks (100/s).
      const stat = readFileSync(`/proc/${csms.child.pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(f[11]) + Number(f[12])) / 100;
    },
    stopHard: async () => {
      await csms.stop('SIGKILL');
    },
    stop: async () => {
      await csms.stop('SIGTERM');
      const final = csms.stdout().split('\n').find((l) => / final \[/.test(l));
      return final?.replace(/^\S+ final /, '') ?? '(no final summary)';
    },
  };
}
