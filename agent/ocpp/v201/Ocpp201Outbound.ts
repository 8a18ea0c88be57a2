/**
 * What the shared services send, in OCPP 2.0.1 words. The services (StatusReporter, Authorizer,
 * MeterSampler, RemoteControl) speak to an {@link OcppCaller} in the shared vocabulary, which today
 * is OCPP 1.6's; on a 2.0.1 link this caller translates each message and its answer:
 *
 * | service sends            | 2.0.1 message                                                        |
 * |--------------------------|----------------------------------------------------------------------|
 * | StatusNotification       | StatusNotification (evseId = connectorId, connectorId 1, ConnectorStatusEnumType) when that changed; connectorId 0 has no 2.0.1 counterpart and is not sent |
 * | Authorize (idTag)        | Authorize (idToken of type ISO14443: cards are read by UID); idTokenInfo back as idTagInfo |
 * | MeterValues (no tx)      | MeterValues (evseId, numeric values, unitOfMeasure)                   |
 * | Heartbeat, DataTransfer  | the same message                                                     |
 * | StartTransaction, MeterValues (tx), StopTransaction | TransactionEvent Started / Updated / Ended (TransactionEvents.ts) |
 */
import type { Clock } from '../../../hal/index.js';
import { OcppLinkError } from '../errors.js';
import type { OcppCaller } from '../OcppCaller.js';
import type { OcppLink } from '../OcppLink.js';
import type { OcppLinkState } from '../OcppLinkTypes.js';
import type * as V16 from '../../ocpp16/messages.js';
import type { MeterValueType } from '../../ocpp201/messages.js';
import { call201 } from './call201.js';
import { connectorStatus201, idTagStatus16 } from './statusVocabulary.js';
import { TransactionEvents, meterValue201 } from './TransactionEvents.js';

type LinkView = Pick<OcppLink, 'call' | 'isAccepted' | 'state' | 'sendBootNotification' | 'sendHeartbeat' | 'on'>;

/** Offline periods remembered for the `offline` flag: events older than these were delivered long ago. */
const MAX_OFFLINE_PERIODS = 16;

export class Ocpp201Outbound implements OcppCaller {
  /** The journaled transaction messages as TransactionEvents. */
  readonly transactions: TransactionEvents;
  /**
   * connectorStatus last delivered per EVSE since the last accepted boot: the 1.6 phases of a
   * session (Preparing, Charging, Finishing …) are one "Occupied" in 2.0.1, said once.
   */
  private readonly lastStatus = new Map<number, string>();

  constructor(
    private readonly link: LinkView,
    private readonly clock: Pick<Clock, 'now'>,
  ) {
    this.transactions = new TransactionEvents(link, (at) => this.wasOffline(at));
    // After each accepted boot every EVSE's status is reported again (StatusReporter.reportAll).
    link.on('accepted', () => this.lastStatus.clear());
    link.on('state', (state, previous) => {
      if (previous === 'accepted') this.offline.push([clock.now(), Infinity]);
      else if (state === 'accepted' && this.offline.length > 0) this.offline.at(-1)![1] = clock.now();
      if (this.offline.length > MAX_OFFLINE_PERIODS) this.offline.shift();
    });
  }

  /** The next StatusNotification of each EVSE goes out even if it repeats the last one (a TriggerMessage asked). */
  forgetSentStatuses(): void {
    this.lastStatus.clear();
  }

  /** Periods [from, to) without an accepted registration, the newest last (only the last few). */
  private readonly offline: [number, number][] = [];

  /** Whether the station was offline at `at` (ms): a TransactionEvent of that time carries offline = true. */
  private wasOffline(at: number): boolean {
    return this.offline.some(([from, to]) => at >= from && at < to);
  }

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
        const connectorStatus = connectorStatus201(p.status);
        if (p.connectorId === 0 || this.lastStatus.get(p.connectorId) === connectorStatus) return {};
        await call201(this.link, 'StatusNotification', { timestamp: p.timestamp ?? new Date(this.clock.now()).toISOString(), connectorStatus, evseId: p.connectorId, connectorId: 1 });
        this.lastStatus.set(p.connectorId, connectorStatus);
        return {};
      }
      case 'Authorize': {
        const { idTokenInfo } = await call201(this.link, 'Authorize', { idToken: { idToken: (payload as V16.AuthorizeRequest).idTag, type: 'ISO14443' } });
        return {
          idTagInfo: {
            status: idTagStatus16(idTokenInfo.status),
            ...(idTokenInfo.cacheExpiryDateTime !== undefined && { expiryDate: idTokenInfo.cacheExpiryDateTime }),
            ...(idTokenInfo.groupIdToken !== undefined && { parentIdTag: idTokenInfo.groupIdToken.idToken }),
          },
        } satisfies V16.AuthorizeResponse;
      }
      case 'MeterValues': {
        const p = payload as V16.MeterValuesRequest;
        if (p.transactionId !== undefined) return this.transactions.updated({ ...p, transactionId: p.transactionId });
        const values = p.meterValue.filter((mv) => mv.sampledValue.length > 0).map(meterValue201);
        if (values.length === 0) return {};
        await call201(this.link, 'MeterValues', { evseId: p.connectorId, meterValue: values as [MeterValueType, ...MeterValueType[]] });
        return {};
      }
      case 'StartTransaction':
        return this.transactions.started(payload as V16.StartTransactionRequest);
      case 'StopTransaction':
        return this.transactions.ended(payload as V16.StopTransactionRequest);
      case 'Heartbeat':
      case 'DataTransfer':
        return this.link.call(action, payload as never);
      default:
        break;
    }
    throw new OcppLinkError('FAILED', `${action}: not spoken over OCPP 2.0.1 yet`, { action });
  }
}
