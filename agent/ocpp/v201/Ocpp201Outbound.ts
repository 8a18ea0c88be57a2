/**
 * What the shared services send, in OCPP 2.0.1 words. The services (StatusReporter, Authorizer,
 * MeterSampler, RemoteControl) speak to an {@link OcppCaller} in the shared vocabulary, which today
 * is OCPP 1.6's; on a 2.0.1 link this caller translates each message and its answer:
 *
 * | service sends            | 2.0.1 message                                                        |
 * |--------------------------|----------------------------------------------------------------------|
 * | StatusNotification       | StatusNotification (evseId = connectorId, connectorId 1, ConnectorStatusEnumType) when that changed; connectorId 0 has no 2.0.1 counterpart and is not sent |
 * | its errorCode / info     | NotifyEvent when a problem appears or clears: the failing device's component (FiscalMetering, PowerContactor, ConnectorPlugRetentionLock …, else Connector; TokenReader for a card reader) variable Problem, techCode = the 1.6 errorCode, techInfo = the HAL fault's message |
 * | Authorize (idTag)        | Authorize (a remote start's own idToken, else type ISO14443: cards are read by UID); idTokenInfo back as idTagInfo, its language1 as the driver's language (driverLanguage) |
 * | MeterValues (no tx)      | MeterValues (evseId, numeric values, unitOfMeasure)                   |
 * | Heartbeat, DataTransfer  | the same message                                                     |
 * | SecurityEventNotification | the same, the four event names 2.0.1 spells differently translated (certificates201.ts) |
 * | SignCertificate          | SignCertificate (certificateType ChargingStationCertificate)          |
 * | (Signed)FirmwareStatusNotification | FirmwareStatusNotification (status, requestId)               |
 * | LogStatusNotification    | LogStatusNotification (status, requestId)                             |
 * | StartTransaction, MeterValues (tx), StopTransaction | TransactionEvent Started / Updated / Ended (TransactionEvents.ts) |
 */
import type { Clock } from '../../../hal/index.js';
import { OcppLinkError } from '../errors.js';
import type { OcppCaller } from '../OcppCaller.js';
import type { OcppLink } from '../OcppLink.js';
import type { OcppLinkState } from '../OcppLinkTypes.js';
import type { TransactionSeqNos } from '../../store/TransactionSeqNos.js';
import type * as V16 from '../../ocpp16/messages.js';
import type { ComponentType, EventDataType, MeterValueType } from '../../ocpp201/messages.js';
import { call201 } from './call201.js';
import { securityEvent201 } from './certificates201.js';
import { connectorStatus201, idTagStatus16 } from './statusVocabulary.js';
import { TransactionEvents, meterValue201 } from './TransactionEvents.js';

/**
 * The component of the device that fails, as the HAL's fault (through its shared error code) tells
 * it: the 2.0.1 standard components of an EVSE (the lock belongs to the connector). A fault no
 * device is named for is the connector's (or, on the station, the ChargingStation's).
 */
const FAILING_DEVICE: Readonly<Record<string, { name: string; connector?: true }>> = {
  ConnectorLockFailure: { name: 'ConnectorPlugRetentionLock', connector: true },
  PowerMeterFailure: { name: 'FiscalMetering' },
  PowerSwitchFailure: { name: 'PowerContactor' },
  GroundFailure: { name: 'RCD' },
  OverCurrentFailure: { name: 'OverCurrentProtection' },
  EVCommunicationError: { name: 'CPPWMController' },
  HighTemperature: { name: 'TemperatureSensor' },
};

function failingComponent(errorCode: string, connectorId: number): ComponentType {
  if (connectorId === 0) return { name: errorCode === 'ReaderFailure' ? 'TokenReader' : 'ChargingStation' };
  const device = FAILING_DEVICE[errorCode];
  if (!device) return { name: 'Connector', evse: { id: connectorId, connectorId: 1 } };
  return { name: device.name, evse: device.connector ? { id: connectorId, connectorId: 1 } : { id: connectorId } };
}

type LinkView = Pick<OcppLink, 'call' | 'isAccepted' | 'state' | 'sendBootNotification' | 'sendHeartbeat' | 'on'>;

/** Offline periods remembered for the `offline` flag: events older than these were delivered long ago. */
const MAX_OFFLINE_PERIODS = 16;
/** Drivers' languages remembered (the latest authorizations). */
const MAX_LANGUAGES = 64;

export class Ocpp201Outbound implements OcppCaller {
  /** The journaled transaction messages as TransactionEvents. */
  readonly transactions: TransactionEvents;
  /**
   * connectorStatus last delivered per EVSE since the last accepted boot: the 1.6 phases of a
   * session (Preparing, Charging, Finishing …) are one "Occupied" in 2.0.1, said once.
   */
  private readonly lastStatus = new Map<number, string>();
  /** IdTokenInfo.language1 of the latest authorizations, by idTag (made at the first language told). */
  private languages: Map<string, string> | undefined;

  constructor(
    private readonly link: LinkView,
    private readonly clock: Pick<Clock, 'now'>,
    seqNos: TransactionSeqNos,
  ) {
    this.transactions = new TransactionEvents(link, seqNos, (at) => this.wasOffline(at));
    this.nextEventId = Math.floor(clock.now() / 1000) % 2_000_000_000;
    this.offline = [[clock.now(), Infinity]];
    // After each accepted boot every EVSE's status is reported again (StatusReporter.reportAll).
    link.on('accepted', () => this.lastStatus.clear());
    link.on('state', (state, previous) => {
      if (previous === 'accepted') this.offline.push([clock.now(), Infinity]);
      else if (state === 'accepted' && this.offline.length > 0) this.offline.at(-1)![1] = clock.now();
      if (this.offline.length > MAX_OFFLINE_PERIODS) this.offline.shift();
    });
  }

