/**
 * `evse run`'s security services, opened once at start from the settings and the data directory
 * (`<dataDir>/security/`, mode 0700; files in it 0600): the security log and event queue, the
 * stored credentials (profile, AuthorizationKey), the certificate store and the per-connection
 * security of the link. What a configured profile needs is checked here, against the files and
 * what the CSMS installed before, so that a charger that could never connect stops with exit 78
 * naming the key instead (docs/security.md).
 */
import { X509Certificate } from 'node:crypto';
import { chmod, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../hal/clock.js';
import { CertificateService, EXPIRY_WARNING_MS } from '../agent/security/CertificateService.js';
import { CertificateStore } from '../agent/security/CertificateStore.js';
import { ConnectionSecurity } from '../agent/security/ConnectionSecurity.js';
import { CsmsCredentials } from '../agent/security/CsmsCredentials.js';
import { SecurityEventService, type QueuedSecurityEvent } from '../agent/security/SecurityEventService.js';
import { SecurityLog } from '../agent/security/SecurityLog.js';
import { splitPem } from '../agent/security/x509.js';
import { readTlsFiles } from './settings/tlsFiles.js';
import { FileJournal } from '../agent/store/FileJournal.js';
import type { OcppConfiguration } from '../agent/store/OcppConfiguration.js';
import { definitionOf } from '../agent/ocpp16/configurationKeys.js';
import { SettingsError, type Settings, type SettingsIssue } from './settings/settings.js';

export interface CsmsSecurity {
  events: SecurityEventService;
  connection: ConnectionSecurity;
  certificates: CertificateStore;
  certificateService: CertificateService;
  credentials: CsmsCredentials;
  securityLog: SecurityLog;
  close(): Promise<void>;
}

/**
 * Opens the security services. Throws a {@link SettingsError} when the settings cannot work:
 * a file that is missing or not what its key says, a profile without what it needs, a password
 * over plain ws:// to another host without `csms.allowPlainPassword`.
 */
export async function openCsmsSecurity(settings: Settings, dataDir: string, config: OcppConfiguration, clock: Clock, log: Logger): Promise<CsmsSecurity> {
  const { csms } = settings;
  const issues: SettingsIssue[] = [];
  const tls = readCsmsTlsFiles(csms.tls, issues);
  const dir = join(dataDir, 'security');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const credentials = await CsmsCredentials.open({ file: join(dir, 'credentials.json'), settingsProfile: csms.securityProfile, ...(csms.password !== undefined && { settingsPassword: csms.password }), log });
  const certificates = await CertificateStore.open({ file: join(dir, 'certificates.json'), log, maxCertificates: Number(definitionOf('CertificateStoreMaxLength').default) });
  issues.push(...profileIssues(settings, credentials, certificates, tls));
  if (issues.length > 0) throw new SettingsError(issues);
  warnOfExpiry(tls, clock.now(), log);
  // The event queue exists from the first start on: without the log beside it, someone removed the log.
  const exists = (name: string) => stat(join(dir, name)).then(() => true, () => false);
  const cleared = (await exists('events.log')) && !(await exists('security.log'));
  const securityLog = await SecurityLog.open({ file: join(dir, 'security.log'), log });
  const queue = await FileJournal.open<QueuedSecurityEvent>({ file: join(dir, 'events.log'), log, name: 'security event queue' });
  const events = new SecurityEventService({ clock, log, securityLog, queue });
  if (cleared) events.raise('SecurityLogWasCleared', 'security.log was missing at start (removed since the last run): a new one is begun');
  const connection = new ConnectionSecurity({ url: csms.url, credentials, certificates, events, log, tls: { ...tls, ciphers: csms.tls.ciphers } });
  connection.own(config);
  const certificateService = new CertificateService({
    store: certificates,
    events,
    clock,
    log,
    subject: () => ({ ...(config.getString('CpoName') !== '' && { organization: config.getString('CpoName') }), commonName: settings.chargePoint.serialNumber }),
    needsInstalledRoots: () => connection.profile >= 2 && !tls.ca?.length,
  });
  return { events, connection, certificates, certificateService, credentials, securityLog, close: () => queue.close() };
}

/** The certificates of the settings' files that end within 30 days (the installed ones: CertificateService). */
function warnOfExpiry(tls: { ca?: string[]; cert?: string }, now: number, log: Logger): void {
  const soon = now + EXPIRY_WARNING_MS;
  const files: [string, string[]][] = [['csms.tls.caFile', tls.ca ?? []], ['csms.tls.certFile', tls.cert === undefined ? [] : splitPem(tls.cert).slice(0, 1)]];
  for (const [key, pems] of files) {
    for (const pem of pems) {
      const cert = new X509Certificate(pem);
      const validTo = Date.parse(cert.validTo);
      if (validTo < now) log.error({ key, subject: cert.subject.replaceAll('\n', ', '), validTo: cert.validTo }, 'certificate from the settings has expired');
      else if (validTo < soon) log.warn({ key, subject: cert.subject.replaceAll('\n', ', '), validTo: cert.validTo }, 'certificate from the settings expires soon');
    }
  }
}

function readCsmsTlsFiles(tls: Settings['csms']['tls'], issues: SettingsIssue[]): { ca?: string[]; cert?: string; key?: string } {
  const { ca, cert, key } = readTlsFiles(tls, 'csms.tls', issues);
  return { ...(ca !== undefined && { ca: splitPem(ca) }), ...(cert !== undefined && { cert }), ...(key !== undefined && { key }) };
}

/** What the profile in effect needs (the settings' or the one the CSMS raised it to). */
function profileIssues(settings: Settings, credentials: CsmsCredentials, certificates: CertificateStore, tls: { ca?: string[]; cert?: string; key?: string }): SettingsIssue[] {
  const { csms } = settings;
  const profile = credentials.profile;
  const url = new URL(csms.url);
  const secure = url.protocol === 'wss:';
  const issues: SettingsIssue[] = [];
  const named = `security profile ${profile}${profile !== csms.securityProfile ? ' (raised by the CSMS)' : ''}`;
  if (profile === 1 && secure) issues.push({ path: 'csms.url', message: `expected a ws:// URL for ${named} (unsecured transport; use profile 2 for wss://), got ${JSON.stringify(csms.url)}` });
  if (profile >= 2 && !secure) issues.push({ path: 'csms.url', message: `expected a wss:// URL for ${named}, got ${JSON.stringify(csms.url)}` });
  if ((profile === 1 || profile === 2) && credentials.password === undefined) issues.push({ path: 'csms.password', message: `expected a password for ${named}, but it is not set` });
  if (profile >= 2 && !tls.ca?.length && certificates.roots('CentralSystemRootCertificate').length === 0) {
    issues.push({ path: 'csms.tls.caFile', message: `expected a CA certificate file for ${named} (no CentralSystemRootCertificate is installed), but it is not set` });
  }
  if (profile === 3 && !certificates.chargePointCertificate() && (tls.cert === undefined || tls.key === undefined) && csms.tls.certFile === undefined) {
    issues.push({ path: 'csms.tls.certFile', message: `expected a client certificate file for ${named} (none was signed by the CSMS yet), but it is not set` });
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) || url.hostname.startsWith('127.');
  if (!secure && profile !== 3 && credentials.password !== undefined && !loopback && !csms.allowPlainPassword) {
    issues.push({ path: 'csms.password', message: `refused over plain ws:// to ${url.hostname}: the password would travel readable; use wss:// (security profile 2) or set csms.allowPlainPassword: true on a trusted network (e.g. a VPN)` });
  }
  return issues;
}
