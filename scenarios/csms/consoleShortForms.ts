/**
 * The short forms of the `evse csms` prompt: the calls an operator makes most, with positional
 * arguments instead of JSON (`remote-start ABC 1` for RemoteStartTransaction
 * `{"idTag":"ABC","connectorId":1}`). Each only builds a payload; the payload then goes through
 * the same strict schema check as a JSON one, which names the field when a value is wrong.
 */
import type { OcppVersion } from '../../agent/ocpp/ProtocolFace.js';
import type { CsmsAction, CsmsAction201 } from './CsmsOperator.js';

/** A command line the prompt cannot turn into a call; the message says what is expected. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface ShortFormArg {
  readonly name: string;
  /** `rest`: all remaining words joined by a space; `list`: all remaining words. */
  readonly kind: 'word' | 'integer' | 'rest' | 'list';
  readonly optional?: boolean;
  /** Values offered by tab completion and matched in any letter case. */
  readonly choices?: readonly string[];
}

/** What a short form may need to know besides its arguments. */
export interface ShortFormContext {
  readonly chargePointId: string;
  /** Transactions of the charge point the CSMS knows to be open (2.0.1: the station's ids). */
  openTransactionIds(): readonly (number | string)[];
  now(): number;
}

type Values = Record<string, string | number | string[] | undefined>;

export interface ShortForm {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly action: CsmsAction | CsmsAction201;
  readonly args: readonly ShortFormArg[];
  readonly summary: string;
  build(values: Values, context: ShortFormContext): Record<string, unknown>;
}

const MESSAGE_TRIGGERS = ['BootNotification', 'DiagnosticsStatusNotification', 'FirmwareStatusNotification', 'Heartbeat', 'MeterValues', 'StatusNotification'];
const ID_TAG_STATUSES = ['Accepted', 'Blocked', 'Expired', 'Invalid', 'ConcurrentTx'];
/** OCPP 2.0.1 AuthorizationStatusEnumType: 1.6's and those only 2.0.1 has. */
const ID_TOKEN_STATUSES = [...ID_TAG_STATUSES, 'NoCredit', 'NotAllowedTypeEVSE', 'NotAtThisLocation', 'NotAtThisTime', 'Unknown'];
/** OCPP 2.0.1 IdTokenEnumType. */
const ID_TOKEN_TYPES = ['Central', 'eMAID', 'ISO14443', 'ISO15693', 'KeyCode', 'Local', 'MacAddress', 'NoAuthorization'];

const word = (name: string, extra: Partial<ShortFormArg> = {}): ShortFormArg => ({ name, kind: 'word', ...extra });
const integer = (name: string, extra: Partial<ShortFormArg> = {}): ShortFormArg => ({ name, kind: 'integer', ...extra });

/** Copies the values that were given (an optional argument left out stays out of the payload). */
function given(values: Values, ...names: string[]): Record<string, unknown> {
  return Object.fromEntries(names.filter((n) => values[n] !== undefined).map((n) => [n, values[n]]));
}

/** Short forms that read the same in both versions (same action name and payload). */
const CLEAR_CACHE: ShortForm = {
  name: 'clear-cache',
  aliases: [],
  action: 'ClearCache',
  args: [],
  summary: 'clear the authorization cache',
  build: () => ({}),
};
const GET_LOCAL_LIST_VERSION: ShortForm = {
  name: 'get-local-list-version',
  aliases: ['local-list-version'],
  action: 'GetLocalListVersion',
  args: [],
  summary: 'read the version of the local authorization list',
  build: () => ({}),
};
const DATA_TRANSFER: ShortForm = {
  name: 'data-transfer',
  aliases: [],
  action: 'DataTransfer',
  args: [word('vendorId'), word('messageId', { optional: true }), { name: 'data', kind: 'rest', optional: true }],
  summary: 'vendor-specific data (data is the rest of the line)',
  build: (v) => given(v, 'vendorId', 'messageId', 'data'),
};

