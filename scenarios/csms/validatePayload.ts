/**
 * Strict OCPP 1.6 or 2.0.1 schema check of one payload, with the same validators ocpp-rpc's strict mode
 * uses, reported for people: the field (`chargingProfile.chargingSchedule.chargingSchedulePeriod[0].limit`)
 * and what is wrong with it. The CSMS checks what an operator asks it to send with this before
 * anything goes on the wire, so a refused payload is never sent and never shows up as a violation.
 */
import { ocpp201Validator, standardValidators } from '../../agent/ocpp/ocppRpc.js';
import type { OcppVersion } from '../../agent/ocpp/ProtocolFace.js';

export interface SchemaProblem {
  /** The offending field as a path (`idTag`, `localAuthorizationList[2].idTagInfo.status`); `payload` for the payload itself. */
  readonly field: string;
  /** One line: `idTag: must be a string (got 12)`. */
  readonly message: string;
  /** ajv's errors as ocpp-rpc reports them. */
  readonly errors: readonly SchemaError[];
}

interface SchemaError {
  readonly instancePath: string;
  readonly keyword: string;
  readonly params: Record<string, unknown>;
  readonly message?: string;
}

const ocpp16 = standardValidators.find((v) => v.subprotocol === 'ocpp1.6');

function validator(version: OcppVersion): NonNullable<typeof ocpp16> {
  if (version === '2.0.1') return ocpp201Validator();
  if (!ocpp16) throw new Error('the OCPP 1.6 schema validator is not loaded');
  return ocpp16;
}

/** The problem with `payload` as the request (`req`) or answer (`conf`) of `action`; undefined when it is valid. */
export function checkPayload(action: string, kind: 'req' | 'conf', payload: unknown, version: OcppVersion = '1.6'): SchemaProblem | undefined {
  const schemas = validator(version);
  try {
    schemas.validate(`urn:${action}.${kind}`, payload);
    return undefined;
  } catch (err) {
    const errors = ((err as { details?: { errors?: SchemaError[] } }).details?.errors ?? []) as SchemaError[];
    const first = errors[0];
    if (!first) return { field: 'payload', message: `payload: ${(err as Error).message}`, errors };
    return describe(first, payload, errors);
  }
}

function describe(e: SchemaError, payload: unknown, errors: readonly SchemaError[]): SchemaProblem {
  const at = pointerToPath(e.instancePath);
  const child = (name: unknown): string => (at ? `${at}.${String(name)}` : String(name));
  const got = (): string => {
    const value = valueAt(payload, e.instancePath);
    return value === undefined ? '' : ` (got ${JSON.stringify(value)})`;
  };
  let field = at || 'payload';
  let text: string;
  switch (e.keyword) {
    case 'required':
      field = child(e.params.missingProperty);
      text = 'required, missing';
      break;
    case 'additionalProperties':
      field = child(e.params.additionalProperty);
      text = 'not a field of this message (OCPP allows no extra fields)';
      break;
    case 'enum':
      text = `must be one of ${(e.params.allowedValues as unknown[]).map(String).join(', ')}${got()}`;
      break;
    case 'type':
      text = `must be ${article(String(e.params.type))}${got()}`;
      break;
    default:
      text = `${e.message ?? e.keyword}${got()}`;
  }
  return { field, message: `${field}: ${text}`, errors };
}

function article(type: string): string {
  return `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
}

/** `/a/0/b` → `a[0].b` */
function pointerToPath(pointer: string): string {
  let path = '';
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    path += /^\d+$/.test(part) ? `[${part}]` : path ? `.${part}` : part;
  }
  return path;
}

function valueAt(root: unknown, pointer: string): unknown {
  let value = root;
  for (const raw of pointer.split('/').slice(1)) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return value;
}

export interface FieldInfo {
  readonly name: string;
  /** JSON type (`string`, `integer`, `object`, `array` …), or `object` for a reference. */
  readonly type: string;
  readonly required: boolean;
  /** The allowed values of an enumeration. */
  readonly values?: readonly string[];
  readonly maxLength?: number;
}

interface PropertySchema {
  readonly type?: string;
  readonly enum?: readonly string[];
  readonly maxLength?: number;
  /** 2.0.1 schemas name their enumerations and types: `#/definitions/ResetEnumType`. */
  readonly $ref?: string;
}

/** The top-level fields of an action's request (`req`) or answer (`conf`), for help texts (2.0.1's customData left out). */
export function topLevelFields(action: string, kind: 'req' | 'conf' = 'req', version: OcppVersion = '1.6'): FieldInfo[] {
  const schema = validator(version)._ajv.getSchema(`urn:${action}.${kind}`)?.schema as
    | { properties?: Record<string, PropertySchema>; required?: string[]; definitions?: Record<string, PropertySchema> }
    | undefined;
  const required = new Set(schema?.required ?? []);
  const resolve = (p: PropertySchema): PropertySchema => (p.$ref?.startsWith('#/definitions/') ? (schema?.definitions?.[p.$ref.slice('#/definitions/'.length)] ?? p) : p);
  return Object.entries(schema?.properties ?? {})
    .filter(([name]) => name !== 'customData')
    .map(([name, declared]) => {
      const p = resolve(declared);
      return {
        name,
        type: p.type ?? 'object',
        required: required.has(name),
        ...(p.enum && { values: p.enum }),
        ...(p.maxLength !== undefined && { maxLength: p.maxLength }),
      };
    });
}
