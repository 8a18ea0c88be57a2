/**
 * The charger's network connection profiles, one per configuration slot (OCPP 2.0.1
 * NetworkConnectionProfile; the connection profiles of ConnectionProfiles.ts under both versions).
 *
 * - Slot 1 is `csms.url`, slots 2… are `csms.fallbackUrls` in order (the installer's settings): they
 *   connect with the security profile in effect (SecurityCtrlr.SecurityProfile / the 1.6 key) and
 *   the call timeout of the settings.
 * - A CSMS may set a profile in any slot 1…{@link SLOT_COUNT} (SetNetworkProfile): its own URL,
 *   security profile and message timeout. It is kept in `<dataDir>/network-profiles.json` (mode
 *   0600) and replaces the settings' profile of that slot until the installer changes that
 *   setting: the file remembers which settings URL it replaced (none for a slot the settings do not
 *   have), and a profile whose slot the settings now say otherwise is dropped at start (the
 *   installer wins, as for the security profile, CsmsCredentials.ts).
 * - The slot of the last connection the CSMS accepted is kept too, for the fallback of OCPP 2.0.1
 *   B10.FR.07 (ConnectionProfiles.ts), also across restarts.
 */
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { writeAtomically } from '../store/writeAtomically.js';

/** Configuration slots 1…9 (NetworkConfigurationPriority's valuesList): the settings' 1 + 8 fallbacks at most. */
export const SLOT_COUNT = 9;

export interface NetworkProfile {
  readonly slot: number;
  /** The CSMS base URL; the identity is appended to its path. */
  readonly url: string;
  /** The profile's own security profile; absent for the settings' profiles (they use the one in effect). */
  readonly securityProfile?: number;
  /** The profile's own message timeout, s; absent: the settings' csms.callTimeoutMs. */
  readonly messageTimeoutS?: number;
  /** OCPP 2.0.1 ocppInterface as the CSMS gave it (kept and reported; the operating system routes the connection). */
  readonly ocppInterface?: string;
  readonly source: 'settings' | 'csms';
}

/** What a CSMS sets in a slot. */
export type CsmsProfile = Required<Pick<NetworkProfile, 'url' | 'securityProfile' | 'messageTimeoutS' | 'ocppInterface'>>;

interface StoredProfile extends CsmsProfile {
  /** The settings' URL of this slot when it was set (null: the settings had no profile there). */
  replaces: string | null;
}

interface StoredFile {
  version: 1;
  profiles: Record<string, StoredProfile>;
  lastSuccessfulSlot?: number;
}

export interface NetworkProfilesOptions {
  /** null: in memory (fleets, tests). */
  file: string | null;
  url: string;
  fallbackUrls?: readonly string[];
  log: Logger;
}

/** No profile set by a CSMS: shared by every store until its first set() (which makes a new record). */
const NO_PROFILES: Readonly<Record<string, StoredProfile>> = Object.freeze({});

export class NetworkProfiles {
  /** The file's content as fields (the record is replaced, never changed in place): no object per charger beyond this one. */
  private constructor(
    private readonly o: NetworkProfilesOptions | Omit<NetworkProfilesOptions, 'file'>,
    private profiles: Readonly<Record<string, StoredProfile>>,
    private lastSlot: number | undefined,
  ) {}

  /** Kept in memory only; `o` is kept as given (a fleet makes one per 2.0.1 charger). */
  static inMemory(o: Omit<NetworkProfilesOptions, 'file'>): NetworkProfiles {
    return new NetworkProfiles(o, NO_PROFILES, undefined);
  }

