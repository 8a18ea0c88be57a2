/**
 * The security profile in effect and the AuthorizationKey (the HTTP Basic password the CSMS sets),
 * kept in `<dataDir>/security/credentials.json` with mode 0600 — never in the OCPP configuration
 * file, never in logs.
 *
 * The profile can only be raised over OCPP (whitepaper A00.FR.005); lowering is for the installer,
 * through another way than OCPP: `csms.securityProfile` in the settings. So the file remembers the
 * settings value it was raised from: while the settings say the same, the stored (raised) profile
 * holds; once the installer changes the setting, the setting wins.
 */
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { writeAtomically } from '../store/writeAtomically.js';

export type SecurityProfile = 0 | 1 | 2 | 3;

interface StoredCredentials {
  version: 1;
  /** The profile in effect (raised by the CSMS, or the setting). */
  profile: SecurityProfile;
  /** The settings value when `profile` was stored. */
  settingsProfile: SecurityProfile;
  authorizationKey?: string;
}

export interface CsmsCredentialsOptions {
  /** null: in memory (fleets, tests). */
  file: string | null;
  /** csms.securityProfile. */
  settingsProfile: SecurityProfile;
  /** csms.password: used until the CSMS sets an AuthorizationKey. */
  settingsPassword?: string;
  log: Logger;
}

export class CsmsCredentials {
  private constructor(
    private readonly o: CsmsCredentialsOptions,
    private stored: StoredCredentials,
  ) {}

  static async open(o: CsmsCredentialsOptions): Promise<CsmsCredentials> {
    const fresh: StoredCredentials = { version: 1, profile: o.settingsProfile, settingsProfile: o.settingsProfile };
    if (!o.file) return new CsmsCredentials(o, fresh);
    let stored = fresh;
    try {
      const body = JSON.parse(await readFile(o.file, 'utf8')) as Partial<StoredCredentials>;
      if (body.version !== 1 || !isProfile(body.profile) || !isProfile(body.settingsProfile)) throw new Error('unexpected structure');
      stored = {
        version: 1,
        // The installer changed the setting: it wins (lowering is done this way, not over OCPP).
        profile: body.settingsProfile === o.settingsProfile ? body.profile : o.settingsProfile,
        settingsProfile: o.settingsProfile,
        ...(typeof body.authorizationKey === 'string' && { authorizationKey: body.authorizationKey }),
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') o.log.error({ err: String(err), file: o.file }, 'cannot read the stored CSMS credentials; using the settings');
    }
    return new CsmsCredentials(o, stored);
  }

  /** The security profile in effect. */
  get profile(): SecurityProfile {
    return this.stored.profile;
  }

  /** The HTTP Basic password: the AuthorizationKey the CSMS set, else csms.password. */
  get password(): string | undefined {
    return this.stored.authorizationKey ?? this.o.settingsPassword;
  }

  get hasAuthorizationKey(): boolean {
    return this.stored.authorizationKey !== undefined;
  }

  /** Stores a new profile (durably, 0600) once it has been shown to work. */
  async setProfile(profile: SecurityProfile): Promise<void> {
    this.stored = { ...this.stored, profile };
    await this.persist();
  }

  /** Stores a new AuthorizationKey (durably, 0600). */
  async setAuthorizationKey(key: string): Promise<void> {
    this.stored = { ...this.stored, authorizationKey: key };
    await this.persist();
  }

  private async persist(): Promise<void> {
    if (this.o.file) await writeAtomically(this.o.file, `${JSON.stringify(this.stored)}\n`, 0o600);
  }
}

export function isProfile(value: unknown): value is SecurityProfile {
  return value === 0 || value === 1 || value === 2 || value === 3;
}
