/**
 * The site's steps for remote maintenance, in no OCPP version's words: `t.files.*` (the scenario's
 * own HTTP server: files the charger downloads, files it uploads) and `t.firmware.*` (firmware
 * images for the simulator's installer, signed the way the OCPP Security Whitepaper and OCPP
 * 2.0.1 sign them, by a manufacturer root made for the run). What the CSMS sends is the
 * scenario's: `t.csms.send('SignedUpdateFirmware', …)` with the URL and signature from here.
 */
import { createSign } from 'node:crypto';
import { makeFirmwareSigningPki, type FirmwareSigningPki } from '../csms/demoCertificates.js';
import { ScenarioFailure, ScenarioUsageError } from './errors.js';
import type { Harness } from './harness.js';
import type { Upload } from './siteFiles.js';
import { atCallSite } from './stepNames.js';
import { parseDuration } from './words.js';

export interface FileSteps {
  /**
   * Serves `content` from the scenario's HTTP server on 127.0.0.1 and returns its URL. With
   * `stallAfterBytes` the first download stops after that many bytes and hangs (the charger must
   * give up and resume with a Range request).
   */
  serve(name: string, content: Uint8Array | string, options?: { stallAfterBytes?: number }): Promise<string>;
  /** A URL (ending in `/`) the charger can upload files to (HTTP PUT or POST); the next `refuse` uploads are answered 503. */
  uploadUrl(options?: { refuse?: number }): Promise<string>;
  /** Waits (default up to '1m') until a file has been uploaded, and returns it; fails when none arrives. */
  expectUpload(options?: { within?: string | number }): Promise<Upload>;
  /** The files uploaded so far. */
  uploaded(): Upload[];
}

export interface FirmwareSteps {
  /** A firmware image for the simulator's installer carrying `version` (`size` bytes, default 64 KiB). */
  image(version: string, options?: { size?: number }): Buffer;
  /**
   * The signature of `image` as SignedUpdateFirmware / OCPP 2.0.1 UpdateFirmware carry it: base64
   * of a SHA-256 ECDSA signature over the file, and the signing certificate (PEM). `untrusted`: a
   * signing certificate from a root the charger has not installed.
   */
  sign(image: Uint8Array, options?: { untrusted?: boolean }): { signingCertificate: string; signature: string };
  /** The manufacturer root (PEM) of the signing certificate: install it (InstallCertificate, ManufacturerRootCertificate). */
  manufacturerRoot(): string;
  /** The image changed after signing: one byte flipped (`tampered`) or its last quarter cut off (`truncated`). */
  spoil(image: Uint8Array, how: 'tampered' | 'truncated'): Buffer;
}

const usage = (step: string, text: string) => new ScenarioUsageError(`${step}: ${text}${atCallSite()}`);

export function fileSteps(h: Harness): FileSteps {
  let seen = 0;
  return {
    serve(name, content, options = {}) {
      if (typeof name !== 'string' || !/^[\w.-]{1,100}$/.test(name)) throw usage('files.serve', `name must be a file name (letters, digits, . _ -), got ${JSON.stringify(name)}`);
      const stall = options.stallAfterBytes;
      if (stall !== undefined && !(Number.isInteger(stall) && stall >= 0)) throw usage('files.serve', `stallAfterBytes must be a whole number of bytes, got ${JSON.stringify(stall)}`);
      h.note('step', `the file server offers ${name} (${content.length} bytes${stall !== undefined ? `, the first download stalls after ${stall} bytes` : ''})`);
      return h.files.serve(name, typeof content === 'string' ? Buffer.from(content) : content, stall === undefined ? {} : { stallAfterBytes: stall });
    },
    uploadUrl(options = {}) {
      const refuse = options.refuse ?? 0;
      if (!(Number.isInteger(refuse) && refuse >= 0)) throw usage('files.uploadUrl', `refuse must be a whole number of uploads, got ${JSON.stringify(refuse)}`);
      if (refuse > 0) h.note('step', `the file server refuses the next ${refuse} upload(s) (503)`);
      return h.files.uploadUrl(refuse);
    },
    async expectUpload(options = {}) {
      const within = parseDuration(options.within ?? '1m', 'files.expectUpload within');
      h.note('step', `expect an upload within ${within / 1000} s`);
      const deadline = h.clock.now() + within;
      for (;;) {
        await h.settle();
        const upload = h.files.uploads[seen];
        if (upload) {
          seen++;
          h.note('note', `uploaded: ${upload.name} (${upload.content.length} bytes)`);
          return upload;
        }
        if (h.clock.now() >= deadline) throw new ScenarioFailure('files.expectUpload', `an upload within ${within / 1000} s`, 'none');
        await h.advance(Math.min(h.virtual ? 1000 : 100, deadline - h.clock.now()));
      }
    },
    uploaded: () => [...h.files.uploads],
  };
}

export function firmwareSteps(h: Harness): FirmwareSteps {
  let pki: FirmwareSigningPki | undefined;
  // Valid for the run's (virtual) time: a month from its start.
  const signing = () => (pki ??= makeFirmwareSigningPki(h.start - 60_000, 30));
  return {
    image(version, options = {}) {
      if (typeof version !== 'string' || !/^\S{1,50}$/.test(version)) throw usage('firmware.image', `version must be 1..50 characters without spaces, got ${JSON.stringify(version)}`);
      const size = options.size ?? 64 * 1024;
      if (!(Number.isInteger(size) && size >= 64 && size <= 64 * 1024 * 1024)) throw usage('firmware.image', `size must be 64 bytes .. 64 MiB, got ${JSON.stringify(size)}`);
      const header = Buffer.from(`EVSE-SIM-FIRMWARE ${version}\n`);
      const body = Buffer.alloc(Math.max(0, size - header.length));
      for (let i = 0; i < body.length; i++) body[i] = (i * 31 + 7) & 0xff;
      return Buffer.concat([header, body]);
    },
    sign(image, options = {}) {
      const signer = options.untrusted ? signing().untrusted : signing().signer;
      return { signingCertificate: signer.cert, signature: createSign('sha256').update(image).sign(signer.key).toString('base64') };
    },
    manufacturerRoot: () => signing().root,
    spoil(image, how) {
      const copy = Buffer.from(image);
      if (how === 'truncated') return copy.subarray(0, Math.floor((copy.length * 3) / 4));
      if (how !== 'tampered') throw usage('firmware.spoil', `how must be tampered or truncated, got ${JSON.stringify(how)}`);
      const at = Math.floor(copy.length / 2);
      copy[at] = copy[at]! ^ 0xff;
      return copy;
    },
  };
}
