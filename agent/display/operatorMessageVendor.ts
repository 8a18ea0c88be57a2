/**
 * The operator-message DataTransfer extension for OCPP 1.6 (docs/display.md): vendorId
 * {@link DISPLAY_MESSAGE_VENDOR_ID}, messageIds named after the OCPP 2.0.1 messages, `data` the
 * 2.0.1 request payload as JSON text, the answer's `data` the 2.0.1 response payload:
 *
 * - `SetDisplayMessage` {message: MessageInfo} → {status: Accepted | NotSupportedMessageFormat |
 *   UnknownTransaction | Rejected, statusInfo?}. HTML is not supported (a text display); URI is
 *   shown as text with a QR code; a transactionId must name a transaction running here.
 * - `GetDisplayMessages` {requestId, id?: [..], priority?, state?} → {status: Accepted | Unknown,
 *   messageInfo: [..]}: 2.0.1 sends the list in NotifyDisplayMessages; over DataTransfer it is the answer.
 * - `ClearDisplayMessage` {id} → {status: Accepted | Unknown}.
 *
 * A payload that is not JSON or does not match the 2.0.1 shape is answered DataTransfer `Rejected`
 * with the reason in `data` (statusInfo), so the CSMS sees what to fix.
 */
import type { DataTransferVendors } from '../DataTransferVendors.js';
import type { DataTransferResponse } from '../ocpp16/messages.js';
import { Ajv } from '../jsonSchema.js';
import { isOperatorMessage, OPERATOR_MESSAGE_SCHEMA, type OperatorMessage, type OperatorMessages } from './OperatorMessages.js';
import { refusalOf } from './displayMessagePort.js';

export const DISPLAY_MESSAGE_VENDOR_ID = 'org.evse-agent.displaymessage';

const ajv = new Ajv({ allErrors: false, strict: true, validateSchema: false }).addFormat('date-time', () => true);
const isGetRequest = ajv.compile<{ requestId: number; id?: number[]; priority?: OperatorMessage['priority']; state?: OperatorMessage['state'] }>({
  type: 'object',
  additionalProperties: false,
  required: ['requestId'],
  properties: {
    requestId: { type: 'integer' },
    id: { type: 'array', items: { type: 'integer' }, minItems: 1 },
    priority: OPERATOR_MESSAGE_SCHEMA.properties.priority,
    state: OPERATOR_MESSAGE_SCHEMA.properties.state,
  },
});
const isClearRequest = ajv.compile<{ id: number }>({ type: 'object', additionalProperties: false, required: ['id'], properties: { id: { type: 'integer' } } });

const answer = (status: DataTransferResponse['status'], data: object): DataTransferResponse => ({ status, data: JSON.stringify(data) });
const malformed = (additionalInfo: string): DataTransferResponse => answer('Rejected', { status: 'Rejected', statusInfo: { reasonCode: 'FormationViolation', additionalInfo: additionalInfo.slice(0, 512) } });

function parse(data: string | undefined): { ok: true; value: unknown } | { ok: false; response: DataTransferResponse } {
  try {
    return { ok: true, value: JSON.parse(data ?? '') };
  } catch {
    return { ok: false, response: malformed('data is not JSON') };
  }
}

const why = (errors: { instancePath: string; message?: string }[] | null | undefined): string => (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`.trim()).join('; ');

/**
 * Registers the extension on `vendors` for `store`; returns the function that removes it.
 * `runsTransaction` says whether a transactionId names a transaction running here (a message for
 * another one is answered UnknownTransaction, as in 2.0.1).
 */
export function registerOperatorMessages(vendors: DataTransferVendors, store: OperatorMessages, runsTransaction: (transactionId: string) => boolean, hasDisplayAt: (evseId: number) => boolean = () => true, enabled: () => boolean = () => true): () => void {
  const removers = [
    vendors.register(
      DISPLAY_MESSAGE_VENDOR_ID,
      async (req) => {
        const body = parse(req.data);
        if (!body.ok) return body.response;
        const message = (body.value as { message?: unknown } | null)?.message;
        if (!isOperatorMessage(message)) return malformed(`message: ${why(isOperatorMessage.errors)}`);
        if (message.message.format === 'ASCII' && !/^[\x20-\x7e\n]*$/.test(message.message.content)) return malformed('message.content: ASCII format with characters outside printable ASCII');
        const refusal = refusalOf(message, store, { runsTransaction, hasDisplayAt, enabled });
        if (refusal) return answer('Accepted', refusal);
        const stored = await store.set(message);
        return answer('Accepted', stored ? { status: 'Accepted' } : { status: 'Rejected', statusInfo: { reasonCode: 'InternalError', additionalInfo: 'could not be stored' } });
      },
      'SetDisplayMessage',
    ),
    vendors.register(
      DISPLAY_MESSAGE_VENDOR_ID,
      (req) => {
        const body = parse(req.data);
        if (!body.ok) return body.response;
        if (!isGetRequest(body.value)) return malformed(why(isGetRequest.errors));
        const { id, priority, state } = body.value;
        const found = store.all().filter((m) => (!id || id.includes(m.id)) && (!priority || m.priority === priority) && (!state || m.state === state));
        return answer('Accepted', found.length > 0 ? { status: 'Accepted', messageInfo: found } : { status: 'Unknown' });
      },
      'GetDisplayMessages',
    ),
    vendors.register(
      DISPLAY_MESSAGE_VENDOR_ID,
      async (req) => {
        const body = parse(req.data);
        if (!body.ok) return body.response;
        if (!isClearRequest(body.value)) return malformed(why(isClearRequest.errors));
        const result = await store.clear(body.value.id);
        if (result === 'failed') return answer('Rejected', { status: 'Unknown', statusInfo: { reasonCode: 'InternalError', additionalInfo: 'could not be stored' } });
        return answer('Accepted', { status: result === 'cleared' ? 'Accepted' : 'Unknown' });
      },
      'ClearDisplayMessage',
    ),
  ];
  return () => {
    for (const remove of removers) remove();
  };
}
