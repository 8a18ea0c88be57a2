/**
 * Which connection profile the next connection attempt goes to (OCPP 2.0.1
 * OCPPCommCtrlr.NetworkConfigurationPriority and NetworkProfileConnectionAttempts, use cases B09 /
 * B10; the same keys under 1.6, from the settings), and the checks of a new profile or priority.
 *
 * Profiles are those of {@link NetworkProfiles}: slot 1 `csms.url`, 2… `csms.fallbackUrls`, and any
 * slot a CSMS set with SetNetworkProfile (its own URL, security profile and message timeout).
 * - Attempts go to the slots of NetworkConfigurationPriority in its order (empty: every slot in
 *   slot order). A slot without a profile, or whose profile would connect with a lower security
 *   profile than the one in effect, is skipped: the station never downgrades (B09.FR.04, A05).
 * - After NetworkProfileConnectionAttempts failed attempts in a row on one slot the next is tried
 *   (B10.FR.03). When every slot of the list failed and the last profile the CSMS accepted is not
 *   in the list (a migration to a profile that does not work), the station falls back to that one
 *   (B10.FR.07) for NetworkProfileConnectionAttempts attempts, then begins the list again
 *   (B10.FR.08): it never stops trying (B10.FR.09).
 * - Once connected the station stays on that slot; a lost connection, or the link starting again
 *   (a reboot), begins again with the most preferred slot (B10.FR.04). A more preferred slot may be
 *   probed while a less preferred one is in use (ConnectionAttempts.ts).
 * Both keys are read at every attempt: a change applies to the next one.
 */
import type { Logger } from 'pino';
import type { ChangeStatus, KeyOwner, OcppConfiguration } from '../store/OcppConfiguration.js';
import type { CsmsProfile, NetworkProfile, NetworkProfiles } from './NetworkProfiles.js';
import { SLOT_COUNT } from './NetworkProfiles.js';

/** What the connection profiles need to know of the security service (agent/security/ConnectionSecurity.ts). */
export interface ProfileSecurity {
  /** The security profile in effect (raised, never lowered over OCPP). */
  readonly profile?: number;
  /** What connecting with `securityProfile` to `url` needs that this charger lacks (a trust anchor, a client certificate, a password), or undefined. */
  missingFor?(securityProfile: number, url: string): string | undefined;
}

/** Why a profile or a priority list is refused: the 2.0.1 reasonCode and the details. */
export interface Refusal {
  reasonCode: 'InvalidNetworkConf' | 'NoSecurityDowngrade' | 'InvalidConfSlot';
  additionalInfo: string;
}

/** NetworkConfigurationPriority's owner: prototype methods, not two closures per charger (docs/fleet.md, Memory). */
class PriorityKey implements KeyOwner {
  constructor(
    private readonly profiles: ConnectionProfiles,
    private readonly config: OcppConfiguration,
  ) {}

  change(value: string): Promise<ChangeStatus> {
    return this.profiles.changePriority(value);
  }

  reported(): string {
    return this.config.getList('NetworkConfigurationPriority').join(',');
  }
}

export class ConnectionProfiles {
  /** Position in the priority order of the slot being tried. */
  private position = 0;
  /** Failed attempts in a row on that slot. */
  private failures = 0;
  /** Slots of the list whose attempts ran out since the CSMS last accepted a connection. */
  private exhausted = 0;
  /** Trying the last successful profile after the whole list failed (B10.FR.07). */
  private fallback = false;

  constructor(
    readonly store: NetworkProfiles,
    private readonly config: OcppConfiguration,
    private readonly security: ProfileSecurity | undefined,
    private readonly log: Logger,
  ) {}

  /**
   * Takes over NetworkConfigurationPriority: a list naming a slot without a profile, or a profile
   * this station cannot connect with (lower security profile, missing certificate), is Rejected.
   */
  own(): void {
    this.config.delegate('NetworkConfigurationPriority', new PriorityKey(this, this.config));
  }

  /** The security profile in effect (0 without the security service). */
  get floor(): number {
    return this.security?.profile ?? 0;
  }

