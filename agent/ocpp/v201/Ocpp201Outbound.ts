/**
 * What the shared services send, in OCPP 2.0.1 words. The services (StatusReporter, Authorizer,
 * MeterSampler, RemoteControl) speak to an {@link OcppCaller} in the shared vocabulary, which today
 * is OCPP 1.6's; on a 2.0.1 link this caller translates each message and its answer:
 *
 * | service sends            | 2.0.1 message                                                        |
 * |--------------------------|----------------------------------------------------------------------|
 * | StatusNotification       | StatusNotification (evseId = connectorId, connectorId 1, ConnectorStatusEnumType) when that changed; connectorId 0 has no 2.0.1 counterpart and is not sent |
 * | its errorCode / info     | NotifyEvent (queued, NotifyEvents.ts) when a problem appears or clears: the failing device's component (FiscalMetering, PowerContactor, ConnectorPlugRetentionLock …, else Connector; TokenReader for a card reader) variable Problem, techCode = the 1.6 errorCode, techInfo = the HAL fault's message |
 * | Authorize (idTag, kind)  | Authorize (authorizeToken: the idToken with its kind, ../../auth/idToken.ts); idTokenInfo back whole (statuses, cacheExpiryDateTime, groupIdToken, evseId), its language1 as the driver's language |
 * | MeterValues (no tx)      | MeterValues (evseId, numeric values, unitOfMeasure)                   |
 * | Heartbeat, DataTransfer  | the same message                                                     |
 * | SecurityEventNotification | the same, the four event names 2.0.1 spells differently translated (certificates201.ts) |
 * | SignCertificate          | SignCertificate (certificateType ChargingStationCertificate)          |
 * | (Signed)FirmwareStatusNotification | FirmwareStatusNotification (status, requestId)               |
 * | LogStatusNotification    | LogStatusNotification (status, requestId)                             |
 * | StartTransaction, MeterValues (tx), StopTransaction | TransactionEvent Started / Updated / Ended (TransactionEvents.ts) |
 */
import type { Logger } from 'pino';
import type { Clock } from '../../../hal/index.js';
import type { IdTagInfo } from '../../auth/AuthorizationCache.js';
import { UNTYPED_TOKEN_KIND, type IdTokenKind } from '../../auth/idToken.js';
import { OcppLinkError } from '../errors.js';
import type { OcppCaller } from '../OcppCaller.js';
import type { OcppLink } from '../OcppLink.js';
import type { OcppLinkState } from '../OcppLinkTypes.js';
import type { TransactionSeqNos } from '../../store/TransactionSeqNos.js';
import type * as V16 from '../../ocpp16/messages.js';
import type { ComponentType, EventDataType, MeterValueType } from '../../ocpp201/messages.js';
import { call201 } from './call201.js';
import { securityEvent201 } from './certificates201.js';
import { connectorStatus201, idTagStatus16, tokenInfo } from './statusVocabulary.js';
import { TransactionEvents, meterValue201 } from './TransactionEvents.js';
import type { DriverPorts } from '../DriverPorts.js';
import { tellPersonalMessage, tellTransactionAnswer } from './TariffCost201.js';
import type { TransactionEventRequest, TransactionEventResponse } from '../../ocpp201/messages.js';
import { HARDWARE_FAILURE, NotifyEvents, type QueuedNotifyEvent } from './NotifyEvents.js';
import { MemoryJournal, type TransactionJournal } from '../../store/TransactionJournal.js';
import type { OcppConfiguration } from '../../store/OcppConfiguration.js';
import type { VariableMonitorStore } from '../../store/VariableMonitorStore.js';

/** Where the NotifyEvents wait, and what decides which are kept (the level, OfflineQueuingSeverity). */
export interface NotifyEventSources {
  log: Logger;
  /** Absent: in memory, made with the first event. */
  queue?: TransactionJournal<QueuedNotifyEvent>;
  store: Pick<VariableMonitorStore, 'state'>;
  config: Pick<OcppConfiguration, 'getInt'>;
}

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

/**
 * The link as TransactionEvents sees it, telling the tariff and cost service what each
 * TransactionEvent's answer says of prices and costs (TariffCost201.ts) before the sender takes the
 * answer in: every event, whoever made it, and only answers the strict link validated.
 */
