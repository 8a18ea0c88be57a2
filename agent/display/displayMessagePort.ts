/**
 * The operator messages as the OCPP 2.0.1 face reaches them (agent/ocpp/DriverPorts.ts:
 * SetDisplayMessage, GetDisplayMessages, ClearDisplayMessage), with the same rules as the 1.6
 * DataTransfer extension (./operatorMessageVendor.ts): one check for both ({@link refusalOf}).
 */
import type { DisplayMessageAnswer, DisplayMessagePort } from '../ocpp/DriverPorts.js';
import type { MessageInfoType } from '../ocpp201/messages.js';
import { isOperatorMessage, MAX_OPERATOR_MESSAGES, type OperatorMessage, type OperatorMessages } from './OperatorMessages.js';

export interface MessageRules {
  /** Whether a transactionId names a transaction running here. */
  runsTransaction(transactionId: string): boolean;
  /** Whether a display of this charger stands at that EVSE (connector). */
  hasDisplayAt(evseId: number): boolean;
  /** Whether operator messages are shown now (DisplayMessagesEnabled; absent: always). */
  enabled?(): boolean;
}

/**
 * Why a valid message is not kept, or undefined when it is: HTML is not shown (text displays;
 * NotSupportedMessageFormat), ASCII must be printable ASCII, a `display` must be a Display of ours,
 * a transactionId must run here (UnknownTransaction), and there is room for a new id.
 */
export function refusalOf(m: OperatorMessage, store: Pick<OperatorMessages, 'get' | 'all'>, rules: MessageRules): DisplayMessageAnswer | undefined {
  if (rules.enabled?.() === false) return rejected('Disabled', 'display messages are disabled (DisplayMessageCtrlr.Enabled)');
  if (m.message.format === 'HTML') return { status: 'NotSupportedMessageFormat' };
  if (m.message.format === 'ASCII' && !/^[\x20-\x7e\n]*$/.test(m.message.content)) return rejected('InvalidValue', 'message.content: ASCII format with characters outside printable ASCII');
  if (m.display && (m.display.name.toLowerCase() !== 'display' || (m.display.evse !== undefined && !rules.hasDisplayAt(m.display.evse.id)))) return rejected('UnknownComponent', 'display: not a Display of this charging station');
  if (m.transactionId !== undefined && !rules.runsTransaction(m.transactionId)) return { status: 'UnknownTransaction' };
  if (store.get(m.id) === undefined && store.all().length >= MAX_OPERATOR_MESSAGES) return rejected('OutOfStorage', `at most ${MAX_OPERATOR_MESSAGES} messages are kept`);
  return undefined;
}

const rejected = (reasonCode: string, additionalInfo: string): DisplayMessageAnswer => ({ status: 'Rejected', statusInfo: { reasonCode, additionalInfo } });

/** A 2.0.1 MessageInfo as kept here: customData is not kept (this charger knows none). */
function operatorMessage(m: MessageInfoType): OperatorMessage {
  const { customData: _c, message, display, ...rest } = m;
  const { customData: _m, ...content } = message;
  const kept = { ...rest, message: content } as OperatorMessage & { display?: OperatorMessage['display'] };
  if (display) {
    const { customData: _d, evse, ...component } = display;
    const evseKept = evse && (({ customData: _e, ...e }) => e)(evse);
    (kept as { display?: unknown }).display = { ...component, ...(evseKept && { evse: evseKept }) };
  }
  return kept;
}

export function displayMessagePort(store: OperatorMessages, rules: MessageRules): DisplayMessagePort {
  return {
    get count() {
      return store.all().length;
    },
    max: MAX_OPERATOR_MESSAGES,
    async set(message) {
      const m = operatorMessage(message);
      if (!isOperatorMessage(m)) return rejected('FormationViolation', (isOperatorMessage.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`.trim()).join('; ').slice(0, 500));
      const refusal = refusalOf(m, store, rules);
      if (refusal) return refusal;
      return (await store.set(m)) ? { status: 'Accepted' } : rejected('InternalError', 'could not be stored');
    },
    find({ id, priority, state }) {
      return store.all().filter((m) => (!id || id.includes(m.id)) && (!priority || m.priority === priority) && (!state || m.state === state)) as MessageInfoType[];
    },
    async clear(id) {
      return (await store.clear(id)) === 'cleared' ? 'Accepted' : 'Unknown';
    },
  };
}
