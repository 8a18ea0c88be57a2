/**
 * The security events of the OCPP 1.6 Security Whitepaper (edition 3, "Security events"), as the
 * one way every part of the agent reports one: the TLS link, firmware updates, certificates, the
 * tamper sensor and the clock call `raise`; the security service behind the sink
 * (SecurityEventService.ts) logs it locally and delivers the critical ones as
 * SecurityEventNotification (durably, in order, while offline too).
 *
 * Names are the whitepaper's 1.6 spellings (FailedToAuthenticateAtCentralSystem, not 2.0.1's
 * FailedToAuthenticateAtCsms); an OCPP 2.0.1 face translates the four that differ.
 */
export const SECURITY_EVENTS = [
  'FirmwareUpdated',
  'FailedToAuthenticateAtCentralSystem',
  'CentralSystemFailedToAuthenticate',
  'SettingSystemTime',
  'StartupOfTheDevice',
  'ResetOrReboot',
  'SecurityLogWasCleared',
  'ReconfigurationOfSecurityParameters',
  'MemoryExhaustion',
  'InvalidMessages',
  'AttemptedReplayAttacks',
  'TamperDetectionActivated',
  'InvalidFirmwareSignature',
  'InvalidFirmwareSigningCertificate',
  'InvalidCentralSystemCertificate',
  'InvalidChargePointCertificate',
  'InvalidTLSVersion',
  'InvalidTLSCipherSuite',
] as const;

export type SecurityEventType = (typeof SECURITY_EVENTS)[number];

/**
 * The events the whitepaper marks critical: these are sent to the CSMS (SecurityEventNotification);
 * every event, critical or not, goes to the local security log.
 */
export const CRITICAL_SECURITY_EVENTS: ReadonlySet<SecurityEventType> = new Set<SecurityEventType>([
  'FirmwareUpdated',
  'SettingSystemTime',
  'StartupOfTheDevice',
  'ResetOrReboot',
  'SecurityLogWasCleared',
  'MemoryExhaustion',
  'TamperDetectionActivated',
]);

/** Where a part of the agent reports a security event; `techInfo` is free text for the operator (no secrets). */
export interface SecurityEventSink {
  raise(type: SecurityEventType, techInfo?: string): void;
}
