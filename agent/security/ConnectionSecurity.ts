/**
 * OCPP security profiles 1–3 (1.6 Security Whitepaper, "Secure connection setup"), as the link's
 * {@link LinkSecurity}: what every connection attempt uses, and the two configuration keys that
 * change it, which this service owns (OcppConfiguration.delegate):
 *
 * - profile 0: no profile (the settings as they are: ws:// or wss://, Node's roots unless a CA is set);
 *   1: HTTP Basic over ws://; 2: HTTP Basic over TLS; 3: TLS with the charger's client certificate.
 *   TLS is at least 1.2 with the configured cipher list; the CSMS certificate must chain to the CA
 *   bundle of the settings or an installed CentralSystemRootCertificate (Node's roots are not used).
 * - SecurityProfile can only be raised (a lower value is Rejected and logged as an attempted
 *   reconfiguration); a raise is Accepted only when what it needs is there (wss:// URL, a trust
 *   anchor, for 3 a client certificate). AuthorizationKey is write-only (GetConfiguration shows no
 *   value) and stored 0600 (CsmsCredentials).
 * - A change is tried on a new connection before it is kept: after the answer the link reconnects
 *   with it; once the CSMS accepts a BootNotification it is stored (and a
 *   ReconfigurationOfSecurityParameters event logged); after TRIAL_ATTEMPTS failed attempts the
 *   previous settings are back and the failure is logged and reported as a security event — the
 *   link is never left without settings that worked.
 * - Connection profiles (agent/ocpp/ConnectionProfiles.ts): a profile a CSMS set has a security
 *   profile of its own; its connections get the password and TLS settings of that profile. Once
 *   the CSMS accepts a connection with a higher one than in effect, that one is the station's
 *   (stored, and the ReconfigurationOfSecurityParameters event: OCPP 2.0.1 A05.FR.06/07); the
 *   station never connects with a lower one again.
 */
import type { Logger } from 'pino';
import type { LinkConnection, LinkSecurity, LinkTls } from '../ocpp/OcppLinkTypes.js';
import type { ChangeStatus, OcppConfiguration } from '../store/OcppConfiguration.js';
import type { CertificateStore } from './CertificateStore.js';
import { securityEventOf } from './connectionFailure.js';
import { isProfile, type CsmsCredentials, type SecurityProfile } from './CsmsCredentials.js';
import type { SecurityEventSink } from './securityEvents.js';

/** The whitepaper's TLS 1.2 cipher suites (ECDHE with AES-GCM, ECDSA and RSA certificates). */
export const DEFAULT_CIPHERS = 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384';
/** Failed attempts with changed settings before the previous ones are back. */
const TRIAL_ATTEMPTS = 3;
/** AuthorizationKey: 16 to 40 characters (whitepaper, Basic authentication password). */
const KEY_LENGTH = { min: 16, max: 40 };

export interface ConnectionSecurityOptions {
  /** csms.url. */
  url: string;
  credentials: CsmsCredentials;
  certificates: CertificateStore;
  events: SecurityEventSink;
  log: Logger;
  /** From the settings: CA bundle (PEM certificates), client certificate chain and key, cipher list. */
  tls: { ca?: string[]; cert?: string; key?: string; ciphers: string };
}

/** Changed settings being tried on a new connection. */
interface Trial {
  profile: SecurityProfile;
  key: string | undefined;
  failures: number;
  what: string;
}

export class ConnectionSecurity implements LinkSecurity {
  private link: { reconnect(): void } | undefined;
  private trial: Trial | undefined;
  private readonly log: Logger;

  constructor(private readonly o: ConnectionSecurityOptions) {
    this.log = o.log.child({ component: 'security' });
  }

  /** Takes over SecurityProfile and AuthorizationKey of this charger's configuration. */
  own(config: OcppConfiguration): void {
    config.delegate('SecurityProfile', { change: (v) => this.changeProfile(v), reported: () => String(this.o.credentials.profile) });
    config.delegate('AuthorizationKey', { change: (v) => this.changeKey(v), reported: () => undefined });
  }