class CostsTold implements Pick<OcppLink, 'call'> {
  constructor(
    private readonly link: Pick<OcppLink, 'call'>,
    private readonly driver: DriverPorts,
  ) {}

  call<A extends V16.Ocpp16Action>(action: A, payload: V16.RequestOf<A>, after?: Promise<unknown>): Promise<V16.ResponseOf<A>> {
    const answer = this.link.call(action, payload, after);
    if ((action as string) !== 'TransactionEvent') return answer;
    const { driver } = this;
    return answer.then((response) => {
      const costs = driver.tariffCost;
      try {
        if (costs) tellTransactionAnswer(costs, payload as unknown as TransactionEventRequest, response as unknown as TransactionEventResponse);
      } catch {
        // What the driver is shown never holds up the transaction's messages.
      }
      return response;
    });
  }
}

/** What a status change tells the outbound translation (ConnectorController's StatusChange). */
interface StatusChangeSeen {
  connectorId: number;
  errorCode: string;
  info?: string;
  timestamp: number;
}

type LinkView = Pick<OcppLink, 'call' | 'isAccepted' | 'state' | 'sendBootNotification' | 'sendHeartbeat' | 'on'>;

/** No status delivered yet since the last accepted boot (shared; sentStatus makes a charger's own). */
const NO_STATUSES: readonly (string | undefined)[] = Object.freeze([]);

/** Offline periods remembered for the `offline` flag: events older than these were delivered long ago. */
const MAX_OFFLINE_PERIODS = 16;

export class Ocpp201Outbound implements OcppCaller {
  /** The journaled transaction messages as TransactionEvents. */
  readonly transactions: TransactionEvents;

  /** The transaction sender numbers and sends its journaled messages through these (OcppCaller.journaled). */
  get journaled(): TransactionEvents {
    return this.transactions;
  }
  /**
   * connectorStatus last delivered (or on its way) per EVSE since the last accepted boot: the 1.6
   * phases of a session (Preparing, Charging, Finishing …) are one "Occupied" in 2.0.1, said once.
   */
  private lastStatus: readonly (string | undefined)[] = NO_STATUSES;
  /** Identifiers have kinds on this link: the journaled transaction messages keep theirs. */
  readonly tokenKinds = true;

  /** Told after each accepted registration, once the statuses to send are settled (the version binding: its external limit, what the station kept). */
  afterAccepted: { linkAccepted(): void } | undefined;

  /** The NotifyEvents (monitor trips, hardware problems): made at the first (most fleet chargers never have one). */
  private notifying: NotifyEvents | undefined;

  constructor(
    private readonly link: LinkView,
    private readonly clock: Clock,
    seqNos: TransactionSeqNos,
    private readonly eventSources: NotifyEventSources,
    private readonly driver?: DriverPorts,
  ) {
    this.transactions = new TransactionEvents(driver ? new CostsTold(link, driver) : link, seqNos, this);
    // Events that waited through a restart go out after the first Accepted registration.
    if (eventSources.queue && eventSources.queue.pending().length > 0) void this.events;
    this.offline = [clock.now(), Infinity];
  }

  /**
   * The link's registration was accepted: told by the face before the link's listeners hear it
   * (Ocpp201Face.linkAccepted; no closure per charger), so before StatusReporter.reportAll, which
   * follows every accepted registration: which of those statuses go out ({@link reconnected}).
   */
  linkAccepted(booted: boolean): void {
    this.reconnected(booted);
    this.afterAccepted?.linkAccepted();
  }

  /** The link's state changed (told like linkAccepted, before 'accepted'): the offline periods, the outage that just ended among them. */
  linkState(state: OcppLinkState, previous: OcppLinkState): void {
    const { offline } = this;
    if (previous === 'accepted') offline.push(this.clock.now(), Infinity);
    else if (state === 'accepted' && offline.length > 0) offline[offline.length - 1] = this.clock.now();
    if (offline.length > 2 * MAX_OFFLINE_PERIODS) offline.splice(0, 2);
  }