  static async open(o: NetworkProfilesOptions): Promise<NetworkProfiles> {
    if (!o.file) return new NetworkProfiles(o, NO_PROFILES, undefined);
    const profiles: Record<string, StoredProfile> = {};
    let lastSlot: number | undefined;
    try {
      const body = JSON.parse(await readFile(o.file, 'utf8')) as Partial<StoredFile>;
      if (body.version !== 1 || typeof body.profiles !== 'object' || body.profiles === null) throw new Error('unexpected structure');
      if (isSlot(body.lastSuccessfulSlot)) lastSlot = body.lastSuccessfulSlot;
      for (const [slot, p] of Object.entries(body.profiles)) {
        if (!isSlot(Number(slot)) || !isStoredProfile(p)) throw new Error(`slot ${slot}: unexpected structure`);
        const settingsUrl = settingsUrlOf(o, Number(slot)) ?? null;
        if (settingsUrl !== p.replaces) {
          o.log.warn({ slot: Number(slot), url: p.url, settings: settingsUrl }, 'the settings of this connection profile changed since the CSMS set it: the settings apply');
          continue;
        }
        profiles[slot] = p;
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') o.log.error({ err: String(err), file: o.file }, 'cannot read the stored network connection profiles; using the settings');
    }
    return new NetworkProfiles(o, profiles, lastSlot);
  }

  /** The profile of a slot, if the charger has one there. */
  get(slot: number): NetworkProfile | undefined {
    const p = this.profiles[String(slot)];
    if (p) return { slot, url: p.url, securityProfile: p.securityProfile, messageTimeoutS: p.messageTimeoutS, ocppInterface: p.ocppInterface, source: 'csms' };
    const url = settingsUrlOf(this.o, slot);
    return url === undefined ? undefined : { slot, url, source: 'settings' };
  }

  /** The slots that have a profile, in slot order. */
  slots(): number[] {
    return Array.from({ length: SLOT_COUNT }, (_, i) => i + 1).filter((slot) => this.get(slot) !== undefined);
  }

  /** Stores a CSMS's profile durably (0600) before resolving; rejects when it cannot be written. */
  async set(slot: number, profile: CsmsProfile): Promise<void> {
    if (!isSlot(slot)) throw new RangeError(`configuration slot ${slot}: expected 1 to ${SLOT_COUNT}`);
    const profiles = { ...this.profiles, [String(slot)]: { ...profile, replaces: settingsUrlOf(this.o, slot) ?? null } };
    await this.persist(profiles, this.lastSlot);
    this.profiles = profiles;
  }

  /** The slot of the last connection the CSMS accepted (B10.FR.07), if any. */
  get lastSuccessfulSlot(): number | undefined {
    return this.lastSlot;
  }

  /** The CSMS accepted a connection through `slot`: remembered (durably, without waiting for the write). */
  succeeded(slot: number): void {
    if (this.lastSlot === slot) return;
    this.lastSlot = slot;
    this.persist(this.profiles, slot).catch((err: unknown) => this.o.log.error({ err }, 'cannot store the last successful connection profile'));
  }

  private async persist(profiles: Readonly<Record<string, StoredProfile>>, lastSlot: number | undefined): Promise<void> {
    if (!('file' in this.o) || !this.o.file) return;
    const file: StoredFile = { version: 1, profiles: { ...profiles }, ...(lastSlot !== undefined && { lastSuccessfulSlot: lastSlot }) };
    await writeAtomically(this.o.file, `${JSON.stringify(file)}\n`, 0o600);
  }
}

function settingsUrlOf(o: Pick<NetworkProfilesOptions, 'url' | 'fallbackUrls'>, slot: number): string | undefined {
  return slot === 1 ? o.url : o.fallbackUrls?.[slot - 2];
}

function isSlot(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= SLOT_COUNT;
}

function isStoredProfile(p: unknown): p is StoredProfile {
  const s = p as Partial<StoredProfile> | null;
  return (
    typeof s === 'object' && s !== null && typeof s.url === 'string' && Number.isInteger(s.securityProfile) && Number.isInteger(s.messageTimeoutS)
    && typeof s.ocppInterface === 'string' && (s.replaces === null || typeof s.replaces === 'string')
  );
}