export const SHORT_FORMS: readonly ShortForm[] = [
  {
    name: 'remote-start',
    aliases: [],
    action: 'RemoteStartTransaction',
    args: [word('idTag'), integer('connectorId', { optional: true })],
    summary: 'start a transaction for idTag (on connectorId, or where the charge point chooses)',
    build: (v) => given(v, 'idTag', 'connectorId'),
  },
  {
    name: 'remote-stop',
    aliases: [],
    action: 'RemoteStopTransaction',
    args: [integer('transactionId', { optional: true })],
    summary: 'stop a transaction (default: the one open transaction of the charge point)',
    build: (v, c) => ({ transactionId: v.transactionId ?? onlyOpenTransaction(c) }),
  },
  {
    name: 'change-configuration',
    aliases: ['set'],
    action: 'ChangeConfiguration',
    args: [word('key'), { name: 'value', kind: 'rest' }],
    summary: 'set a configuration key (the value is the rest of the line)',
    build: (v) => given(v, 'key', 'value'),
  },
  {
    name: 'get-configuration',
    aliases: ['get'],
    action: 'GetConfiguration',
    args: [{ name: 'key', kind: 'list', optional: true }],
    summary: 'read configuration keys (all without a key)',
    build: (v) => ((v.key as string[]).length ? { key: v.key } : {}),
  },
  {
    name: 'trigger-message',
    aliases: ['trigger'],
    action: 'TriggerMessage',
    args: [word('requestedMessage', { choices: MESSAGE_TRIGGERS }), integer('connectorId', { optional: true })],
    summary: 'ask the charge point to send a message now',
    build: (v) => given(v, 'requestedMessage', 'connectorId'),
  },
  {
    name: 'reset',
    aliases: [],
    action: 'Reset',
    args: [word('type', { optional: true, choices: ['Soft', 'Hard'] })],
    summary: 'reset the charge point (default Soft)',
    build: (v) => ({ type: v.type ?? 'Soft' }),
  },
  {
    name: 'change-availability',
    aliases: ['availability'],
    action: 'ChangeAvailability',
    args: [integer('connectorId'), word('type', { choices: ['Operative', 'Inoperative'] })],
    summary: 'make a connector (0: all) Operative or Inoperative',
    build: (v) => given(v, 'connectorId', 'type'),
  },
  {
    name: 'unlock',
    aliases: ['unlock-connector'],
    action: 'UnlockConnector',
    args: [integer('connectorId')],
    summary: 'unlock the cable of a connector',
    build: (v) => given(v, 'connectorId'),
  },
  CLEAR_CACHE,
  {
    name: 'send-local-list',
    aliases: [],
    action: 'SendLocalList',
    args: [integer('listVersion'), word('updateType', { choices: ['Full', 'Differential'] }), { name: 'entries', kind: 'list', optional: true }],
    summary: 'send the local authorization list; entries are idTag (Accepted), idTag=Status, or idTag=- (remove, Differential)',
    build: (v) => ({ listVersion: v.listVersion, updateType: v.updateType, localAuthorizationList: (v.entries as string[]).map(localListEntry) }),
  },
  GET_LOCAL_LIST_VERSION,
  DATA_TRANSFER,
  {
    name: 'reserve',
    aliases: ['reserve-now'],
    action: 'ReserveNow',
    args: [integer('connectorId'), word('idTag'), integer('reservationId'), integer('minutes', { optional: true })],
    summary: 'reserve a connector for idTag for some minutes (default 30)',
    build: (v, c) => ({
      connectorId: v.connectorId,
      idTag: v.idTag,
      reservationId: v.reservationId,
      expiryDate: new Date(c.now() + ((v.minutes as number | undefined) ?? 30) * 60_000).toISOString(),
    }),
  },
  {
    name: 'cancel-reservation',
    aliases: [],
    action: 'CancelReservation',
    args: [integer('reservationId')],
    summary: 'cancel a reservation',
    build: (v) => given(v, 'reservationId'),
  },
  {
    name: 'get-composite-schedule',
    aliases: ['schedule'],
    action: 'GetCompositeSchedule',
    args: [integer('connectorId'), integer('duration'), word('chargingRateUnit', { optional: true, choices: ['A', 'W'] })],
    summary: 'the charging schedule of a connector for the next duration seconds',
    build: (v) => given(v, 'connectorId', 'duration', 'chargingRateUnit'),
  },
  {
    name: 'clear-charging-profile',
    aliases: [],
    action: 'ClearChargingProfile',
    args: [integer('id', { optional: true })],
    summary: 'clear one charging profile (by id) or all',
    build: (v) => given(v, 'id'),
  },
  {
    name: 'get-diagnostics',
    aliases: [],
    action: 'GetDiagnostics',
    args: [word('location')],
    summary: 'upload diagnostics to location (a URL)',
    build: (v) => given(v, 'location'),
  },
  {
    name: 'update-firmware',
    aliases: [],
    action: 'UpdateFirmware',
    args: [word('location'), word('retrieveDate', { optional: true })],
    summary: 'download firmware from location (from retrieveDate, default now)',
    build: (v, c) => ({ location: v.location, retrieveDate: v.retrieveDate ?? new Date(c.now()).toISOString() }),
  },
];