  /** The security profile a connection through `profile` uses. */
  securityOf(profile: NetworkProfile): number {
    return profile.securityProfile ?? this.floor;
  }

  /** The slots to try, most preferred first. */
  order(): number[] {
    const usable = (slot: number) => {
      const p = this.store.get(slot);
      return p !== undefined && this.unusable(p) === undefined;
    };
    const listed = this.config.getList('NetworkConfigurationPriority').map(Number).filter(usable);
    if (listed.length > 0) return listed;
    const all = this.store.slots().filter(usable);
    return all.length > 0 ? all : [1];
  }

  /** The slot of the next attempt. */
  get slot(): number {
    if (this.fallback && this.store.lastSuccessfulSlot !== undefined) return this.store.lastSuccessfulSlot;
    const order = this.order();
    return order[this.position % order.length]!;
  }

  /** The profile of the next attempt. */
  get profile(): NetworkProfile {
    const slot = this.slot;
    return this.store.get(slot) ?? this.store.get(1)!;
  }

  /** The slots more preferred than `slot` that could be used (what a probe may try). */
  preferredTo(slot: number): number[] {
    const order = this.order();
    const at = order.indexOf(slot);
    return at < 0 ? order : order.slice(0, at);
  }

  /** An attempt failed before the connection opened. Returns the slot the next attempt goes to when that changes. */
  failed(): number | undefined {
    if (++this.failures < this.config.getInt('NetworkProfileConnectionAttempts')) return undefined;
    const before = this.slot;
    this.failures = 0;
    if (this.fallback) {
      // B10.FR.08: the fallback did not work either: the list again from its first entry.
      this.fallback = false;
      this.position = 0;
      this.exhausted = 0;
    } else {
      const order = this.order();
      const last = this.store.lastSuccessfulSlot;
      if (++this.exhausted >= order.length) {
        this.exhausted = 0;
        const lastProfile = last === undefined ? undefined : this.store.get(last);
        if (last !== undefined && !order.includes(last) && lastProfile && this.unusable(lastProfile) === undefined) this.fallback = true;
      }
      if (!this.fallback) this.position = (this.position + 1) % order.length;
    }
    return this.slot === before ? undefined : this.slot;
  }

  /** A connection opened: its slot's failure count starts again. */
  connected(): void {
    this.failures = 0;
  }

  /** The CSMS accepted the connection through `slot`: the profile to fall back to from now on (B10.FR.07). */
  accepted(slot: number): void {
    this.exhausted = 0;
    this.store.succeeded(slot);
  }

  /** The connection was lost or the link starts again: back to the most preferred slot. */
  restart(): void {
    this.position = 0;
    this.failures = 0;
    this.exhausted = 0;
    this.fallback = false;
  }

  /**
   * SetNetworkProfile (B09), the version-neutral part: the slot (B09.FR.05), the URL's scheme for
   * its security profile, no downgrade (B09.FR.04), what the profile needs (A05.FR.02/03), then
   * stored durably. `activeSlot`: the slot of the connection in use, which is not replaced.
   */
  async propose(slot: number, profile: CsmsProfile, activeSlot: number | undefined): Promise<Refusal | undefined> {
    if (!Number.isInteger(slot) || slot < 1 || slot > SLOT_COUNT) return { reasonCode: 'InvalidConfSlot', additionalInfo: `configurationSlot ${slot}: this station has slots 1 to ${SLOT_COUNT} (NetworkConfigurationPriority valuesList)` };
    if (slot === activeSlot) return { reasonCode: 'InvalidConfSlot', additionalInfo: `configurationSlot ${slot} is the connection in use; set another slot and move NetworkConfigurationPriority to it` };
    const urlProblem = csmsUrlProblem(profile.url);
    if (urlProblem) return { reasonCode: 'InvalidNetworkConf', additionalInfo: `ocppCsmsUrl: ${urlProblem}` };
    if (!Number.isInteger(profile.securityProfile) || profile.securityProfile < 0 || profile.securityProfile > 3) return { reasonCode: 'InvalidNetworkConf', additionalInfo: `securityProfile ${profile.securityProfile}: expected 0 to 3` };
    if (profile.securityProfile < this.floor) return { reasonCode: 'NoSecurityDowngrade', additionalInfo: `securityProfile ${profile.securityProfile} is lower than the one in effect (${this.floor})` };
    const scheme = schemeProblem(profile.securityProfile, profile.url);
    if (scheme) return { reasonCode: 'InvalidNetworkConf', additionalInfo: scheme };
    if (!Number.isInteger(profile.messageTimeoutS) || profile.messageTimeoutS < 1 || profile.messageTimeoutS > 3600) return { reasonCode: 'InvalidNetworkConf', additionalInfo: `messageTimeout ${profile.messageTimeoutS}: expected 1 to 3600 s` };
    const missing = this.missing(profile.securityProfile, profile.url);
    if (missing) return { reasonCode: 'InvalidNetworkConf', additionalInfo: `securityProfile ${profile.securityProfile}: ${missing}` };
    await this.store.set(slot, { ...profile, url: profile.url.replace(/\/+$/, '') });
    return undefined;
  }

