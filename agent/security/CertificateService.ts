/**
 * Certificate management (OCPP 1.6 Security Whitepaper, "Certificate management"), version-neutral:
 * install, delete and list root certificates; SignCertificate (a key pair and CSR made on the
 * charger, O = CpoName, CN = the serial number) and the signed certificate the CSMS sends back
 * (checked: key, validity, chain to an installed CentralSystemRootCertificate, subject; used
 * from the next connection); expiry warnings. The OCPP 1.6 handlers translate messages to these
 * calls (agent/ocpp/v16/handlers); a 2.0.1 face would do the same.
 *
 * Expiry: once a day (clock) every installed certificate that ends within EXPIRY_WARNING_MS is
 * logged as a warning; a charge point certificate that does is renewed (a new SignCertificate),
 * so a profile-3 charger does not lose its connection when the certificate runs out.
 */
import type { Logger } from 'pino';
import type { Clock, TimerId } from '../../hal/clock.js';
import type { OcppCaller } from '../ocpp/OcppCaller.js';
import type { CertificateControl } from '../ocpp/v16/ChargePointControl.js';
import type { CertificateHashDataType, CertificateSignedResponse, CertificateUseEnumType, DeleteCertificateResponse, InstallCertificateResponse } from '../ocpp16/messages.js';
import type { CertificateStore } from './CertificateStore.js';
import type { SecurityEventSink } from './securityEvents.js';

/** Warn (and renew the charge point certificate) this long before a certificate expires. */
export const EXPIRY_WARNING_MS = 30 * 24 * 3600_000;
const CHECK_EVERY_MS = 24 * 3600_000;

export interface CertificateServiceOptions {
  store: CertificateStore;
  events: SecurityEventSink;
  clock: Clock;
  log: Logger;
  /** The subject of the charger's certificate: CpoName (read at each request) and the serial number. */
  subject: () => { organization?: string; commonName: string };
  /** True while the connection depends on the installed CentralSystemRootCertificates alone (the last one is not deleted). */
  needsInstalledRoots: () => boolean;
}

export class CertificateService implements CertificateControl {
  private link: OcppCaller | undefined;
  private timer: TimerId | undefined;
  private readonly log: Logger;

  constructor(private readonly o: CertificateServiceOptions) {
    this.log = o.log.child({ component: 'certificates' });
  }

  /** The link SignCertificate goes through (the charger's current one). */
  attach(link: OcppCaller): void {
    this.link = link;
  }

  /** Starts the daily expiry check (the first one now). */
  start(): void {
    this.stop();
    this.checkExpiry();
  }

  stop(): void {
    this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  install(type: CertificateUseEnumType, certificate: string): Promise<InstallCertificateResponse['status']> {
    return this.o.store.install(type, certificate, this.o.clock.now()).then((status) => {
      this.log.info({ type, status }, 'InstallCertificate');
      return status;
    });
  }

  async remove(id: CertificateHashDataType): Promise<DeleteCertificateResponse['status']> {
    const use = this.o.store.useOf(id);
    if (use === 'CentralSystemRootCertificate' && this.o.store.roots(use).length === 1 && this.o.needsInstalledRoots()) {
      this.log.warn('DeleteCertificate refused: the last CentralSystemRootCertificate is what the connection is verified against');
      return 'Failed';
    }
    return this.o.store.delete(id);
  }

  installedIds(type: CertificateUseEnumType): CertificateHashDataType[] {
    return this.o.store.ids(type);
  }

  async certificateSigned(chain: string): Promise<CertificateSignedResponse['status']> {
    const check = await this.o.store.acceptSigned(chain, this.o.clock.now(), this.o.subject()).catch((err: unknown) => ({ ok: false as const, reason: `cannot be stored: ${String(err)}` }));
    if (!check.ok) {
      this.o.events.raise('InvalidChargePointCertificate', check.reason);
      return 'Rejected';
    }
    this.log.info('new charge point certificate stored; used from the next connection');
    return 'Accepted';
  }

  /** ExtendedTriggerMessage(SignChargePointCertificate): the SignCertificate request follows the answer. */
  requestSigning(): 'Accepted' | 'Rejected' {
    if (!this.link) return 'Rejected';
    setImmediate(() => void this.sendSigningRequest());
    return 'Accepted';
  }

  /** Makes a key pair and CSR and sends SignCertificate; resolves with the CSMS's answer (Rejected when it cannot be sent). */
  async sendSigningRequest(): Promise<'Accepted' | 'Rejected'> {
    const link = this.link;
    if (!link) return 'Rejected';
    try {
      const csr = await this.o.store.createSigningRequest(this.o.subject());
      const { status } = await link.call('SignCertificate', { csr });
      this.log.info({ status }, 'SignCertificate answered');
      return status;
    } catch (err) {
      this.log.warn({ err }, 'SignCertificate failed');
      return 'Rejected';
    }
  }

  private checkExpiry(): void {
    const now = this.o.clock.now();
    const until = now + EXPIRY_WARNING_MS;
    for (const c of this.o.store.expiringRoots(until)) this.log.warn({ type: c.use, subject: c.subject, validTo: c.validTo }, 'installed certificate expires soon');
    const cpExpiry = this.o.store.chargePointExpiry();
    if (cpExpiry !== undefined && cpExpiry < until) {
      this.log.warn({ validTo: new Date(cpExpiry).toISOString() }, 'charge point certificate expires soon: asking the CSMS for a new one');
      if (this.link?.isAccepted) void this.sendSigningRequest();
    }
    this.timer = this.o.clock.setTimeout(() => this.checkExpiry(), CHECK_EVERY_MS);
  }
}