/**
 * The same short forms for an OCPP 2.0.1 charging station, said in 2.0.1 calls: an operator types
 * `remote-start ABC 1` whichever version the charger speaks. Configuration keys are
 * `Component.Variable` or `Component.Variable[instance]` (`OCPPCommCtrlr.HeartbeatInterval`).
 */
export const SHORT_FORMS_201: readonly ShortForm[] = [
  {
    name: 'remote-start',
    aliases: [],
    action: 'RequestStartTransaction',
    args: [word('idToken'), integer('evseId', { optional: true })],
    summary: 'start a transaction for idToken, Type:value or a value of type Central (on evseId, or where the station chooses)',
    build: (v, c) => ({ idToken: idTokenOf(String(v.idToken), 'Central'), remoteStartId: remoteStartId(c), ...given(v, 'evseId') }),
  },
  {
    name: 'remote-stop',
    aliases: [],
    action: 'RequestStopTransaction',
    args: [word('transactionId', { optional: true })],
    summary: 'stop a transaction (default: the one open transaction of the station)',
    build: (v, c) => ({ transactionId: String(v.transactionId ?? onlyOpenTransaction(c)) }),
  },
  {
    name: 'change-configuration',
    aliases: ['set', 'set-variable'],
    action: 'SetVariables',
    args: [word('variable'), { name: 'value', kind: 'rest' }],
    summary: 'set a variable, Component.Variable[instance] (the value is the rest of the line)',
    build: (v) => ({ setVariableData: [{ ...componentVariable(String(v.variable), 'change-configuration'), attributeValue: v.value }] }),
  },
  {
    name: 'get-configuration',
    aliases: ['get', 'get-variables'],
    action: 'GetVariables',
    args: [{ name: 'variable', kind: 'list' }],
    summary: 'read variables, Component.Variable[instance] (all of them: get-base-report)',
    build: (v) => {
      const names = v.variable as string[];
      if (names.length === 0) throw new UsageError('get-configuration: name the variables (Component.Variable); `get-base-report` reports them all');
      return { getVariableData: names.map((n) => componentVariable(n, 'get-configuration')) };
    },
  },
  {
    name: 'get-base-report',
    aliases: ['report'],
    action: 'GetBaseReport',
    args: [word('reportBase', { optional: true, choices: ['FullInventory', 'ConfigurationInventory', 'SummaryInventory'] })],
    summary: 'the station reports its device model in NotifyReport pages (default FullInventory)',
    build: (v, c) => ({ requestId: requestId(c), reportBase: v.reportBase ?? 'FullInventory' }),
  },
  {
    name: 'trigger-message',
    aliases: ['trigger'],
    action: 'TriggerMessage',
    args: [word('requestedMessage', { choices: ['BootNotification', 'Heartbeat', 'MeterValues', 'StatusNotification', 'TransactionEvent'] }), integer('evseId', { optional: true })],
    summary: 'ask the station to send a message now (StatusNotification of an EVSE: its connector 1)',
    build: (v) => ({
      requestedMessage: v.requestedMessage,
      ...(v.evseId !== undefined && { evse: { id: v.evseId, ...(v.requestedMessage === 'StatusNotification' && { connectorId: 1 }) } }),
    }),
  },
  {
    name: 'reset',
    aliases: [],
    action: 'Reset',
    args: [word('type', { optional: true, choices: ['OnIdle', 'Immediate'] })],
    summary: 'reset the station (default OnIdle: after the running transactions)',
    build: (v) => ({ type: v.type ?? 'OnIdle' }),
  },
  {
    name: 'change-availability',
    aliases: ['availability'],
    action: 'ChangeAvailability',
    args: [integer('evseId'), word('type', { choices: ['Operative', 'Inoperative'] })],
    summary: 'make an EVSE (0: the whole station) Operative or Inoperative',
    build: (v) => ({ operationalStatus: v.type, ...(v.evseId !== 0 && { evse: { id: v.evseId } }) }),
  },
  {
    name: 'unlock',
    aliases: ['unlock-connector'],
    action: 'UnlockConnector',
    args: [integer('evseId'), integer('connectorId', { optional: true })],
    summary: 'unlock the cable of an EVSE (its connector 1 unless given)',
    build: (v) => ({ evseId: v.evseId, connectorId: v.connectorId ?? 1 }),
  },
  CLEAR_CACHE,
  {
    name: 'send-local-list',
    aliases: [],
    action: 'SendLocalList',
    args: [integer('listVersion'), word('updateType', { choices: ['Full', 'Differential'] }), { name: 'entries', kind: 'list', optional: true }],
    summary: 'send the local authorization list; entries are [Type:]value (Accepted; type ISO14443 unless given), …=Status, or …=- (remove, Differential)',
    build: (v) => ({ versionNumber: v.listVersion, updateType: v.updateType, localAuthorizationList: (v.entries as string[]).map(localListEntry201) }),
  },
  GET_LOCAL_LIST_VERSION,
  DATA_TRANSFER,
  {
    name: 'transaction-status',
    aliases: [],
    action: 'GetTransactionStatus',
    args: [word('transactionId', { optional: true })],
    summary: 'whether transaction messages are queued (and whether transactionId still runs)',
    build: (v) => given(v, 'transactionId'),
  },
];

