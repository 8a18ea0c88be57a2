/**
 * HTTP requests of the fleet control API → {@link FleetCommand}s, checked before anything runs:
 * a refused request names the field and what was expected, and changes nothing. The routes are
 * documented in docs/fleet-api.openapi.yaml.
 */
import { ID_TOKEN_KINDS } from '../../agent/auth/idToken.js';
import { mergeOverDefault, parseProfile, ProfileError, type FleetProfile } from './profile.js';
import { DEFAULT_PROFILE } from './profileDefault.js';
import { EVENT_TYPES, FAULT_KINDS, STOP_REASONS, type EventFilter, type FaultDevice, type FleetCommand, type FleetEventType } from './controlTypes.js';

/** A request the API refuses: `status` 400/404/405/422 and a message; `field` for 422. */
export class RequestError extends Error {
  constructor(
    readonly status: 400 | 404 | 405 | 422,
    message: string,
    readonly field?: string,
    readonly allow?: string,
  ) {
    super(message);
  }
}

/** A request body of the control APIs (the fleet's, the dashboard's): a JSON object, or {} when empty. */
export function jsonObject(raw: string): Record<string, unknown> {
  if (raw.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (err) {
    throw new RequestError(400, `request body is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new RequestError(400, 'request body must be a JSON object');
  return value as Record<string, unknown>;
}

export type ParsedRequest = { command: FleetCommand } | { events: EventFilter } | { report: true };

type Body = Record<string, unknown>;

const invalid = (field: string, expected: string, got: unknown) => new RequestError(422, `${field}: expected ${expected}, got ${JSON.stringify(got) ?? 'nothing'}`, field);

function onlyFields(body: Body, allowed: string[]): void {
  const extra = Object.keys(body).find((k) => !allowed.includes(k));
  if (extra !== undefined) throw new RequestError(422, `${extra}: unknown field (allowed: ${allowed.join(', ') || 'none'})`, extra);
}

function integer(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw invalid(field, `an integer ${min}..${max}`, value);
  return value;
}

/** A query or path value as an integer (text), or `fallback` when absent. */
function integerText(text: string | null | undefined, field: string, min: number, max: number, fallback?: number): number {
  if ((text === null || text === undefined) && fallback !== undefined) return fallback;
  if (text === null || text === undefined || !/^\d+$/.test(text)) throw invalid(field, `an integer ${min}..${max}`, text);
  return integer(Number(text), field, min, max);
}

function oneOf<T extends string>(value: unknown, field: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !allowed.includes(value as T)) throw invalid(field, `one of ${allowed.join(', ')}`, value);
  return value as T;
}

/** A card uid: whole bytes of hex (separators `:`/`-`/space allowed), at most 10 bytes; upper-cased. */
function cardUid(value: unknown, field: string): string {
  const hex = typeof value === 'string' ? value.replace(/[\s:-]/g, '').toUpperCase() : '';
  if (!/^(?:[0-9A-F]{2}){1,10}$/.test(hex)) throw invalid(field, 'a card uid of 1..10 bytes in hex, e.g. 04A2B3C4', value);
  return hex;
}

function idTag(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length < 1 || value.length > 20) throw invalid(field, 'an idTag of 1..20 characters', value);
  return value;
}

const DEVICES = Object.keys(FAULT_KINDS) as FaultDevice[];

/**
 * Maps one request to what to do. `body()` parses the JSON body (throws RequestError 400) and is
 * only called for routes that take one.
 */
export function parseRequest(method: string, path: string, query: URLSearchParams, body: () => Body): ParsedRequest {
  const parts = path.split('/').filter((p) => p !== '').map(decodeURIComponent);
  const route = (...allowed: string[]) => {
    if (!allowed.includes(method)) throw new RequestError(405, `${method} is not allowed on ${path} (allowed: ${allowed.join(', ')})`, undefined, allowed.join(', '));
  };
  const [root, id, sub, c, leaf] = parts;
  if (root === 'report' && parts.length === 1) return route('GET'), { report: true };
  if (root === 'events' && parts.length === 1) return route('GET'), { events: eventFilter(query) };
  if (root === 'ramp' && parts.length === 1) {
    route('GET', 'PUT');
    if (method === 'GET') return { command: { type: 'getRamp' } };
    const b = body();
    onlyFields(b, ['perSecond']);
    if (typeof b.perSecond !== 'number' || !Number.isFinite(b.perSecond) || b.perSecond < 0 || b.perSecond > 100_000) throw invalid('perSecond', 'a number 0..100000 (0 pauses the ramp)', b.perSecond);
    return { command: { type: 'setRamp', perSecond: b.perSecond } };
  }
  if (root !== 'chargers') throw new RequestError(404, `no such resource: ${path}`);
  if (id === undefined) {
    route('GET', 'POST');
    if (method === 'GET') {
      const prefix = query.get('prefix') ?? undefined;
      if (prefix !== undefined && prefix.length > 64) throw invalid('prefix', 'at most 64 characters', prefix);
      const offset = integerText(query.get('offset'), 'offset', 0, 10_000_000, 0);
      const limit = integerText(query.get('limit'), 'limit', 1, 1000, 100);
      return { command: { type: 'list', offset, limit, ...(prefix !== undefined && { prefix }) } };
    }
    const b = body();
    onlyFields(b, ['count', 'sessions', 'profile']);
    const count = integer(b.count, 'count', 1, 10_000);
    if (b.sessions !== undefined && typeof b.sessions !== 'boolean') throw invalid('sessions', 'true or false', b.sessions);
    if (b.sessions === false && b.profile !== undefined) throw new RequestError(422, 'profile: not with sessions: false (a profile is what the sessions do)', 'profile');
    const profile = b.profile === undefined ? undefined : inlineProfile(b.profile);
    return { command: { type: 'add', count, ...(b.sessions !== undefined && { sessions: b.sessions }), ...(profile && { profile }) } };
  }
  if (sub === undefined) {
    route('GET', 'DELETE');
    return { command: method === 'GET' ? { type: 'get', id } : { type: 'remove', id } };
  }
  if (sub === 'rfid' && parts.length === 3) {
    route('POST');
    const b = body();
    onlyFields(b, ['uid', 'idTag']);
    if ((b.uid === undefined) === (b.idTag === undefined)) throw new RequestError(422, 'uid: give exactly one of uid and idTag', 'uid');
    return { command: { type: 'tap', id, uid: b.uid !== undefined ? cardUid(b.uid, 'uid') : cardUid(b.idTag, 'idTag') } };
  }
  if (sub === 'faults' && parts.length === 3) {
    route('POST', 'DELETE');
    if (method === 'DELETE') {
      const device = query.get('device');
      const connector = query.get('connector');
      return {
        command: {
          type: 'clearFaults',
          id,
          ...(device !== null && { device: oneOf(device, 'device', DEVICES) }),
          ...(connector !== null && { connector: integerText(connector, 'connector', 1, 64) }),
        },
      };
    }
    const b = body();
    onlyFields(b, ['device', 'kind', 'connector']);
    const device = oneOf(b.device, 'device', DEVICES);
    const kind = oneOf(b.kind, 'kind', FAULT_KINDS[device]);
    const connector = b.connector === undefined ? 1 : integer(b.connector, 'connector', 1, 64);
    return { command: { type: 'fault', id, device, kind, connector } };
  }
  if (sub === 'connection' && parts.length === 3) {
    route('POST');
    const b = body();
    onlyFields(b, ['action']);
    return { command: { type: 'connection', id, action: oneOf(b.action, 'action', ['open', 'close'] as const) } };
  }
  if (sub === 'connectors' && c !== undefined && leaf !== undefined && parts.length === 5) {
    const connector = integerText(c, 'connector', 1, 64);
    if (leaf === 'plug' || leaf === 'unplug') {
      route('POST');
      return { command: { type: leaf, id, connector } };
    }
    if (leaf === 'transaction') {
      route('POST');
      const b = body();
      const action = oneOf(b.action, 'action', ['start', 'stop'] as const);
      if (action === 'start') {
        onlyFields(b, ['action', 'idTag', 'idTokenType']);
        // The identifier's kind (OCPP 2.0.1 IdTokenEnumType; agent/auth/idToken.ts), default Local.
        const kind = b.idTokenType === undefined ? {} : { idTokenType: oneOf(b.idTokenType, 'idTokenType', ID_TOKEN_KINDS) };
        return { command: { type: 'startTransaction', id, connector, idTag: idTag(b.idTag, 'idTag'), ...kind } };
      }
      onlyFields(b, ['action', 'reason']);
      const reason = b.reason === undefined ? 'Local' : oneOf(b.reason, 'reason', STOP_REASONS);
      return { command: { type: 'stopTransaction', id, connector, reason } };
    }
  }
  throw new RequestError(404, `no such resource: ${path}`);
}

/** A profile given inline (docs/fleet.md, profile files): over the default profile, every field checked. */
function inlineProfile(raw: unknown): FleetProfile {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalid('profile', 'an object with profile sections (as in a profile file)', raw);
  try {
    return parseProfile(mergeOverDefault(DEFAULT_PROFILE, raw), 'profile');
  } catch (err) {
    if (!(err instanceof ProfileError)) throw err;
    const first = err.issues[0];
    throw new RequestError(422, err.issues.map((i) => `profile.${i.path}: ${i.message}`).join('; '), first ? `profile.${first.path}` : 'profile');
  }
}

function eventFilter(query: URLSearchParams): EventFilter {
  const list = (name: string) =>
    query
      .getAll(name)
      .flatMap((v) => v.split(','))
      .map((v) => v.trim())
      .filter((v) => v !== '');
  const chargers = list('charger');
  const types = list('type');
  for (const t of types) oneOf(t, 'type', EVENT_TYPES);
  if (chargers.length > 1000) throw invalid('charger', 'at most 1000 charger ids', chargers.length);
  return { ...(chargers.length > 0 && { chargers }), ...(types.length > 0 && { types: types as FleetEventType[] }) };
}
