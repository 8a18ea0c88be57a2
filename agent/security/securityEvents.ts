/**
 * The security events of the OCPP 1.6 Security Whitepaper (and of OCPP 2.0.1), as the one way
 * every part of the agent reports one: the TLS link, firmware updates, certificates, the tamper
 * sensor and the clock call `raise`; the security service behind the sink logs it locally and
 * delivers SecurityEventNotification (durably, in order, while offline too).
 */
export const SECURITY_EVENTS = [
  'FirmwareUpdated',
  'FailedToAuthenticateAtCsms',
  'CsmsFailedToAuthenticate',
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

/** Where a part of the agent reports a security event; `techInfo` is free text for the operator (no secrets). */
export interface SecurityEventSink {
  raise(type: SecurityEventType, techInfo?: string): void;
}
