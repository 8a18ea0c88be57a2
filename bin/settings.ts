/**
 * The settings of one `evse` process: the schema of config/*.yaml (plus EVSE_* variables),
 * validated once at start into a typed, deeply frozen object.
 *
 * config/default.yaml is the single source of default values; this schema has none (except
 * optional keys), so a key missing from the files is an error here rather than a silent second
 * default. Values from environment variables arrive as strings and are converted where that is
 * unambiguous ("3" → 3, "1"/"true"/"yes"/"on" → true). Every problem is reported with its key
 * path and what was expected, all at once, so one run shows everything to fix.
 */
import { z } from 'zod';
import { definitionOf, parseValue, resolveKey } from '../agent/ocpp/v16/configurationKeys.js';

/** `evse` exits with this when the configuration is invalid (sysexits.h EX_CONFIG). */
export const EX_CONFIG = 78;

export interface SettingsIssue {
  /** Key path, e.g. `csms.url` (or an environment variable name for problems outside the tree). */
  readonly path: string;
  /** What was expected and what was found, e.g. `expected a ws:// or wss:// URL, got "http://x"`. */
  readonly message: string;
}

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
  constructor(readonly issues: readonly SettingsIssue[]) {
    super(`invalid configuration: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  }
}

// ── value converters and checked types ──────────────────────────────────────────────────────

const fromNumericString = (v: unknown): unknown => (typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : v);
const BOOLEAN_WORDS: Readonly<Record<string, boolean>> = { '1': true, true: true, yes: true, on: true, '0': false, false: false, no: false, off: false };
const fromBooleanString = (v: unknown): unknown => (typeof v === 'string' ? (BOOLEAN_WORDS[v.trim().toLowerCase()] ?? v) : v);

function integer(min: number, max: number, expected = `expected an integer from ${min} to ${max}`) {
  return z.preprocess(fromNumericString, z.number({ error: expected }).int({ error: expected }).min(min, { error: expected }).max(max, { error: expected }));
}

function decimal(min: number, max: number, expected: string) {
  return z.preprocess(fromNumericString, z.number({ error: expected }).min(min, { error: expected }).max(max, { error: expected }));
}

function text(maxLength: number, what = 'text') {
  const expected = `expected ${what} of 1 to ${maxLength} characters`;
  return z.string({ error: expected }).min(1, { error: expected }).max(maxLength, { error: expected });
}

const phases = z.preprocess(fromNumericString, z.literal([1, 3], { error: 'expected 1 or 3 (phases)' }));
const bool = z.preprocess(fromBooleanString, z.boolean({ error: 'expected true or false (or 1/0, yes/no, on/off)' }));
const section = (what: string) => ({ error: `expected a section (${what})` });

/**
 * OCPP-J identity: it is the last URL path segment and the HTTP Basic user name. Characters of
 * OCPP's identifierString that need no escaping in a path; no ':' (ends a Basic user name),
 * and not only dots ('.' and '..' are path navigation).
 */
const CHARGE_POINT_ID = /^(?!\.+$)[A-Za-z0-9*_=+@.-]{1,48}$/;
const chargePointId = z.string({ error: 'expected an OCPP-J identity' }).regex(CHARGE_POINT_ID, {
  error: 'expected 1 to 48 characters from A-Z a-z 0-9 * - _ = + @ . (an OCPP-J identity, part of the URL path)',
});

const wsUrl = z
  .string({ error: 'expected a ws:// or wss:// URL' })
  .refine((s) => URL.canParse(s) && /^wss?:$/.test(new URL(s).protocol), { error: 'expected a ws:// or wss:// URL' })
  .refine((s) => !/[?#]/.test(s), { error: 'expected a ws:// or wss:// URL without query or fragment (the charge point id is appended to its path)' })
  // The agent appends `/<id>`: a trailing slash would make the path `//<id>`.
  .transform((s) => s.replace(/\/+$/, ''));

const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
  error: 'expected a log level: fatal, error, warn, info, debug, trace or silent',
});

const halDriver = z.string({ error: 'expected "sim"' }).transform((driver, ctx) => {
  if (driver === 'sim') return 'sim' as const;
  const message = driver === 'serial' ? 'expected "sim": serial drivers are not available yet' : 'expected "sim" (the only driver so far)';
  ctx.addIssue({ code: 'custom', message });
  return z.NEVER;
});

/** OCPP configuration keys, checked against the keys the agent implements (canonical names out). */
const ocppKeys = z
  .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]), {
    error: 'expected a section of OCPP configuration keys (text, number, true/false or a list of text)',
  })
  .transform((entries, ctx) => {
    const out: Record<string, string | number | boolean> = {};
    for (const [name, input] of Object.entries(entries)) {
      const key = resolveKey(name);
      const problem = !key
        ? 'unknown OCPP configuration key'
        : definitionOf(key).readonly
          ? 'read-only OCPP key: the agent sets it itself'
          : undefined;
      if (problem || !key) {
        ctx.addIssue({ code: 'custom', message: problem ?? 'unknown OCPP configuration key', path: [name] });
        continue;
      }
      const parsed = parseValue(key, input, (k) => {
        const maxKey = resolveKey(k);
        const dflt = maxKey ? definitionOf(maxKey).default : undefined;
        return typeof dflt === 'number' ? dflt : undefined;
      });
      if (parsed.ok) out[key] = parsed.value;
      else ctx.addIssue({ code: 'custom', message: `expected a valid ${definitionOf(key).type} for ${key} (${parsed.reason})`, path: [name] });
    }
    return out;
  });