  /**
   * Authorize of an identifier of a kind (C01, C02): a remote start's own idToken as the CSMS sent
   * it (with its additionalInfo), else the value with its kind (unknown: a card, ISO14443).
   */
  async authorizeToken(idTag: string, type: IdTokenKind | undefined): Promise<{ info: IdTagInfo; language?: string }> {
    const idToken = this.transactions.remoteIdToken(idTag, type) ?? { idToken: idTag, type: type ?? UNTYPED_TOKEN_KIND };
    const { idTokenInfo } = await call201(this.link, 'Authorize', { idToken });
    // I01: the driver's tariff, shown while the session of this idToken is prepared and runs.
    const costs = this.driver?.tariffCost;
    if (costs) tellPersonalMessage(costs, idTag, idTokenInfo);
    return { info: tokenInfo(idTokenInfo), ...(idTokenInfo.language1 !== undefined && { language: idTokenInfo.language1 }) };
  }

  /** Filtered by level, queued while offline, in order (NotifyEvents.ts). */
  private get events(): NotifyEvents {
    if (!this.notifying) {
      const { log, queue = new MemoryJournal<QueuedNotifyEvent>(), store, config } = this.eventSources;
      this.notifying = new NotifyEvents({ log, queue, link: this.link, clock: this.clock, level: () => store.state.level, offlineQueuingSeverity: () => config.getInt('OfflineQueuingSeverity') });
    }
    return this.notifying;
  }

  /** No more NotifyEvents sent (the charger stops; the queue stays). */
  stopEvents(): Promise<void> {
    return this.notifying?.stop() ?? Promise.resolve();
  }

  /** The problem last told per connector (0: the station), as `errorCode/info`; absent: none (made with the first problem). */
  private problems: Map<number, { errorCode: string; info: string | undefined }> | undefined;

  /** One NotifyEvent of the station's own (a variable monitor that tripped), numbered and queued like the hardware problems. */
  notifyEvent(severity: number, event: Omit<EventDataType, 'eventId'>): void {
    this.events.raise(severity, event);
  }

  /**
   * After a BootNotification every EVSE's status goes out (B01, G01). After a reconnection without
   * one (B04): after an outage longer than OCPPCommCtrlr.OfflineThreshold every EVSE's too
   * (B04.FR.01), after a shorter one only those not the CSMS's last word on them — changed while
   * offline, or sent when the connection dropped and not answered (B04.FR.02). The reporter offers
   * every EVSE's status; {@link translate} lets through those that differ from {@link lastStatus}.
   */
  private reconnected(booted: boolean): void {
    const { offline } = this;
    const from = offline[offline.length - 2] ?? 0;
    const to = offline[offline.length - 1] ?? 0;
    const thresholdS = this.eventSources.config.getInt('OfflineThreshold');
    if (booted || to - from > thresholdS * 1000) {
      this.lastStatus = NO_STATUSES;
      return;
    }
    this.eventSources.log.info({ offlineMs: to - from, offlineThresholdS: thresholdS }, 'reconnected within OfflineThreshold: only changed statuses are sent');
  }

  /** The next StatusNotification of each EVSE goes out even if it repeats the last one (a TriggerMessage asked). */
  forgetSentStatuses(): void {
    this.lastStatus = NO_STATUSES;
  }

  /**
   * A connector's (or the station's) status changed: its problem is told at once, also while the
   * station is offline (the StatusNotification itself is not sent then; the event waits in the queue).
   */
  statusChanged(change: StatusChangeSeen): void {
    this.notifyProblem({ connectorId: change.connectorId, errorCode: change.errorCode, info: change.info }, new Date(change.timestamp).toISOString());
  }