/** The short forms for a charge point of `version`. */
export function shortFormsFor(version: OcppVersion = '1.6'): readonly ShortForm[] {
  return version === '2.0.1' ? SHORT_FORMS_201 : SHORT_FORMS;
}

export function findShortForm(name: string, version: OcppVersion = '1.6'): ShortForm | undefined {
  const lower = name.toLowerCase();
  return shortFormsFor(version).find((f) => f.name === lower || f.aliases.includes(lower));
}

export function usageOf(form: ShortForm): string {
  const args = form.args.map((a) => {
    const shown = a.kind === 'list' ? `${a.name}...` : a.name;
    return a.optional ? `[${shown}]` : `<${shown}>`;
  });
  return [form.name, ...args].join(' ');
}

/** The payload of a short form from its argument words; throws {@link UsageError}. */
export function buildShortForm(form: ShortForm, words: readonly string[], context: ShortFormContext): Record<string, unknown> {
  const values: Values = {};
  let i = 0;
  for (const arg of form.args) {
    if (arg.kind === 'list') {
      values[arg.name] = words.slice(i);
      i = words.length;
      continue;
    }
    if (i >= words.length) {
      if (!arg.optional) throw new UsageError(`${form.name}: ${arg.name} is missing (usage: ${usageOf(form)})`);
      continue;
    }
    if (arg.kind === 'rest') {
      values[arg.name] = words.slice(i).join(' ');
      i = words.length;
    } else if (arg.kind === 'integer') {
      const text = words[i++]!;
      if (!/^-?\d+$/.test(text)) throw new UsageError(`${form.name}: ${arg.name} must be an integer, got "${text}"`);
      values[arg.name] = Number(text);
    } else {
      const text = words[i++]!;
      values[arg.name] = arg.choices?.find((c) => c.toLowerCase() === text.toLowerCase()) ?? text;
    }
  }
  if (i < words.length) throw new UsageError(`${form.name}: too many arguments (usage: ${usageOf(form)}); quote values with spaces`);
  return form.build(values, context);
}

