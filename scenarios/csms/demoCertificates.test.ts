/**
 * The throwaway certificates of the demo and the firmware scenarios must always be readable: a serial
 * number whose first byte was 0x00 before a byte below 0x80 (1 in 256 random serials) was a padded
 * DER INTEGER that OpenSSL refuses, and a firmware scenario failed now and then (InstallCertificate
 * Rejected, or the signing certificate InvalidCertificate).
 */
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { makeFirmwareSigningPki, serialNumber } from './demoCertificates.js';

describe('demo certificate serial numbers', () => {
  it('are positive DER INTEGERs in their minimal form: first byte 0x01..0x7f', () => {
    for (const first of [0x00, 0x01, 0x7f, 0x80, 0xff]) {
      const serial = serialNumber(Uint8Array.from([first, 0x05, 0x90]));
      expect(serial[0]).toBeGreaterThanOrEqual(0x01);
      expect(serial[0]).toBeLessThanOrEqual(0x7f);
      expect([...serial.slice(1)]).toEqual([0x05, 0x90]);
    }
  });

  it('a PKI made from the random bytes that once gave padded serials (0x80 0x05 …, 0x00 0x05 …) is readable by OpenSSL', () => {
    for (const first of [0x80, 0x00]) {
      const pki = makeFirmwareSigningPki(Date.UTC(2026, 0, 1), 30, () => Uint8Array.from([first, 0x05, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
      for (const pem of [pki.root, pki.signer.cert, pki.untrusted.cert]) {
        const first = Number.parseInt(new X509Certificate(pem).serialNumber.slice(0, 2), 16); // throws "illegal padding" when unreadable
        expect(first).toBeGreaterThanOrEqual(0x01);
        expect(first).toBeLessThanOrEqual(0x7f);
      }
      expect(new X509Certificate(pki.signer.cert).checkIssued(new X509Certificate(pki.root))).toBe(true);
    }
  });
});
