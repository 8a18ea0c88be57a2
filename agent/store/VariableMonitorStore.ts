/**
 * The variable monitors of an OCPP 2.0.1 station (agent/ocpp/v201/Monitoring201.ts) and the
 * monitoring settings (SetMonitoringBase, SetMonitoringLevel), kept in a small file in the data
 * directory (`<dataDir>/variable-monitors.json`) so that a restart keeps what the CSMS set: the
 * monitoring service writes it before it answers. Fleets and tests keep it in memory.
 *
 * A missing file is a station nobody set monitors on; an unreadable one is logged and the station
 * starts with its factory settings (no custom monitors), as a charger with a lost configuration
 * does.
 */
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { writeAfter } from './writeAtomically.js';

/** One monitor as stored (the 2.0.1 VariableMonitoring of an EVSE's variable, and whose it is). */
export interface StoredMonitor {
  id: number;
  kind: 'CustomMonitor' | 'PreconfiguredMonitor';
  evseId: number;
  variable: string;
  type: 'UpperThreshold' | 'LowerThreshold' | 'Delta' | 'Periodic' | 'PeriodicClockAligned';
  value: number;
  severity: number;
  transaction: boolean;
}

export type MonitoringBase = 'All' | 'FactoryDefault' | 'HardWiredOnly';

export interface MonitoringState {
  /** SetMonitoringBase: which monitors are active (MonitoringCtrlr.ActiveMonitoringBase). */
  base: MonitoringBase;
  /** SetMonitoringLevel: events of a severity number above it are not reported (ActiveMonitoringLevel). */
  level: number;
  /** The id the next custom monitor gets. */
  nextId: number;
  monitors: StoredMonitor[];
}

/** The factory settings, no monitors: shared (frozen) by every store until its first save (a fleet's 2.0.1 chargers never save). */
const FACTORY: MonitoringState = Object.freeze({ base: 'All', level: 9, nextId: 1, monitors: Object.freeze([]) as unknown as StoredMonitor[] }) as MonitoringState;
const BASES: ReadonlySet<string> = new Set(['All', 'FactoryDefault', 'HardWiredOnly']);
const TYPES: ReadonlySet<string> = new Set(['UpperThreshold', 'LowerThreshold', 'Delta', 'Periodic', 'PeriodicClockAligned']);

function monitorOf(raw: unknown): StoredMonitor | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const m = raw as Record<string, unknown>;
  const ok = Number.isSafeInteger(m.id) && (m.kind === 'CustomMonitor' || m.kind === 'PreconfiguredMonitor') && Number.isSafeInteger(m.evseId)
    && typeof m.variable === 'string' && typeof m.type === 'string' && TYPES.has(m.type) && typeof m.value === 'number' && Number.isFinite(m.value)
    && Number.isInteger(m.severity) && typeof m.transaction === 'boolean';
  return ok ? (m as unknown as StoredMonitor) : undefined;
}

export class VariableMonitorStore {
  /** The last write (none in memory). */
  private writing: Promise<unknown> | undefined;

  private constructor(
    private readonly file: string | null,
    private current: MonitoringState,
    private readonly log: Logger,
  ) {}

  /** Reads the file; missing: factory settings; unreadable: factory settings, logged. */
  static async open(file: string | null, log: Logger): Promise<VariableMonitorStore> {
    let state: MonitoringState = FACTORY;
    if (file) {
      try {
        const body = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
        if (body.version !== 1 || typeof body.base !== 'string' || !BASES.has(body.base) || !Number.isInteger(body.level) || !Number.isSafeInteger(body.nextId) || !Array.isArray(body.monitors)) {
          throw new Error('unexpected structure');
        }
        const monitors = body.monitors.map(monitorOf);
        if (monitors.some((m) => m === undefined)) throw new Error('unexpected monitor');
        state = { base: body.base as MonitoringBase, level: body.level as number, nextId: body.nextId as number, monitors: monitors as StoredMonitor[] };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') log.error({ err, file }, 'cannot read the variable monitors; starting with the factory monitoring settings');
      }
    }
    return new VariableMonitorStore(file, state, log);
  }

  static inMemory(log: Logger): VariableMonitorStore {
    return new VariableMonitorStore(null, FACTORY, log);
  }

  /** What was stored last (or read at start). */
  get state(): Readonly<MonitoringState> {
    return this.current;
  }

  /** Keeps `state`; resolves true once it is on disk (at once in memory), false when the write failed (logged). */
  save(state: MonitoringState): Promise<boolean> {
    this.current = state;
    if (!this.file) return Promise.resolve(true);
    const body = `${JSON.stringify({ version: 1, ...state })}\n`;
    const written = writeAfter(this.writing ?? Promise.resolve(), this.file, body, this.log, 'variable monitors');
    this.writing = written;
    return written;
  }
}
