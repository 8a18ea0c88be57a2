/**
 * One traffic record as one line for people watching `evse csms` or the demo:
 *
 *   12:00:03 CP001 → StartTransaction {connectorId:1, idTag:"04A1…", meterStart:0, timestamp:"…"}
 *   12:00:03 CP001 ← StartTransaction ✓ {idTagInfo:{status:"Accepted"}, transactionId:1}
 *   12:00:04 CP001 ← Reset ✗ NotImplemented "Unable to handle 'Reset' calls"
 *
 * `→` points from the charge point to the CSMS. idTags are shortened to their first four
 * characters because these lines end up on screens, in screenshots and in CI logs; the JSON
 * output (`--json`) carries them in full.
 */
import type { CallErrorPayload, TrafficRecord } from './trafficRecord.js';

export interface FormatOptions {
  /** Clock time in UTC instead of local time. */
  readonly utc?: boolean;
  /** Cut the line at this many characters (default 240). */
  readonly maxLength?: number;
}

/** 1.6 idTags and 2.0.1 idTokens (`idToken: {idToken: …}`: the inner string is masked). */
const MASKED_KEYS = new Set(['idTag', 'parentIdTag', 'idToken']);
const VISIBLE_ID_CHARS = 4;

export function formatMessage(record: TrafficRecord, options: FormatOptions = {}): string {
  const arrow = record.direction === 'in' ? '→' : '←';
  const head = `${clockTime(record.t, options.utc ?? false)} ${record.chargePointId} ${arrow}`;
  const action = record.action ?? '?';
  let body: string;
  switch (record.kind) {
    case 'call':
      body = `${action} ${compact(record.payload)}`;
      break;
    case 'result':
      body = `${action} ✓ ${compact(record.payload)}`;
      break;
    case 'error': {
      const e = record.payload as CallErrorPayload;
      body = `${action} ✗ ${e.errorCode}${e.errorDescription ? ` ${JSON.stringify(e.errorDescription)}` : ''}`;
      break;
    }
    case 'malformed':
      body = `malformed frame ${JSON.stringify(record.raw)}`;
      break;
  }
  return truncate(`${head} ${body}`, options.maxLength ?? 240);
}

/** `HH:MM:SS` of a CSMS timestamp, local or UTC. */
export function clockTime(t: number, utc = false): string {
  const d = new Date(t);
  const parts = utc ? [d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()] : [d.getHours(), d.getMinutes(), d.getSeconds()];
  return parts.map((n) => String(n).padStart(2, '0')).join(':');
}

/** JSON-like, without quotes around keys and with spaces after commas. */
function compact(value: unknown, key?: string): string {
  if (typeof value === 'string') return JSON.stringify(key !== undefined && MASKED_KEYS.has(key) ? maskIdTag(value) : value);
  if (Array.isArray(value)) return `[${value.map((v) => compact(v)).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).map(([k, v]) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}:${compact(v, k)}`);
    return `{${entries.join(', ')}}`;
  }
  return value === undefined ? 'undefined' : JSON.stringify(value);
}

/** The first characters of an idTag, for lines people see (JSON output carries it in full). */
export function maskIdTag(idTag: string): string {
  return idTag.length > VISIBLE_ID_CHARS ? `${idTag.slice(0, VISIBLE_ID_CHARS)}…` : idTag;
}

function truncate(line: string, max: number): string {
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