  /** Why this station would not connect through `profile` now, or undefined. */
  unusable(profile: NetworkProfile): string | undefined {
    const security = this.securityOf(profile);
    if (security < this.floor) return `security profile ${security} is below the one in effect (${this.floor})`;
    // A settings profile connects with the profile in effect, which its scheme must carry.
    return profile.source === 'settings' && this.security?.missingFor ? schemeProblem(security, profile.url) : undefined;
  }

  private missing(securityProfile: number, url: string): string | undefined {
    if (this.security?.missingFor) return this.security.missingFor(securityProfile, url);
    // Without the connection security service there are no TLS settings of the charger's own.
    return securityProfile >= 2 ? 'this charger has no connection security service (TLS trust anchors, client certificate)' : undefined;
  }

  /** NetworkConfigurationPriority changed by the CSMS (PriorityKey). */
  async changePriority(value: string): Promise<ChangeStatus> {
    const slots = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
    if (new Set(slots).size !== slots.length) {
      this.log.info({ value }, 'NetworkConfigurationPriority rejected: a slot twice');
      return 'Rejected';
    }
    const before = new Set(this.config.getList('NetworkConfigurationPriority').map(Number));
    for (const s of slots) {
      const slot = Number(s);
      const profile = /^[1-9]$/.test(s) ? this.store.get(slot) : undefined;
      const problem = !profile
        ? `slot ${s} is not a connection profile of this charger (it has ${this.store.slots().join(',')})`
        : (this.unusable(profile) ?? (before.has(slot) || profile.source === 'settings' ? undefined : this.missing(this.securityOf(profile), profile.url)));
      if (problem !== undefined) {
        this.log.info({ value, slot: s, problem }, 'NetworkConfigurationPriority rejected');
        return 'Rejected';
      }
    }
    // A05.FR.04 / B10: Accepted; the new order applies from the next connection (a Reset, or a lost connection).
    try {
      await this.config.set('NetworkConfigurationPriority', slots.join(','));
    } catch (err) {
      // A slot above NetworkConnectionProfiles (a 1.6 charger's count of its settings' profiles).
      this.log.info({ value, err: String(err) }, 'NetworkConfigurationPriority rejected');
      return 'Rejected';
    }
    return 'Accepted';
  }
}

/** A CSMS URL this station can connect to: ws:// or wss://, no query or fragment (the identity is appended to its path). */
function csmsUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `not a URL: "${url}"`;
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') return `expected a ws:// or wss:// URL, got "${url}"`;
  if (parsed.search !== '' || parsed.hash !== '') return `expected a URL without query or fragment (the identity is appended to its path), got "${url}"`;
  return undefined;
}

/** Profile 1 is HTTP Basic over ws://; 2 and 3 are TLS (wss://); 0 (no profile) takes either. */
function schemeProblem(securityProfile: number, url: string): string | undefined {
  const wss = url.startsWith('wss:');
  if (securityProfile === 1 && wss) return 'security profile 1 is unsecured transport: expected a ws:// URL';
  if (securityProfile >= 2 && !wss) return `security profile ${securityProfile} is TLS: expected a wss:// URL`;
  return undefined;
}
