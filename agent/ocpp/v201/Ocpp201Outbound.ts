/**
 * What the shared services send, in OCPP 2.0.1 words. The services (StatusReporter, Authorizer,
 * MeterSampler, RemoteControl) speak to an {@link OcppCaller} in the shared vocabulary, which today
 * is OCPP 1.6's; on a 2.0.1 link this caller translates each message and its answer:
 *
 * | service sends            | 2.0.1 message                                                        |
 * |--------------------------|----------------------------------------------------------------------|
 * | StatusNotification       | StatusNotification (evseId = connectorId, connectorId 1, ConnectorStatusEnumType); connectorId 0 has no 2.0.1 counterpart and is not sent |
 * | Authorize (idTag)        | Authorize (idToken of type ISO14443: cards are read by UID); idTokenInfo back as idTagInfo |
 * | MeterValues (no tx)      | MeterValues (evseId, numeric values, unitOfMeasure)                   |
 * | Heartbeat, DataTransfer  | the same message                                                     |
 *
 * Transaction messages do not pass here: see {@link TRANSACTIONS_HELD}.
 */
import type { Clock } from '../../../hal/index.js';
import { OcppLinkError } from '../errors.js';
import type { OcppCaller } from '../OcppCaller.js';
import type { OcppLink } from '../OcppLink.js';
import type { OcppLinkState } from '../OcppLinkTypes.js';
import type * as V16 from '../../ocpp16/messages.js';
import type { AuthorizationStatusEnumType, MeasurandEnumType, Ocpp201Action, RequestOf as Request201, ResponseOf as Response201, SampledValueType } from '../../ocpp201/messages.js';
import { connectorStatus201 } from './statusVocabulary.js';

/** OCPP 2.0.1 calls, typed, over a link whose face is the 2.0.1 one. */
export function call201<A extends Ocpp201Action>(link: Pick<OcppLink, 'call'>, action: A, payload: Request201<A>): Promise<Response201<A>> {
  // The link's call() is typed in 1.6 words; the strict client checks the 2.0.1 schema of both directions.
  return link.call(action as never, payload as never) as Promise<Response201<A>>;
}

/** 2.0.1 authorization statuses that 1.6 has no word for all mean "not allowed here": Invalid. */
function idTagStatus(status: AuthorizationStatusEnumType): V16.AuthorizeResponse['idTagInfo']['status'] {
  return status === 'Accepted' || status === 'Blocked' || status === 'Expired' || status === 'ConcurrentTx' ? status : 'Invalid';
}

function sampledValue(v: V16.MeterValuesRequest['meterValue'][number]['sampledValue'][number]): SampledValueType {
  return {
    value: Number(v.value),
    ...(v.context !== undefined && { context: v.context }),
    ...(v.measurand !== undefined && { measurand: v.measurand as MeasurandEnumType }),
    ...(v.phase !== undefined && { phase: v.phase }),
    ...(v.location !== undefined && { location: v.location }),
    ...(v.unit !== undefined && { unitOfMeasure: { unit: v.unit } }),
  };
}

type LinkView = Pick<OcppLink, 'call' | 'isAccepted' | 'state' | 'sendBootNotification' | 'sendHeartbeat'>;

export class Ocpp201Outbound implements OcppCaller {
  constructor(
    private readonly link: LinkView,
    private readonly clock: Pick<Clock, 'now'>,
  ) {}

  get isAccepted(): boolean {
    return this.link.isAccepted;
  }

  get state(): OcppLinkState {
    return this.link.state;
  }

  sendBootNotification(): Promise<void> {
    return this.link.sendBootNotification();
  }

  sendHeartbeat(): Promise<void> {
    return this.link.sendHeartbeat();
  }

  call<A extends V16.Ocpp16Action>(action: A, payload: V16.RequestOf<A>): Promise<V16.ResponseOf<A>> {
    return this.translate(action, payload) as Promise<V16.ResponseOf<A>>;
  }

  private async translate(action: V16.Ocpp16Action, payload: unknown): Promise<unknown> {
    switch (action) {
      case 'StatusNotification': {
        const p = payload as V16.StatusNotificationRequest;
        if (p.connectorId === 0) return {};
        await call201(this.link, 'StatusNotification', { timestamp: p.timestamp ?? new Date(this.clock.now()).toISOString(), connectorStatus: connectorStatus201(p.status), evseId: p.connectorId, connectorId: 1 });
        return {};
      }
      case 'Authorize': {
        const { idTokenInfo } = await call201(this.link, 'Authorize', { idToken: { idToken: (payload as V16.AuthorizeRequest).idTag, type: 'ISO14443' } });
        return {
          idTagInfo: {
            status: idTagStatus(idTokenInfo.status),
            ...(idTokenInfo.cacheExpiryDateTime !== undefined && { expiryDate: idTokenInfo.cacheExpiryDateTime }),
            ...(idTokenInfo.groupIdToken !== undefined && { parentIdTag: idTokenInfo.groupIdToken.idToken }),
          },
        } satisfies V16.AuthorizeResponse;
      }
      case 'MeterValues': {
        const p = payload as V16.MeterValuesRequest;
        if (p.transactionId !== undefined) break;
        const [first, ...rest] = p.meterValue.map((mv) => ({ timestamp: mv.timestamp, sampledValue: mv.sampledValue.map(sampledValue) as [SampledValueType, ...SampledValueType[]] }));
        if (!first) return {};
        await call201(this.link, 'MeterValues', { evseId: p.connectorId, meterValue: [first, ...rest] });
        return {};
      }
      case 'Heartbeat':
      case 'DataTransfer':
        return this.link.call(action, payload as never);
      default:
        break;
    }
    throw new OcppLinkError('FAILED', `${action}: not spoken over OCPP 2.0.1 yet`, { action });
  }
}

/**
 * The transaction sender's link on a 2.0.1 charger until TransactionEvent is spoken: never
 * accepted, so StartTransaction / MeterValues / StopTransaction stay in the durable journal (as
 * they do offline) instead of being sent in 1.6 words or given up. Sessions run and are recorded;
 * their messages go out once the 2.0.1 face translates them (docs/ocpp201.md).
 */
export const TRANSACTIONS_HELD: OcppCaller = Object.freeze({
  isAccepted: false,
  call: (action: string) => Promise.reject(new OcppLinkError('NOT_ACCEPTED', `${action}: TransactionEvent is not spoken over OCPP 2.0.1 yet`, { action })),
});
