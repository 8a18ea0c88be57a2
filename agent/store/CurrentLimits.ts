/**
 * Current limits set over MQTT (`set_current_limit`), per connector, persisted in a small file in
 * the data directory so that a restart keeps them (an energy manager that capped a charger at
 * 10 A must not find it back at full power after a power cut). Written atomically; a missing
 * file means no limits; an unreadable one is logged and means no limits too.
 */
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { writeAfter } from './writeAtomically.js';

export class CurrentLimits {
  private writing: Promise<boolean> = Promise.resolve(true);

  private constructor(
    private readonly file: string | null,
    private readonly limits: Map<number, number>,
    private readonly log: Logger,
  ) {}

  static async open(file: string | null, log: Logger): Promise<CurrentLimits> {
    const limits = new Map<number, number>();
    if (file) {
      try {
        const body = JSON.parse(await readFile(file, 'utf8')) as { limitsA?: unknown };
        if (typeof body.limitsA !== 'object' || body.limitsA === null || Array.isArray(body.limitsA)) throw new Error('unexpected structure');
        for (const [id, amps] of Object.entries(body.limitsA)) {
          const connectorId = Number(id);
          if (Number.isInteger(connectorId) && connectorId > 0 && typeof amps === 'number' && Number.isFinite(amps) && amps >= 0) limits.set(connectorId, amps);
          else log.warn({ file, connector: id, amps }, 'ignoring an invalid stored current limit');
        }
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') log.error({ err, file }, 'cannot read the stored current limits; no limits apply');
      }
    }
    return new CurrentLimits(file, limits, log);
  }

  /** Limits kept only in memory (fleets, tests). */
  static inMemory(log: Logger): CurrentLimits {
    return new CurrentLimits(null, new Map(), log);
  }

  /** The stored limit of a connector, A (undefined: none). */
  get(connectorId: number): number | undefined {
    return this.limits.get(connectorId);
  }

  /** Every stored limit, by connector id, ascending. */
  entries(): [connectorId: number, amps: number][] {
    return [...this.limits.entries()].sort(([a], [b]) => a - b);
  }

  /**
   * Records limits (`undefined` amps removes a connector's limit); resolves true once on disk
   * (always true in memory), false when the write failed (logged).
   */
  set(changes: readonly { connectorId: number; amps: number | undefined }[]): Promise<boolean> {
    let changed = false;
    for (const { connectorId, amps } of changes) {
      if (this.limits.get(connectorId) === amps) continue;
      changed = true;
      if (amps === undefined) this.limits.delete(connectorId);
      else this.limits.set(connectorId, amps);
    }
    const file = this.file;
    if (!changed || !file) return this.writing;
    const body = `${JSON.stringify({ version: 1, limitsA: Object.fromEntries(this.entries()) })}\n`;
    this.writing = writeAfter(this.writing, file, body, this.log, 'current limits');
    return this.writing;
  }
}