// ── the tree ────────────────────────────────────────────────────────────────────────────────

const settingsSchema = z.strictObject(
  {
    chargePoint: z.strictObject(
      {
        id: chargePointId,
        vendor: text(20, 'a vendor name'),
        model: text(20, 'a model name'),
        serialNumber: text(25, 'a serial number'),
        firmwareVersion: text(50, 'a firmware version'),
        connectors: integer(1, 8, 'expected an integer from 1 to 8 (connectors)'),
        maxCurrentA: decimal(6, 80, 'expected a current from 6 to 80 A'),
        phases,
        voltageV: decimal(100, 300, 'expected a phase-to-neutral voltage from 100 to 300 V'),
        meterType: text(25, 'a meter type'),
        meterSerialNumber: text(25, 'a meter serial number').optional(),
      },
      section('chargePoint: id, vendor, model, …'),
    ),
    csms: z.strictObject(
      {
        url: wsUrl,
        // An empty password (e.g. a blank template variable) means none.
        password: z.preprocess((v) => (v === '' ? undefined : v), text(255, 'a password').optional()),
        callTimeoutMs: integer(1000, 600_000),
        pingIntervalMs: integer(0, 3_600_000).refine((ms) => ms === 0 || ms >= 1000, { error: 'expected 0 (no pings) or 1000 to 3600000 ms' }),
        reconnect: z
          .strictObject({ initialDelayMs: integer(100, 3_600_000), maxDelayMs: integer(100, 3_600_000) }, section('reconnect: initialDelayMs, maxDelayMs'))
          .refine((r) => r.maxDelayMs >= r.initialDelayMs, { error: 'expected maxDelayMs >= initialDelayMs', path: ['maxDelayMs'] }),
      },
      section('csms: url, callTimeoutMs, …'),
    ),
    hal: z.strictObject(
      {
        driver: halDriver,
        sim: z.strictObject(
          {
            evConnected: bool,
            ev: z.strictObject(
              {
                batteryKWh: decimal(1, 300, 'expected a battery capacity from 1 to 300 kWh'),
                soc: decimal(0, 1, 'expected a state of charge from 0 to 1 (a fraction, not %)'),
                maxCurrentA: decimal(6, 80, 'expected a current from 6 to 80 A'),
                phases,
              },
              section('ev: batteryKWh, soc, maxCurrentA, phases'),
            ),
          },
          section('sim: evConnected, ev'),
        ),
      },
      section('hal: driver, sim'),
    ),
    dataDir: text(4096, 'a directory path'),
    log: z.strictObject({ level: logLevel }, section('log: level')),
    ocpp: ocppKeys,
  },
  { error: 'expected the settings tree' },
);

type DeepReadonly<T> = T extends (infer U)[] ? readonly DeepReadonly<U>[] : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;

/** The validated, frozen settings. */
export type Settings = DeepReadonly<z.output<typeof settingsSchema>>;

/** Validates a raw settings tree (from node-config); throws a {@link SettingsError} naming every bad key. */
export function parseSettings(raw: unknown): Settings {
  const result = settingsSchema.safeParse(raw);
  if (!result.success) throw new SettingsError(result.error.issues.flatMap((issue) => describeIssue(issue, raw)));
  return deepFreeze(result.data);
}

// Secrets never appear in messages.
const SECRET_PATHS = new Set(['csms.password']);

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): SettingsIssue[] {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ path: [...path, key].join('.'), message: 'unknown key' }));
  }
  const joined = path.join('.') || '(top level)';
  const value = valueAt(raw, path);
  const message = issue.message.startsWith('expected') ? issue.message : `expected ${issue.message}`;
  if (value === undefined) return [{ path: joined, message: `${message}, but it is not set` }];
  const shown = SECRET_PATHS.has(joined) ? '(hidden)' : clip(JSON.stringify(value) ?? String(value));
  return [{ path: joined, message: `${message}, got ${shown}` }];
}

function valueAt(root: unknown, path: readonly string[]): unknown {
  let node = root;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 79)}…` : s;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

export interface ExitIo {
  readonly stderr: { write(text: string): unknown };
  readonly exit: (code: number) => never;
}

/**
 * For bin/: prints `evse: invalid configuration: <key>: <expected>` for each problem to stderr
 * and exits with 78 (EX_CONFIG). Anything that is not a {@link SettingsError} is rethrown.
 */
export function exitOnInvalidSettings(err: unknown, io: ExitIo = { stderr: process.stderr, exit: (code) => process.exit(code) }): never {
  if (!(err instanceof SettingsError)) throw err;
  for (const issue of err.issues) io.stderr.write(`evse: invalid configuration: ${issue.path}: ${issue.message}\n`);
  return io.exit(EX_CONFIG);
}
