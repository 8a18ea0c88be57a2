/**
 * What one machine allows a fleet process (docs/fleet.md, "50,000 chargers on one box"): open files
 * (one socket per charger, all threads of a process share the table) and ephemeral ports (one per
 * connection from one source address to one CSMS address and port). Read from Linux's /proc; on
 * other systems nothing is known and nothing is checked.
 */
import { readFileSync } from 'node:fs';

/** Files a fleet process opens besides its chargers' sockets (code, stdio, metrics and control servers, worker pipes). */
export const FLEET_BASE_FILES = 200;

/**
 * The open-file limit of processes started from here: Node raises its soft RLIMIT_NOFILE to the
 * hard limit at start, so the hard limit is what each fleet process gets. Undefined when unknown.
 */
export function openFileLimit(limits = readProc('/proc/self/limits')): number | undefined {
  const line = limits?.split('\n').find((l) => l.startsWith('Max open files'));
  const hard = line?.trim().split(/\s+/)[4];
  if (hard === undefined) return undefined;
  return hard === 'unlimited' ? Infinity : Number(hard);
}

/** Ephemeral ports per source address and destination (Linux ip_local_port_range), or undefined. */
export function ephemeralPorts(range = readProc('/proc/sys/net/ipv4/ip_local_port_range')): number | undefined {
  const [lo, hi] = (range ?? '').trim().split(/\s+/).map(Number);
  return lo !== undefined && hi !== undefined && Number.isFinite(lo) && Number.isFinite(hi) && hi >= lo ? hi - lo + 1 : undefined;
}

/** How to raise the open-file limit, for the error that says it is too low. */
export const RAISE_FILE_LIMIT =
  'raise the hard limit before starting (as root: `ulimit -Hn 65536`; systemd: LimitNOFILE=65536; docker run --ulimit nofile=65536:65536; Kubernetes: the container runtime\'s default)';

/**
 * Why `perProcess` chargers do not fit one process's open files, or undefined when they do (or
 * the limit is unknown). `processes` names the option to change.
 */
export function fileLimitProblem(perProcess: number, processes: number, total: number, limit = openFileLimit()): string | undefined {
  if (limit === undefined || perProcess + FLEET_BASE_FILES <= limit) return undefined;
  const needed = Math.ceil(total / Math.max(1, limit - FLEET_BASE_FILES));
  return (
    `${perProcess} chargers per process need about ${perProcess + FLEET_BASE_FILES} open files, but a process may open ${limit} here (RLIMIT_NOFILE, hard limit; Node raises the soft limit to it): ` +
    `use --processes ${needed} or more${processes > 1 ? '' : ' (one shard process per slice, started by this command)'}, or ${RAISE_FILE_LIMIT}`
  );
}

function readProc(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
