/**
 * Which connectors the CSMS set Inoperative (ChangeAvailability). OCPP 1.6 §5.2: the availability
 * persists across reboots, so it is kept in a small file in the data directory (or only in memory
 * for fleets and tests). Connectors are operative unless recorded otherwise.
 */
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { writeAtomically } from './writeAtomically.js';

export class ConnectorAvailability {
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly file: string | null,
    private readonly inoperative: Set<number>,
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
    return new ConnectorAvailability(file, inoperative, log);
  }

  /** Availability kept only in memory (fleets, tests). */
  static inMemory(log: Logger): ConnectorAvailability {
    return new ConnectorAvailability(null, new Set(), log);
  }

  isOperative(connectorId: number): boolean {
    return !this.inoperative.has(connectorId);
  }

  /** Records a ChangeAvailability; resolves once it is on disk (failures are logged, not thrown). */
  set(connectorId: number, operative: boolean): Promise<void> {
    if (operative === this.isOperative(connectorId)) return this.writing;
    if (operative) this.inoperative.delete(connectorId);
    else this.inoperative.add(connectorId);
    const file = this.file;
    if (!file) return this.writing;
    const body = `${JSON.stringify({ version: 1, inoperative: [...this.inoperative].sort((a, b) => a - b) })}\n`;
    this.writing = this.writing
      .then(() => writeAtomically(file, body))
      .catch((err: unknown) => this.log.error({ err, file }, 'cannot persist connector availability'));
    return this.writing;
  }
}
