/**
 * Why the broker connection failed, in words a person installing a charger can act on: a TLS
 * certificate problem, refused credentials, or an unreachable broker. Reported in the log and in
 * the publisher's stats (`lastError`); charging and OCPP never depend on it.
 */

export type ConnectionErrorKind = 'tls' | 'auth' | 'network' | 'other';

export interface ConnectionErrorInfo {
  kind: ConnectionErrorKind;
  /** OpenSSL / Node error code (e.g. `UNABLE_TO_VERIFY_LEAF_SIGNATURE`), or the MQTT CONNACK reason code. */
  code: string;
  /** The original message plus what to check. */
  message: string;
}

/** Certificate verification failures reported by Node's TLS (OpenSSL X509 verify results and Node's own). */
const CERTIFICATE_CODES = /^(CERT_|UNABLE_TO_|SELF_SIGNED_CERT|DEPTH_ZERO_SELF_SIGNED_CERT|ERR_TLS_CERT_|HOSTNAME_MISMATCH|INVALID_CA|INVALID_PURPOSE|CERT_UNTRUSTED|CERT_REJECTED)/;
/** CONNACK reason codes: MQTT 3.1.1 (4, 5) and MQTT 5 (0x86, 0x87, 0x8C). */
const AUTH_REASON_CODES = new Set([4, 5, 0x86, 0x87, 0x8c]);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EPIPE']);

export function describeConnectionError(err: Error): ConnectionErrorInfo {
  const raw = (err as { code?: unknown }).code;
  const code = raw === undefined ? 'UNKNOWN' : String(raw);
  if (typeof raw === 'string' && CERTIFICATE_CODES.test(raw)) {
    return { kind: 'tls', code, message: `broker certificate not accepted (${err.message}): check the CA certificate configured for the broker and that the URL host is named in the broker's certificate` };
  }
  if (err.message === 'TLS not authorized') {
    return { kind: 'tls', code: 'TLS_NOT_AUTHORIZED', message: 'broker certificate not accepted: check the CA certificate configured for the broker' };
  }
  if (code === 'EPROTO' || code.startsWith('ERR_SSL_') || /alert|handshake/i.test(err.message)) {
    return { kind: 'tls', code, message: `TLS handshake failed (${err.message}): if the broker requires a client certificate, configure one (certificate and key)` };
  }
  if (typeof raw === 'number' && AUTH_REASON_CODES.has(raw)) {
    return { kind: 'auth', code, message: `${err.message}: check the MQTT username and password (or client certificate) and the broker's ACL` };
  }
  if (NETWORK_CODES.has(code)) return { kind: 'network', code, message: `broker not reachable (${err.message})` };
  return { kind: 'other', code, message: err.message };
}