  /**
   * A problem the 1.6 status carries (errorCode other than NoError) as a NotifyEvent of the failing
   * component when it appears, changes or clears (OCPP 2.0.1 N07, hard-wired notification); told
   * once, by the status change, not by a StatusNotification sent later (it may be of a status
   * already gone: a Finishing queued before the Faulted that followed it at once).
   */
  private notifyProblem(p: { connectorId: number; errorCode: string; info?: string | undefined }, timestamp: string): void {
    const before = this.problems?.get(p.connectorId);
    const now = p.errorCode === 'NoError' ? undefined : { errorCode: p.errorCode, info: p.info };
    if (before?.errorCode === now?.errorCode && before?.info === now?.info) return;
    const told = now ?? before!;
    const component = failingComponent(told.errorCode, p.connectorId);
    // Told once: the event queue keeps it until the CSMS has it (NotifyEvents.ts).
    if (now) (this.problems ??= new Map()).set(p.connectorId, now);
    else this.problems?.delete(p.connectorId);
    this.events.raise(HARDWARE_FAILURE, {
      timestamp,
      trigger: 'Alerting',
      actualValue: now ? 'true' : 'false',
      ...(now === undefined && { cleared: true }),
      techCode: told.errorCode,
      ...(told.info !== undefined && { techInfo: told.info.slice(0, 500) }),
      component,
      variable: { name: 'Problem' },
      eventNotificationType: 'HardWiredNotification',
    });
  }

  /** Remembers an EVSE's status as delivered, in an array just long enough (a Map costs ≈ 190 B, a pushed-to array ≈ 170 B). */
  private sentStatus(evseId: number, status: string | undefined): void {
    const before = this.lastStatus;
    const after = Array.from({ length: Math.max(before.length, evseId + 1) }, (_, i) => before[i]);
    after[evseId] = status;
    this.lastStatus = after;
  }

  /**
   * Periods [from, to) without an accepted registration, the newest last (only the last few); the
   * first from this charger's start until its first acceptance. Flat, from0, to0, from1, to1 …: one
   * array of numbers, not an array of pairs (≈ 60 B per charger of a fleet).
   */
  private readonly offline: number[];

  /** Whether the station was offline at `at` (ms): a TransactionEvent of that time carries offline = true. */
  wasOffline(at: number): boolean {
    const { offline } = this;
    for (let i = 0; i + 1 < offline.length; i += 2) if (at >= offline[i]! && at < offline[i + 1]!) return true;
    return false;
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
        // Its problem (errorCode) was told by the status change itself (statusChanged).
        if (p.connectorId !== 0 && this.lastStatus[p.connectorId] !== connectorStatus) {
          // The CSMS's from the moment it is queued, so a repeat queued behind it is not sent
          // (statuses kept through an outage go to the link together); the one before again when it fails.
          const before = this.lastStatus[p.connectorId];
          this.sentStatus(p.connectorId, connectorStatus);
          try {
            await call201(this.link, 'StatusNotification', { timestamp, connectorStatus, evseId: p.connectorId, connectorId: 1 });
          } catch (err) {
            if (this.lastStatus[p.connectorId] === connectorStatus) this.sentStatus(p.connectorId, before);
            throw err;
          }
        }
        return {};
      }
      case 'Authorize': {
        // The services use authorizeToken; an Authorize in 1.6 words is an identifier of unknown kind.
        const { info } = await this.authorizeToken((payload as V16.AuthorizeRequest).idTag, undefined);
        return {
          idTagInfo: {
            status: idTagStatus16(info.status),
            ...(info.expiryDate !== undefined && { expiryDate: info.expiryDate }),
            ...(info.parentIdTag !== undefined && { parentIdTag: info.parentIdTag }),
          },
        } satisfies V16.AuthorizeResponse;
      }
      case 'MeterValues': {
        const p = payload as V16.MeterValuesRequest;
        if (p.transactionId !== undefined) return this.transactions.updated({ kind: 'meter', localId: '', connectorId: p.connectorId, payload: p }, p.transactionId);
        const values = p.meterValue.filter((mv) => mv.sampledValue.length > 0).map(meterValue201);
        if (values.length === 0) return {};
        await call201(this.link, 'MeterValues', { evseId: p.connectorId, meterValue: values as [MeterValueType, ...MeterValueType[]] });
        return {};
      }
      // Journaled messages come through `journaled` (numbered when journaled); these are numbered now.
      case 'StartTransaction': {
        const p = payload as V16.StartTransactionRequest;
        return this.transactions.started({ kind: 'start', localId: '', connectorId: p.connectorId, payload: p });
      }
      case 'StopTransaction': {
        const { transactionId, ...p } = payload as V16.StopTransactionRequest;
        return this.transactions.ended({ kind: 'stop', localId: '', connectorId: 0, payload: p }, transactionId);
      }
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