  driverLanguage(idTag: string): string | undefined {
    return this.languages?.get(idTag);
  }

  /** The problem last told per connector (0: the station), as `errorCode/info`; absent: none (made at the first problem). */
  private problems: Map<number, { errorCode: string; info: string | undefined }> | undefined;
  /** NotifyEvent eventIds: counted from the start time in s, so a restart does not reuse the last run's. */
  private nextEventId: number;

  /** One NotifyEvent of the station's own (a variable monitor that tripped), numbered like the hardware problems. */
  async notifyEvent(event: Omit<EventDataType, 'eventId'>): Promise<void> {
    await call201(this.link, 'NotifyEvent', { generatedAt: new Date(this.clock.now()).toISOString(), seqNo: 0, eventData: [{ eventId: this.nextEventId++, ...event }] });
  }

  /** The next StatusNotification of each EVSE goes out even if it repeats the last one (a TriggerMessage asked). */
  forgetSentStatuses(): void {
    this.lastStatus.clear();
  }

  /**
   * A problem the 1.6 status carries (errorCode other than NoError) as a NotifyEvent of the failing
   * component when it appears, changes or clears (OCPP 2.0.1 N07, hard-wired notification).
   */
  private async notifyProblem(p: V16.StatusNotificationRequest, timestamp: string): Promise<void> {
    const before = this.problems?.get(p.connectorId);
    const now = p.errorCode === 'NoError' ? undefined : { errorCode: p.errorCode, info: p.info };
    if (before?.errorCode === now?.errorCode && before?.info === now?.info) return;
    const told = now ?? before!;
    const component = failingComponent(told.errorCode, p.connectorId);
    await call201(this.link, 'NotifyEvent', {
      generatedAt: new Date(this.clock.now()).toISOString(),
      seqNo: 0,
      eventData: [{
        eventId: this.nextEventId++,
        timestamp,
        trigger: 'Alerting',
        actualValue: now ? 'true' : 'false',
        ...(now === undefined && { cleared: true }),
        techCode: told.errorCode,
        ...(told.info !== undefined && { techInfo: told.info.slice(0, 500) }),
        component,
        variable: { name: 'Problem' },
        eventNotificationType: 'HardWiredNotification',
      }],
    });
    if (now) (this.problems ??= new Map()).set(p.connectorId, now);
    else this.problems?.delete(p.connectorId);
  }

  /**
   * Periods [from, to) without an accepted registration, the newest last (only the last few); the
   * first from this charger's start until its first acceptance.
   */
  private readonly offline: [number, number][];

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
        const timestamp = p.timestamp ?? new Date(this.clock.now()).toISOString();
        if (p.connectorId !== 0 && this.lastStatus.get(p.connectorId) !== connectorStatus) {
          await call201(this.link, 'StatusNotification', { timestamp, connectorStatus, evseId: p.connectorId, connectorId: 1 });
          this.lastStatus.set(p.connectorId, connectorStatus);
        }
        await this.notifyProblem(p, timestamp);
        return {};
      }
      case 'Authorize': {
        // A remote start's own idToken (AuthCtrlr.AuthorizeRemoteStart), else a card's UID.
        const { idTag } = payload as V16.AuthorizeRequest;
        const idToken = this.transactions.remoteIdToken(idTag) ?? { idToken: idTag, type: 'ISO14443' };
        const { idTokenInfo } = await call201(this.link, 'Authorize', { idToken });
        this.languages?.delete(idTag);
        if (idTokenInfo.language1 !== undefined) (this.languages ??= new Map()).set(idTag, idTokenInfo.language1);
        if (this.languages && this.languages.size > MAX_LANGUAGES) this.languages.delete(this.languages.keys().next().value!);
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
      case 'SecurityEventNotification': {
        const p = payload as V16.SecurityEventNotificationRequest;
        await call201(this.link, 'SecurityEventNotification', { type: securityEvent201(p.type), timestamp: p.timestamp, ...(p.techInfo !== undefined && { techInfo: p.techInfo }) });
        return {};
      }
      case 'SignCertificate': {
        const { csr } = payload as V16.SignCertificateRequest;
        const { status } = await call201(this.link, 'SignCertificate', { csr, certificateType: 'ChargingStationCertificate' });
        return { status } satisfies V16.SignCertificateResponse;
      }
      case 'SignedFirmwareStatusNotification':
      case 'FirmwareStatusNotification': {
        // 2.0.1 firmware updates are all signed: the whitepaper's statuses are 2.0.1's.
        const p = payload as V16.SignedFirmwareStatusNotificationRequest;
        await call201(this.link, 'FirmwareStatusNotification', { status: p.status, ...(p.requestId !== undefined && { requestId: p.requestId }) });
        return {};
      }
      case 'LogStatusNotification': {
        const p = payload as V16.LogStatusNotificationRequest;
        await call201(this.link, 'LogStatusNotification', { status: p.status, ...(p.requestId !== undefined && { requestId: p.requestId }) });
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
