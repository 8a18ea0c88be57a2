import { createHash } from 'node:crypto';

/**
 * SHA-256 (hex) of `salt + idTag`: lets telemetry dashboards and the session history tell sessions
 * of the same card apart without learning the card. RFID uids are short (4–10 bytes), so an
 * unsalted hash can be brute-forced: a fleet should configure a secret salt shared by its chargers.
 */
export function hashIdTag(idTag: string, salt = ''): string {
  return createHash('sha256').update(salt).update(idTag).digest('hex');
}
