/**
 * The MQTT commands (docs/mqtt.md, "Commands") and their strict validation. Hand checks rather
 * than ajv: four tiny flat payloads, every message names the field, and agent/ stays free of a
 * second way to load ajv (bin/settings/settings.ts borrows ocpp-rpc's copy; agent/ may not import ocpp-rpc
 * except through the OCPP facade). Unknown fields are errors, so a typo never half-applies.
 */

import { ID_TOKEN_KINDS, isIdTokenKind, type IdTokenKind } from '../auth/idToken.js';

/** What the charger can do about a connector: its ids and hardware limit. */
export interface CommandTarget {
  connectorIds: readonly number[];
  /** Highest current the connector's hardware may offer, A. */
  maxCurrentA(connectorId: number): number;
}

export type Command =
  /** connector 0 = every connector. amps below 6 offer no power (the EV pauses). */
  | { name: 'set_current_limit'; connector: number; amps: number }
  /** connector 0 = every connector (like ChangeAvailability). */
  | { name: 'set_availability'; connector: number; operative: boolean }
  /** No connector: the one a RemoteStartTransaction without connectorId would use. */
  /** `idTokenType`: the identifier's kind (OCPP 2.0.1 IdTokenEnumType), default Local (agent/auth/idToken.ts). */
  | { name: 'start_session'; connector?: number; idTag: string; idTokenType?: IdTokenKind }
  | { name: 'stop_session'; connector: number };

export type CommandName = Command['name'];
export const COMMAND_NAMES: readonly CommandName[] = ['set_current_limit', 'set_availability', 'start_session', 'stop_session'];

/** Echoed in the reply so a caller can match it (string ≤ 128 chars or a number). */
export type Correlation = string | number;

export type ParsedCommand = { ok: true; command: Command; correlation?: Correlation } | { ok: false; error: string; correlation?: Correlation };

const FIELDS: Record<CommandName, { required: string[]; optional: string[] }> = {
  set_current_limit: { required: ['connector', 'amps'], optional: [] },
  set_availability: { required: ['connector', 'operative'], optional: [] },
  start_session: { required: ['idTag'], optional: ['connector', 'idTokenType'] },
  stop_session: { required: ['connector'], optional: [] },
};

/** Parses and validates one command payload (raw MQTT bytes) for `name`; never throws. */
export function parseCommand(name: string, raw: Buffer | string, target: CommandTarget): ParsedCommand {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString());
  } catch {
    return { ok: false, error: 'payload is not JSON' };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, error: 'payload must be a JSON object' };
  const o = body as Record<string, unknown>;
  const correlation = o.correlation;
  const validCorrelation = (typeof correlation === 'string' && correlation.length <= 128) || (typeof correlation === 'number' && Number.isFinite(correlation));
  const echo = validCorrelation ? { correlation: correlation as Correlation } : {};
  const fail = (error: string): ParsedCommand => ({ ok: false, error, ...echo });
  if (correlation !== undefined && !validCorrelation) return fail('correlation must be a string (≤ 128 chars) or a number');
  if (!isCommandName(name)) return fail(`unknown command ${JSON.stringify(name)} (known: ${COMMAND_NAMES.join(', ')})`);

  const { required, optional } = FIELDS[name];
  const unknown = Object.keys(o).filter((k) => k !== 'correlation' && !required.includes(k) && !optional.includes(k));
  if (unknown.length > 0) return fail(`unknown field(s): ${unknown.join(', ')}`);
  const missing = required.filter((k) => o[k] === undefined);
  if (missing.length > 0) return fail(`missing field(s): ${missing.join(', ')}`);

  const connector = (allowAll: boolean): number | string => {
    const c = o.connector;
    if (typeof c !== 'number' || !Number.isInteger(c)) return 'connector must be an integer';
    if (c === 0 && allowAll) return 0;
    if (!target.connectorIds.includes(c)) return `no connector ${c} (connectors: ${target.connectorIds.join(', ')}${allowAll ? '; 0 = all' : ''})`;
    return c;
  };
  const ok = (command: Command): ParsedCommand => ({ ok: true, command, ...echo });

  switch (name) {
    case 'set_current_limit': {
      const c = connector(true);
      if (typeof c === 'string') return fail(c);
      const { amps } = o;
      if (typeof amps !== 'number' || !Number.isFinite(amps) || amps < 0) return fail('amps must be a number ≥ 0');
      const ids = c === 0 ? target.connectorIds : [c];
      const max = Math.min(...ids.map((id) => target.maxCurrentA(id)));
      if (amps > max) return fail(`amps ${amps} above the hardware limit of ${max} A`);
      return ok({ name, connector: c, amps });
    }
    case 'set_availability': {
      const c = connector(true);
      if (typeof c === 'string') return fail(c);
      if (typeof o.operative !== 'boolean') return fail('operative must be true or false');
      return ok({ name, connector: c, operative: o.operative });
    }
    case 'start_session': {
      const { idTag } = o;
      // OCPP 1.6 IdToken: CiString20Type.
      if (typeof idTag !== 'string' || idTag.length === 0 || idTag.length > 20) return fail('idTag must be a string of 1 to 20 characters');
      const { idTokenType } = o;
      if (idTokenType !== undefined && !isIdTokenKind(idTokenType)) return fail(`idTokenType must be one of ${ID_TOKEN_KINDS.join(', ')}`);
      const kind = idTokenType === undefined ? {} : { idTokenType };
      if (o.connector === undefined) return ok({ name, idTag, ...kind });
      const c = connector(false);
      if (typeof c === 'string') return fail(c);
      return ok({ name, connector: c, idTag, ...kind });
    }
    case 'stop_session': {
      const c = connector(false);
      if (typeof c === 'string') return fail(c);
      return ok({ name, connector: c });
    }
  }
}

function isCommandName(name: string): name is CommandName {
  return (COMMAND_NAMES as readonly string[]).includes(name);
}
