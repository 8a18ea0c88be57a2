/**
 * Strict OCPP 1.6 schema check of one payload, with the same validators ocpp-rpc's strict mode
 * uses, reported for people: the field (`chargingProfile.chargingSchedule.chargingSchedulePeriod[0].limit`)
 * and what is wrong with it. The CSMS checks what an operator asks it to send with this before
 * anything goes on the wire, so a refused payload is never sent and never shows up as a violation.
 */
import { standardValidators } from '../../agent/ocpp/ocppRpc.js';

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

/** The problem with `payload` as the request (`req`) or answer (`conf`) of `action`; undefined when it is valid. */
export function checkPayload(action: string, kind: 'req' | 'conf', payload: unknown): SchemaProblem | undefined {
  if (!ocpp16) throw new Error('the OCPP 1.6 schema validator is not loaded');
  try {
    ocpp16.validate(`urn:${action}.${kind}`, payload);
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
      text = 'not a field of this message (OCPP 1.6 allows no extra fields)';
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
}

/** The top-level fields of an action's request (`req`) or answer (`conf`), for help texts. */
export function topLevelFields(action: string, kind: 'req' | 'conf' = 'req'): FieldInfo[] {
  const schema = ocpp16?._ajv.getSchema(`urn:${action}.${kind}`)?.schema as { properties?: Record<string, PropertySchema>; required?: string[] } | undefined;
  const required = new Set(schema?.required ?? []);
  return Object.entries(schema?.properties ?? {}).map(([name, p]) => ({
    name,
    type: p.type ?? 'object',
    required: required.has(name),
    ...(p.enum && { values: p.enum }),
    ...(p.maxLength !== undefined && { maxLength: p.maxLength }),
  }));
}