  attach(link: { reconnect(): void }): void {
    this.link = link;
  }

  /** The profile in effect (a raise being tried is not, yet). */
  get profile(): SecurityProfile {
    return this.o.credentials.profile;
  }

  connection(target?: { url: string; securityProfile?: number }): LinkConnection {
    const url = target?.url ?? this.o.url;
    const profile = target?.securityProfile !== undefined && isProfile(target.securityProfile) ? target.securityProfile : (this.trial?.profile ?? this.o.credentials.profile);
    const password = profile === 3 ? undefined : (this.trial?.key ?? this.o.credentials.password);
    const secure = profile >= 2 || url.startsWith('wss:');
    return { url, ...(password !== undefined && { password }), ...(secure && { tls: this.tls(profile) }) };
  }

  connectFailed(err: unknown): void {
    const failure = securityEventOf(err);
    if (failure) this.o.events.raise(failure.type, failure.techInfo);
    const trial = this.trial;
    if (!trial || ++trial.failures < TRIAL_ATTEMPTS) return;
    this.trial = undefined;
    const back = `${trial.what} failed to connect ${TRIAL_ATTEMPTS} times (${failure?.type ?? String(err)}): back to security profile ${this.o.credentials.profile}`;
    this.log.error({ profile: this.o.credentials.profile }, back);
    this.o.events.raise('ReconfigurationOfSecurityParameters', back);
  }

  invalidMessage(what: string): void {
    this.o.events.raise('InvalidMessages', what);
  }

  attemptedReplay(what: string): void {
    this.o.events.raise('AttemptedReplayAttacks', what);
  }

  connected(securityProfile?: number): void {
    const trial = this.trial;
    if (securityProfile !== undefined && isProfile(securityProfile) && securityProfile > this.o.credentials.profile && securityProfile > (trial?.profile ?? 0)) {
      // A connection profile with a higher security profile works: it is the station's from now on.
      this.trial = undefined;
      void this.commit({ profile: securityProfile, key: trial?.key, failures: 0, what: `SecurityProfile ${this.o.credentials.profile} -> ${securityProfile} (connection profile)` });
      return;
    }
    if (!trial) return;
    this.trial = undefined;
    void this.commit(trial);
  }

  private async commit(trial: Trial): Promise<void> {
    try {
      if (trial.key !== undefined) await this.o.credentials.setAuthorizationKey(trial.key);
      if (trial.profile !== this.o.credentials.profile) await this.o.credentials.setProfile(trial.profile);
      this.log.info({ profile: trial.profile }, `${trial.what}: connected and stored`);
      this.o.events.raise('ReconfigurationOfSecurityParameters', `${trial.what}: in effect`);
    } catch (err) {
      this.log.error({ err }, `${trial.what}: connected, but cannot be stored (the previous settings apply after a restart)`);
    }
  }

  private tls(profile: SecurityProfile): LinkTls {
    const { tls } = this.o;
    const anchors = [...(tls.ca ?? []), ...this.o.certificates.roots('CentralSystemRootCertificate')];
    const client = profile === 3 ? (this.o.certificates.chargePointCertificate() ?? (tls.cert && tls.key ? { cert: tls.cert, key: tls.key } : undefined)) : undefined;
    return {
      minVersion: 'TLSv1.2',
      ciphers: tls.ciphers,
      // Profile 0 keeps Node's roots unless a CA is configured; 2 and 3 trust only the configured anchors.
      ...((profile >= 2 || anchors.length > 0) && { ca: anchors }),
      ...(client && { cert: client.cert, key: client.key }),
    };
  }

