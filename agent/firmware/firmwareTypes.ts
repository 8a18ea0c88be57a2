/**
 * The vocabulary of a firmware update, version-neutral: the statuses are those of the OCPP 1.6
 * Security Whitepaper's SignedFirmwareStatusNotification (OCPP 2.0.1 FirmwareStatusEnumType has the
 * same); the 1.6 face maps them to FirmwareStatusNotification for a plain UpdateFirmware.
 */
export const FIRMWARE_STATUSES = [
  'Downloaded',
  'DownloadFailed',
  'Downloading',
  'DownloadScheduled',
  'DownloadPaused',
  'Idle',
  'InstallationFailed',
  'Installing',
  'Installed',
  'InstallRebooting',
  'InstallScheduled',
  'InstallVerificationFailed',
  'InvalidSignature',
  'SignatureVerified',
] as const;
export type FirmwareStatus = (typeof FIRMWARE_STATUSES)[number];

/** What the CSMS asked for. */
export interface FirmwareRequest {
  /** Whitepaper SignedUpdateFirmware (2.0.1 UpdateFirmware); absent: a plain 1.6 UpdateFirmware. */
  signed?: { signingCertificate: string; signature: string };
  requestId?: number;
  location: string;
  /** Not before this time (ms since the epoch). */
  retrieveAt: number;
  /** Install not before this time (ms since the epoch). */
  installAt?: number;
  /** Retries after a failed download (attempts = retries + 1). */
  retries: number;
  retryIntervalS: number;
}

/**
 * A firmware update under way, as persisted: after a restart it goes on from its phase
 * (download → install → reboot); `reboot` means the image is staged and the next start runs it.
 */
export interface FirmwareJob extends FirmwareRequest {
  phase: 'download' | 'install' | 'reboot';
  /** The version the staged image carries (phase `reboot`). */
  version?: string;
  /** The last status reported for this job. */
  status: FirmwareStatus;
}

/** A status of a job, as the protocol faces report it. */
export interface FirmwareStatusEvent {
  status: FirmwareStatus;
  signed: boolean;
  requestId?: number;
}

export type FirmwareRequestAnswer = 'Accepted' | 'AcceptedCanceled' | 'Rejected' | 'InvalidCertificate';
