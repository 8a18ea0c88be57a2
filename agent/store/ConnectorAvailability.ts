/**
 * Which connectors the CSMS set Inoperative (ChangeAvailability). OCPP 1.6 §5.2: the availability
 * persists across reboots, so it is kept in a small file in the data directory (or only in memory
 * for fleets and tests). Connectors are operative unless recorded otherwise.
 */
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { writeAfter } from './writeAtomically.js';

/** Nothing being written yet (shared: a settled promise never changes, and each of 10,000 fleet chargers had one). */
const SETTLED: Promise<void> = Promise.resolve();

/** Every connector operative: shared by all chargers that have never been told otherwise. */
const NONE_INOPERATIVE: ReadonlySet<number> = new Set();

export class ConnectorAvailability {
  private writing: Promise<unknown> = SETTLED;

  private constructor(
    private readonly file: string | null,
    /** Replaced on each change, never changed in place (so an empty one can be shared). */
    private inoperative: ReadonlySet<number>,
    private readonly log: Logger,
  ) {}

  /** Reads the file; a missing or unreadable file means every connector is operative (logged). */
  static async open(file: string | null, log: Logger): Promise<ConnectorAvailability> {
    const inoperative = new Set<number>();
    if (file) {
      try {
        const body = JSON.parse(await readFile(file, 'utf8')) as { inoperative?: unknown };
        if (!Array.isArray(body.inoperative)) throw new Error('unexpected structure');
        for (const id of body.inoperative) if (Number.isInteger(id) && id > 0) inoperative.add(id as number);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') log.error({ err, file }, 'cannot read connector availability; all connectors operative');
      }
    }
    return new ConnectorAvailability(file, inoperative.size > 0 ? inoperative : NONE_INOPERATIVE, log);
  }

  /** Availability kept only in memory (fleets, tests). */
  static inMemory(log: Logger): ConnectorAvailability {
    return new ConnectorAvailability(null, NONE_INOPERATIVE, log);
  }

  isOperative(connectorId: number): boolean {
    return !this.inoperative.has(connectorId);
  }

  /** Records a ChangeAvailability; resolves once it is on disk (failures are logged, not thrown). */
  set(connectorId: number, operative: boolean): Promise<void> {
    if (operative === this.isOperative(connectorId)) return this.written();
    const next = new Set(this.inoperative);
    if (operative) next.delete(connectorId);
    else next.add(connectorId);
    this.inoperative = next;
    const file = this.file;
    if (!file) return this.written();
    const body = `${JSON.stringify({ version: 1, inoperative: [...this.inoperative].sort((a, b) => a - b) })}\n`;
    this.writing = writeAfter(this.writing, file, body, this.log, 'connector availability');
    return this.written();
  }

  private written(): Promise<void> {
    return this.writing.then(() => undefined);
  }
}