  private async changeProfile(value: string): Promise<ChangeStatus> {
    const requested = /^\s*[0-3]\s*$/.test(value) ? (Number(value) as SecurityProfile) : undefined;
    const current = this.trial?.profile ?? this.o.credentials.profile;
    if (requested === undefined) return 'Rejected';
    if (requested === current) return 'Accepted';
    if (requested < current) {
      // A00.FR.005: lowering is not done over OCPP.
      this.log.warn({ current, requested }, 'SecurityProfile: lowering refused');
      this.o.events.raise('ReconfigurationOfSecurityParameters', `refused: SecurityProfile ${current} -> ${requested} (it can only be raised over OCPP)`);
      return 'Rejected';
    }
    const missing = this.missingFor(requested);
    if (missing) {
      this.log.warn({ requested, missing }, 'SecurityProfile: raise rejected');
      return 'Rejected';
    }
    this.startTrial({ profile: requested, key: this.trial?.key, failures: 0, what: `SecurityProfile ${this.o.credentials.profile} -> ${requested}` });
    return 'Accepted';
  }

  private async changeKey(value: string): Promise<ChangeStatus> {
    if (value.length < KEY_LENGTH.min || value.length > KEY_LENGTH.max) return 'Rejected';
    const profile = this.trial?.profile ?? this.o.credentials.profile;
    if (profile === 3) {
      // Not used for connecting now (client certificate), only if ever lowered by the installer.
      await this.o.credentials.setAuthorizationKey(value);
      this.o.events.raise('ReconfigurationOfSecurityParameters', 'AuthorizationKey changed');
      return 'Accepted';
    }
    this.startTrial({ profile, key: value, failures: 0, what: 'new AuthorizationKey' });
    return 'Accepted';
  }

  private startTrial(trial: Trial): void {
    this.trial = trial;
    this.log.info({ profile: trial.profile }, `${trial.what}: reconnecting to try it`);
    // After the ChangeConfiguration answer has been written.
    setImmediate(() => this.link?.reconnect());
  }

  /**
   * What a profile needs that is not there, or undefined: for the settings' URL, or for `url` (a
   * connection profile a CSMS sets, which names its own URL).
   */
  missingFor(profile: number, url?: string): string | undefined {
    if (!isProfile(profile)) return `security profile ${profile}: expected 0 to 3`;
    if (url !== undefined) return this.missingTo(profile, url);
    const wss = this.o.url.startsWith('wss:');
    if (profile === 1 && wss) return 'profile 1 is unsecured transport: csms.url is wss://';
    if (profile === 1 && this.o.credentials.password === undefined) return 'no password (csms.password or AuthorizationKey)';
    if (profile >= 2 && !wss) return 'csms.url is not wss://';
    if (profile === 2 && this.o.credentials.password === undefined) return 'no password (csms.password or AuthorizationKey)';
    if (profile >= 2 && (this.o.tls.ca?.length ?? 0) + this.o.certificates.roots('CentralSystemRootCertificate').length === 0) return 'no CentralSystemRootCertificate installed and no csms.tls.caFile';
    return this.missingTo(profile, this.o.url);
  }

  private missingTo(profile: SecurityProfile, url: string): string | undefined {
    const wss = url.startsWith('wss:');
    if (profile === 1 && wss) return 'profile 1 is unsecured transport: the URL is wss://';
    if (profile >= 2 && !wss) return 'profile 2 and 3 are TLS: the URL is not wss://';
    if ((profile === 1 || profile === 2) && this.o.credentials.password === undefined) return 'no password (csms.password or BasicAuthPassword / AuthorizationKey)';
    if (profile >= 2 && (this.o.tls.ca?.length ?? 0) + this.o.certificates.roots('CentralSystemRootCertificate').length === 0) return 'no CSMS root certificate installed (InstallCertificate CSMSRootCertificate) and no csms.tls.caFile';
    if (profile === 3 && !this.o.certificates.chargePointCertificate() && !(this.o.tls.cert && this.o.tls.key)) return 'no charging station certificate (SignCertificate, or csms.tls.certFile/keyFile)';
    return undefined;
  }
}
