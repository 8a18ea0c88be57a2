/**
 * `evse demo --security`: the demo's charger on OCPP security profile 2, end to end on one machine.
 * The embedded CSMS serves wss:// with a certificate from a throwaway CA made for this run
 * (scenarios/csms/demoCertificates.ts) and checks the HTTP Basic password; the charger trusts only
 * that CA (TLS 1.2 at least, the whitepaper's cipher suites), sends the password, reports
 * StartupOfTheDevice as a SecurityEventNotification and refuses the CSMS's attempt to lower its
 * security profile: on OCPP 1.6 a ChangeConfiguration of SecurityProfile (AuthorizationKey not
 * readable with GetConfiguration), on 2.0.1 a SetVariables of SecurityCtrlr.SecurityProfile
 * (SecurityCtrlr.BasicAuthPassword WriteOnly for GetVariables).
 */
import type { Logger } from 'pino';
import type { Clock } from '../hal/clock.js';
import type { AgentOptions } from '../agent/Agent.js';
import { CertificateStore } from '../agent/security/CertificateStore.js';
import { ConnectionSecurity, DEFAULT_CIPHERS } from '../agent/security/ConnectionSecurity.js';
import { CsmsCredentials } from '../agent/security/CsmsCredentials.js';
import { SecurityEventService, type QueuedSecurityEvent } from '../agent/security/SecurityEventService.js';
import { SecurityLog } from '../agent/security/SecurityLog.js';
import type { OcppVersion } from '../agent/ocpp/ProtocolFace.js';
import type { OcppConfiguration } from '../agent/store/OcppConfiguration.js';
import { MemoryJournal } from '../agent/store/TransactionJournal.js';
import type { EmbeddedCsms, EmbeddedCsmsOptions } from '../scenarios/csms/EmbeddedCsms.js';
import { makeDemoPki } from '../scenarios/csms/demoCertificates.js';

const DEMO_PASSWORD = 'demo-basic-auth-password';

export interface DemoSecurity {
  /** For the EmbeddedCsms: wss:// with the demo certificate, and the password check. */
  csms: Pick<EmbeddedCsmsOptions, 'tls' | 'auth'>;
  /** Binds the security services to the charger's URL and configuration; what the Agent takes. */
  agentOptions(url: string, config: OcppConfiguration): Pick<AgentOptions, 'securityEvents' | 'linkSecurity'>;
  /** After the boot: the CSMS tries to lower the profile. True when everything went as profile 2 should. */
  check(csms: EmbeddedCsms, chargePointId: string, say: (kind: string, text: string, fields?: Record<string, unknown>) => void, ocppVersion?: OcppVersion): Promise<boolean>;
}

export async function prepareDemoSecurity(clock: Clock, log: Logger): Promise<DemoSecurity> {
  const pki = makeDemoPki();
  const credentials = await CsmsCredentials.open({ file: null, settingsProfile: 2, settingsPassword: DEMO_PASSWORD, log });
  const certificates = await CertificateStore.open({ file: null, log, maxCertificates: 20 });
  const securityLog = await SecurityLog.open({ file: null, log });
  const events = new SecurityEventService({ clock, log, securityLog, queue: new MemoryJournal<QueuedSecurityEvent>() });
  let connection: ConnectionSecurity | undefined;
  return {
    csms: { tls: pki.server, auth: (request) => request.password === DEMO_PASSWORD },
    agentOptions(url, config) {
      connection = new ConnectionSecurity({ url, credentials, certificates, events, log, tls: { ca: [pki.ca], ciphers: DEFAULT_CIPHERS } });
      connection.own(config);
      events.raise('StartupOfTheDevice', 'evse demo, security profile 2');
      return { securityEvents: events, linkSecurity: connection };
    },
    async check(csms, chargePointId, say, ocppVersion = '1.6') {
      const handshake = csms.chargePoint(chargePointId);
      const url = csms.url;
      say('security', `security profile 2: ${url} (TLS ≥ 1.2, CSMS certificate verified against the demo CA only), HTTP Basic password accepted`);
      const { downgrade, profile, passwordHidden, names } = ocppVersion === '2.0.1' ? await lowerProfile201(csms, chargePointId) : await lowerProfile16(csms, chargePointId);
      const startup = csms.traffic((r) => r.chargePointId === chargePointId && r.action === 'SecurityEventNotification' && (r.payload as { type?: string }).type === 'StartupOfTheDevice').length > 0;
      const ok = handshake?.connected === true && url.startsWith('wss:') && downgrade === 'Rejected' && profile === '2' && passwordHidden && startup;
      say(
        'security',
        `${downgrade === 'Rejected' ? '✓' : '✗'} the CSMS's attempt to lower ${names.profile} to 1: ${downgrade}; profile still ${profile}; ${names.password} ${passwordHidden ? 'not readable' : 'READABLE'}; StartupOfTheDevice ${startup ? 'reported' : 'NOT reported'}`,
        { ok },
      );
      return ok;
    },
  };
}

interface Downgrade {
  /** The answer to the CSMS's attempt to set the profile to 1. */
  downgrade: string;
  /** The profile the charger reports afterwards. */
  profile: string | undefined;
  /** The HTTP Basic password cannot be read back. */
  passwordHidden: boolean;
  names: { profile: string; password: string };
}

/** OCPP 1.6: ChangeConfiguration SecurityProfile 1, then GetConfiguration of it and AuthorizationKey. */
async function lowerProfile16(csms: EmbeddedCsms, chargePointId: string): Promise<Downgrade> {
  const downgrade = await csms.call(chargePointId, 'ChangeConfiguration', { key: 'SecurityProfile', value: '1' });
  const reported = (await csms.call(chargePointId, 'GetConfiguration', { key: ['SecurityProfile', 'AuthorizationKey'] })).configurationKey ?? [];
  return {
    downgrade: downgrade.status,
    profile: reported.find((k) => k.key === 'SecurityProfile')?.value,
    passwordHidden: reported.some((k) => k.key === 'AuthorizationKey' && k.value === undefined),
    names: { profile: 'SecurityProfile', password: 'AuthorizationKey' },
  };
}

/** OCPP 2.0.1: SetVariables SecurityCtrlr.SecurityProfile 1, then GetVariables of it and SecurityCtrlr.BasicAuthPassword. */
async function lowerProfile201(csms: EmbeddedCsms, chargePointId: string): Promise<Downgrade> {
  const component = { name: 'SecurityCtrlr' };
  const set = await csms.call201(chargePointId, 'SetVariables', { setVariableData: [{ component, variable: { name: 'SecurityProfile' }, attributeValue: '1' }] });
  const got = await csms.call201(chargePointId, 'GetVariables', { getVariableData: [{ component, variable: { name: 'SecurityProfile' } }, { component, variable: { name: 'BasicAuthPassword' } }] });
  const [profile, password] = got.getVariableResult;
  return {
    downgrade: set.setVariableResult[0]?.attributeStatus ?? 'no answer',
    profile: profile?.attributeStatus === 'Accepted' ? profile.attributeValue : undefined,
    // WriteOnly: GetVariables answers Rejected, without the value.
    passwordHidden: password !== undefined && password.attributeStatus === 'Rejected' && password.attributeValue === undefined,
    names: { profile: 'SecurityCtrlr.SecurityProfile', password: 'SecurityCtrlr.BasicAuthPassword' },
  };
}
