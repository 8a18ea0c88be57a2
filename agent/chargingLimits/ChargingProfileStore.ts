/**
 * The charging profiles installed on this charger, by the rules of OCPP 1.6 §3.13 / 2.0.1 K01:
 * a new profile replaces the one with the same id, and the one with the same stack level and
 * purpose on the same connector. Persisted in the data directory (written atomically, like the
 * other small durable files), so a restart or a power cut keeps the limits the CSMS set; kept in
 * memory in fleets and tests. A missing file means no profiles; an unreadable one is logged and
 * means none too; an invalid entry is dropped with a warning.
 */
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { writeAfter } from '../store/writeAtomically.js';
import type { ChargingProfile, ProfilePurpose, RateUnit } from './chargingProfile.js';

/** What the charger accepts (OCPP keys ChargeProfileMaxStackLevel, ChargingScheduleMaxPeriods, …). */
export interface ProfileRules {
  maxStackLevel: number;
  maxPeriods: number;
  maxProfiles: number;
  units: readonly RateUnit[];
  connectorCount: number;
}

/** ClearChargingProfile's criteria; all given ones must match (none: every profile). */
export interface ClearCriteria {
  id?: number;
  connectorId?: number;
  purpose?: ProfilePurpose;
  stackLevel?: number;
}

/** Why a profile is refused, or undefined when it may be installed (session rules aside: see ChargingLimits). */
export function profileProblem(p: ChargingProfile, rules: ProfileRules): string | undefined {
  const { schedule } = p;
  if (!Number.isInteger(p.connectorId) || p.connectorId < 0 || p.connectorId > rules.connectorCount) return `no connector ${p.connectorId}`;
  if (p.purpose === 'ChargePointMax' && p.connectorId !== 0) return 'a ChargePointMaxProfile is set on connector 0';
  if (p.purpose === 'Tx' && p.connectorId === 0) return 'a TxProfile is set on a connector (not 0)';
  if (p.stackLevel < 0 || p.stackLevel > rules.maxStackLevel) return `stackLevel above ChargeProfileMaxStackLevel (${rules.maxStackLevel})`;
  if (!rules.units.includes(schedule.unit)) return `chargingRateUnit ${schedule.unit} not allowed (ChargingScheduleAllowedChargingRateUnit)`;
  if (schedule.periods.length === 0) return 'no chargingSchedulePeriod';
  if (schedule.periods.length > rules.maxPeriods) return `more than ChargingScheduleMaxPeriods (${rules.maxPeriods}) periods`;
  if (schedule.periods[0]!.startPeriod !== 0) return 'the first period starts at 0';
  for (let i = 1; i < schedule.periods.length; i++) {
    if (!(schedule.periods[i]!.startPeriod > schedule.periods[i - 1]!.startPeriod)) return 'periods in ascending startPeriod';
  }
  if (schedule.periods.some((x) => !(x.limit >= 0) || (x.numberPhases !== undefined && (x.numberPhases < 1 || x.numberPhases > 3)))) return 'a limit below 0 or numberPhases outside 1..3';
  if (p.kind === 'Recurring' && (p.recurrency === undefined || schedule.startSchedule === undefined)) return 'a Recurring profile needs recurrencyKind and startSchedule';
  if (p.kind === 'Recurring' && schedule.duration !== undefined && schedule.duration * 1000 > (p.recurrency === 'Weekly' ? 7 : 1) * 86_400_000) return 'duration longer than the recurrence';
  if (p.validFrom !== undefined && p.validTo !== undefined && p.validTo <= p.validFrom) return 'validTo before validFrom';
  return undefined;
}

const WRITTEN = Promise.resolve(true);
/** The profiles array is replaced, never changed in place: an empty store can share this one. */
const NO_PROFILES: ChargingProfile[] = [];

export class ChargingProfileStore {
  // Shared until the first write: a fleet's in-memory stores never write (per-charger cost, DESIGN.md §8).
  private writing: Promise<boolean> = WRITTEN;

  private constructor(
    private readonly file: string | null,
    private profiles: ChargingProfile[],
    private readonly log: Logger,
  ) {}