function onlyOpenTransaction(context: ShortFormContext): number | string {
  const open = context.openTransactionIds();
  if (open.length === 1) return open[0]!;
  if (open.length === 0) throw new UsageError(`remote-stop: ${context.chargePointId} has no open transaction at this CSMS; give a transactionId`);
  throw new UsageError(`remote-stop: ${context.chargePointId} has ${open.length} open transactions (${open.join(', ')}); give one`);
}

/** `ABC` (Accepted), `ABC=Blocked`, `ABC=-` (no idTagInfo: removed by a Differential update). */
function localListEntry(entry: string): Record<string, unknown> {
  const at = entry.lastIndexOf('=');
  if (at < 0) return { idTag: entry, idTagInfo: { status: 'Accepted' } };
  const idTag = entry.slice(0, at);
  const status = entry.slice(at + 1);
  if (status === '-') return { idTag };
  return { idTag, idTagInfo: { status: ID_TAG_STATUSES.find((s) => s.toLowerCase() === status.toLowerCase()) ?? status } };
}

/**
 * An idToken as the operator types it: `Type:value` (the kind in any letter case: `keycode:1234`),
 * else the value with the kind `otherwise` (a MAC address's colons are no kind: `00:1A:…`).
 */
export function idTokenOf(text: string, otherwise: string): { idToken: string; type: string } {
  const at = text.indexOf(':');
  const kind = at > 0 ? ID_TOKEN_TYPES.find((k) => k.toLowerCase() === text.slice(0, at).toLowerCase()) : undefined;
  return kind ? { idToken: text.slice(at + 1), type: kind } : { idToken: text, type: otherwise };
}

/** A 2.0.1 local list entry: `[Type:]value`, `…=Status` or `…=-` (removed); a card (ISO14443) unless the kind is given. */
function localListEntry201(entry: string): Record<string, unknown> {
  const at = entry.lastIndexOf('=');
  const idToken = idTokenOf(at < 0 ? entry : entry.slice(0, at), 'ISO14443');
  if (at < 0) return { idToken, idTokenInfo: { status: 'Accepted' } };
  const status = entry.slice(at + 1);
  if (status === '-') return { idToken };
  return { idToken, idTokenInfo: { status: ID_TOKEN_STATUSES.find((s) => s.toLowerCase() === status.toLowerCase()) ?? status } };
}

/** `OCPPCommCtrlr.HeartbeatInterval` or `OCPPCommCtrlr.MessageAttempts[TransactionEvent]` as a component and variable. */
function componentVariable(text: string, form: string): { component: { name: string }; variable: { name: string; instance?: string } } {
  const m = /^([^.[\]]+)\.([^.[\]]+)(?:\[([^\]]+)\])?$/.exec(text);
  if (!m) throw new UsageError(`${form}: "${text}" is not Component.Variable or Component.Variable[instance], e.g. OCPPCommCtrlr.HeartbeatInterval`);
  return { component: { name: m[1]! }, variable: { name: m[2]!, ...(m[3] !== undefined && { instance: m[3] }) } };
}

/** A remoteStartId / requestId from the clock: distinct for calls a second or more apart. */
function remoteStartId(context: ShortFormContext): number {
  return Math.floor(context.now() / 1000) % 2_147_483_647;
}

const requestId = remoteStartId;
