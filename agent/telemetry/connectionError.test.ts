import { describe, expect, it } from 'vitest';
import { describeConnectionError } from './connectionError.js';

const withCode = (message: string, code: string | number) => Object.assign(new Error(message), { code });

describe('describeConnectionError', () => {
  it('names an untrusted broker certificate as a TLS problem and says what to check', () => {
    const info = describeConnectionError(withCode('unable to verify the first certificate', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'));
    expect(info).toMatchObject({ kind: 'tls', code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    expect(info.message).toMatch(/certificate not accepted.*CA certificate/);
    expect(describeConnectionError(withCode('Hostname/IP does not match', 'ERR_TLS_CERT_ALTNAME_INVALID')).kind).toBe('tls');
  });

  it('a handshake alert points at the client certificate', () => {
    const info = describeConnectionError(withCode('tlsv13 alert certificate required', 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'));
    expect(info.kind).toBe('tls');
    expect(info.message).toMatch(/client certificate/);
  });

  it('refused credentials (MQTT 3.1.1 and 5 reason codes) are auth problems', () => {
    expect(describeConnectionError(withCode('Connection refused: Not authorized', 5))).toMatchObject({ kind: 'auth', code: '5' });
    expect(describeConnectionError(withCode('Connection refused: Bad User Name or Password', 0x86)).message).toMatch(/username and password/);
  });

  it('an unreachable broker is a network problem; anything else is passed through', () => {
    expect(describeConnectionError(withCode('connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED')).kind).toBe('network');
    expect(describeConnectionError(new Error('odd'))).toEqual({ kind: 'other', code: 'UNKNOWN', message: 'odd' });
  });
});
