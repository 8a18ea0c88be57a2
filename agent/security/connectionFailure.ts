/**
 * Which security event a failed connection attempt is (whitepaper "Security events"): a CSMS
 * certificate that does not verify, a TLS version or cipher suite below what the whitepaper
 * allows, or the CSMS refusing our credentials. Plain network failures (refused, unreachable,
 * timeouts) are none. Node reports TLS problems by OpenSSL error code and text; both are matched.
 */
import type { SecurityEventType } from './securityEvents.js';

/** Node's certificate verification codes (tls: X509_V_ERR_* as strings) and the host name check. */
const CERTIFICATE_CODES: ReadonlySet<string> = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'PATH_LENGTH_EXCEEDED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

const TLS_VERSION = /unsupported protocol|wrong version number|alert protocol version|UNSUPPORTED_PROTOCOL|PROTOCOL_VERSION/i;
const CIPHER = /no shared cipher|no ciphers available|NO_SHARED_CIPHER|NO_CIPHERS_AVAILABLE|NO_SUITABLE_SIGNATURE_ALGORITHM/i;
/** The CSMS refused our client certificate (profile 3) during the handshake. */
const CLIENT_CERTIFICATE = /certificate required|bad certificate|certificate unknown|unknown ca|CERTIFICATE_REQUIRED|BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_UNKNOWN/i;
const HANDSHAKE_FAILURE = /alert handshake failure|HANDSHAKE_FAILURE/i;

export interface ConnectionFailure {
  type: SecurityEventType;
  techInfo: string;
}

export function securityEventOf(err: unknown): ConnectionFailure | undefined {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' || typeof e?.code === 'number' ? String(e.code) : '';
  const message = typeof e?.message === 'string' ? e.message : String(err);
  const text = `${code} ${message}`;
  if (CERTIFICATE_CODES.has(code)) return { type: 'InvalidCentralSystemCertificate', techInfo: `${code}: ${message}` };
  if (code === '401' || code === '403') return { type: 'FailedToAuthenticateAtCentralSystem', techInfo: `HTTP ${code} from the CSMS (${message})` };
  if (TLS_VERSION.test(text)) return { type: 'InvalidTLSVersion', techInfo: `TLS 1.2 or newer required: ${message}` };
  if (CIPHER.test(text)) return { type: 'InvalidTLSCipherSuite', techInfo: `no allowed cipher suite in common: ${message}` };
  if (CLIENT_CERTIFICATE.test(text)) return { type: 'FailedToAuthenticateAtCentralSystem', techInfo: `the CSMS refused the client certificate: ${message}` };
  // A bare handshake failure alert most often means no cipher suite in common.
  if (HANDSHAKE_FAILURE.test(text)) return { type: 'InvalidTLSCipherSuite', techInfo: `TLS handshake refused: ${message}` };
  return undefined;
}