  static async open(file: string | null, log: Logger): Promise<ChargingProfileStore> {
    const profiles: ChargingProfile[] = [];
    if (file) {
      try {
        const body = JSON.parse(await readFile(file, 'utf8')) as { profiles?: unknown };
        if (!Array.isArray(body.profiles)) throw new Error('unexpected structure');
        for (const p of body.profiles as unknown[]) {
          if (isProfile(p)) profiles.push(p);
          else log.warn({ file, profile: p }, 'ignoring an invalid stored charging profile');
        }
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') log.error({ err, file }, 'cannot read the stored charging profiles; none apply');
      }
    }
    return new ChargingProfileStore(file, profiles, log);
  }

  /** Profiles kept only in memory (fleets, tests). */
  static inMemory(log: Logger): ChargingProfileStore {
    return new ChargingProfileStore(null, NO_PROFILES, log);
  }

  /** Every installed profile. */
  all(): readonly ChargingProfile[] {
    return this.profiles;
  }

  get size(): number {
    return this.profiles.length;
  }

  /**
   * Installs `p`, replacing the profile with its id and the one with its stack level and purpose
   * on its connector. Refused (undefined) when it would exceed `maxProfiles`. Returns the ids replaced.
   */
  install(p: ChargingProfile, maxProfiles: number): { replaced: number[]; persisted: Promise<boolean> } | undefined {
    const replaces = (q: ChargingProfile) => q.id === p.id || (q.stackLevel === p.stackLevel && q.purpose === p.purpose && q.connectorId === p.connectorId);
    const kept = this.profiles.filter((q) => !replaces(q));
    if (kept.length + 1 > maxProfiles) return undefined;
    const replaced = this.profiles.filter(replaces).map((q) => q.id);
    this.profiles = [...kept, p];
    return { replaced, persisted: this.persist() };
  }

  /** Removes the profiles matching every given criterion; the ids removed (empty: none matched). */
  clear(c: ClearCriteria): { removed: number[]; persisted: Promise<boolean> } {
    const matches = (p: ChargingProfile) =>
      (c.id === undefined || p.id === c.id) &&
      (c.connectorId === undefined || p.connectorId === c.connectorId) &&
      (c.purpose === undefined || p.purpose === c.purpose) &&
      (c.stackLevel === undefined || p.stackLevel === c.stackLevel);
    const removed = this.profiles.filter(matches).map((p) => p.id);
    if (removed.length === 0) return { removed, persisted: this.writing };
    this.profiles = this.profiles.filter((p) => !matches(p));
    return { removed, persisted: this.persist() };
  }

  /** Resolves true once the current profiles are on disk (always true in memory), false when the write failed (logged). */
  private persist(): Promise<boolean> {
    const file = this.file;
    if (!file) return this.writing;
    const body = `${JSON.stringify({ version: 1, profiles: this.profiles })}\n`;
    this.writing = writeAfter(this.writing, file, body, this.log, 'charging profiles');
    return this.writing;
  }
}

const PURPOSES: readonly unknown[] = ['ChargePointMax', 'TxDefault', 'Tx'];
const KINDS: readonly unknown[] = ['Absolute', 'Relative', 'Recurring'];
const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const optNum = (v: unknown): boolean => v === undefined || num(v);

/** The shape of a stored profile (a file edited by hand or from an older version must not crash the charger). */
function isProfile(v: unknown): v is ChargingProfile {
  if (typeof v !== 'object' || v === null) return false;
  const p = v as Record<string, unknown>;
  const s = p.schedule as Record<string, unknown> | undefined;
  return (
    num(p.id) && num(p.connectorId) && num(p.stackLevel) && PURPOSES.includes(p.purpose) && KINDS.includes(p.kind) &&
    (p.recurrency === undefined || p.recurrency === 'Daily' || p.recurrency === 'Weekly') &&
    optNum(p.validFrom) && optNum(p.validTo) &&
    typeof s === 'object' && s !== null && (s.unit === 'A' || s.unit === 'W') && optNum(s.startSchedule) && optNum(s.duration) && optNum(s.minChargingRate) &&
    Array.isArray(s.periods) && s.periods.length > 0 &&
    (s.periods as unknown[]).every((x) => typeof x === 'object' && x !== null && num((x as SchedulePeriodLike).startPeriod) && num((x as SchedulePeriodLike).limit) && optNum((x as SchedulePeriodLike).numberPhases))
  );
}
type SchedulePeriodLike = { startPeriod?: unknown; limit?: unknown; numberPhases?: unknown };
