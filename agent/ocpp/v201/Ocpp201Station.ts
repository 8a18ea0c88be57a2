/**
 * The charging station as the OCPP 2.0.1 handlers see it ({@link StationControl}), over the same
 * services the 1.6 face uses: availability and resets through the charger's RemoteControl and
 * SessionService (so "Scheduled while a transaction runs" is decided once, for both versions), the
 * device model over the stored configuration, and NotifyReport pages through the link.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../../hal/index.js';
import type { CertificateControl, ChargePointControl } from '../v16/ChargePointControl.js';
import type { ChargingProfile } from '../../chargingLimits/chargingProfile.js';
import type { FirmwareService } from '../../firmware/FirmwareService.js';
import type {
  ChangeAvailabilityStatusEnumType,
  GenericDeviceModelStatusEnumType,
  RequestStartStopStatusEnumType,
  RequestStartTransactionRequest,
  DataTransferRequest,
  DataTransferResponse,
  GetReportRequest,
  GetTransactionStatusResponse,
  MessageTriggerEnumType,
  SendLocalListRequest,
  SendLocalListStatusEnumType,
  TriggerMessageStatusEnumType,
  UnlockStatusEnumType,
  ReportBaseEnumType,
  ResetEnumType,
  ResetStatusEnumType,
  GetMonitoringReportRequest,
  ReportDataType,
  CustomerInformationRequest,
  CustomerInformationStatusEnumType,
} from '../../ocpp201/messages.js';
import type { Customer } from '../../sessions/customerData.js';
import { BYTES_PER_MESSAGE, payloadBytes } from './deviceModelVariables.js';
import type { VariableMonitorStore } from '../../store/VariableMonitorStore.js';
import { monitoringReportPages, sendMonitoringReport } from './monitoringReport201.js';
import type { OcppLink } from '../OcppLink.js';
import type { DeviceModel } from './DeviceModel.js';
import { call201, sendPages } from './call201.js';
import type { StationControl } from './StationControl.js';
import type { RemoteStart, TransactionEvents } from './TransactionEvents.js';
import { localListUpdate } from './statusVocabulary.js';
import { SmartCharging201 } from './SmartCharging201.js';
import { Reservations201, type TransactionNews } from './Reservations201.js';
import { Monitoring201, type Monitoring201Parts } from './Monitoring201.js';
import type { EnergyMeter } from '../../../hal/index.js';
import type { StatusChange } from '../../charging/ConnectorController.js';
import type { DisplayMessagePort, DriverPorts, TariffCostPort } from '../DriverPorts.js';
import type { MessageInfoType } from '../../ocpp201/messages.js';

export interface Ocpp201StationParts {
  log: Logger;
  clock: Clock;
  deviceModel: DeviceModel;
  /** The charger's remote control service (availability, reset) — the one the 1.6 handlers use. */
  control: Pick<ChargePointControl, 'changeAvailability' | 'reset' | 'connectorCount' | 'remoteStart' | 'remoteStop' | 'startAnswered' | 'trigger' | 'unlockConnector' | 'clearCache' | 'customerData' | 'config' | 'chargingLimits' | 'reserveNow' | 'cancelReservation' | 'certificates'>
    & Required<Pick<ChargePointControl, 'sendLocalList' | 'localListVersion'>>
    & { firmware?: Pick<FirmwareService, 'request' | 'current'> | undefined; diagnostics?: ChargePointControl['diagnostics'] }
    & { dataTransfer(req: { vendorId: string; messageId?: string; data?: string }): Promise<{ status: DataTransferResponse['status']; data?: string }> };
  /** Whether the registration is Accepted now. */
  isAccepted(): boolean;
  /** The transaction running on an EVSE (its shared number), if any. */
  transactionOn(evseId: number): number | undefined;
  /** Transaction messages not yet confirmed by the CSMS: of the transaction with this id, or of all. */
  undelivered(transactionId?: string): number;
  /** The next StatusNotifications go out even if they repeat the last one (a triggered report). */
  forgetSentStatuses(): void;
  /** Where a remote start's remoteStartId waits for its TransactionEvent Started. */
  transactionEvents: Pick<TransactionEvents, 'expectRemoteStart' | 'forgetRemoteStart'>;
  /** Whether a transaction runs on any connector now. */
  transactionRunning(): boolean;
  /** The charger's `transaction` events (a scheduled reset waits for the last one to end). */
  events: {
    on(event: 'transaction', listener: (e: TransactionNews) => void): unknown;
    off(event: 'transaction', listener: (e: TransactionNews) => void): unknown;
    on(event: 'status', listener: (change: StatusChange) => void): unknown;
    off(event: 'status', listener: (change: StatusChange) => void): unknown;
    /** The charging-limit service's new limits (an external limit is told to the CSMS: ExternalLimits201). */
    on(event: 'limit', listener: (limit: { sources: { localLimit?: number } }) => void): unknown;
    off(event: 'limit', listener: (limit: { sources: { localLimit?: number } }) => void): unknown;
  };
  link: Pick<OcppLink, 'call'>;
  /** The link's connection profiles (SetNetworkProfile) and the slot of the connection in use. */
  connection: Pick<OcppLink, 'connectionSlot' | 'connectionProfiles'>;
  /** Reports one NotifyEvent of a variable monitor (Monitoring201), through the event queue. */
  notifyEvent: Monitoring201Parts['notifyEvent'];
  /** The variable monitors and monitoring settings (persisted). */
  monitors: VariableMonitorStore;
  /** An EVSE's hardware maximum current, A (the preconfigured over-current monitor). */
  maxCurrentA(evseId: number): number;
  /** The EVSEs' meters (EVSE n is connector n). */
  hardware: readonly { connectorId: number; meter: Pick<EnergyMeter, 'read' | 'lastReading' | 'on' | 'off'> }[];
  /** Resets one EVSE (its transaction ended first, ImmediateReset); resolves when it runs again. */
  resetEvse(evseId: number): Promise<boolean>;
  /** Told before a reset or a triggered boot: what the next BootNotification gives as its reason. */
  rebootingFor(reason: 'RemoteReset' | 'Triggered'): void;
  /** The display and pricing services, while they run (../DriverPorts.ts). */
  driver: DriverPorts;
}

/** NotifyCustomerInformation.data holds at most 512 characters: the text in pieces of that size. */
export function customerInformationPages(text: string): string[] {
  const chars = Array.from(text);
  const pages: string[] = [];
  for (let at = 0; at < chars.length; at += 512) pages.push(chars.slice(at, at + 512).join(''));
  return pages.length > 0 ? pages : [''];
}

/**
 * NotifyReport pages of at most `size` entries (ItemsPerMessage[GetReport]) whose payload takes at
 * most BytesPerMessage[GetReport] bytes; an entry larger than that alone (none of ours is) is a
 * page of its own.
 */
export function reportPages(requestId: number, generatedAt: string, items: readonly ReportDataType[], size: number): ReportDataType[][] {
  const limit = BYTES_PER_MESSAGE.GetReport;
  // The page without entries, with the longest seqNo and tbc a page can have.
  const frame = payloadBytes({ requestId, generatedAt, seqNo: items.length, tbc: false, reportData: [] });
  const pages: ReportDataType[][] = [];
  let page: ReportDataType[] = [];
  let bytes = frame;
  for (const item of items) {
    const itemBytes = payloadBytes(item);
    // + 1: the comma between entries.
    if (page.length > 0 && (page.length >= size || bytes + 1 + itemBytes > limit)) {
      pages.push(page);
      page = [];
      bytes = frame;
    }
    bytes += itemBytes + (page.length > 0 ? 1 : 0);
    page.push(item);
  }
  if (page.length > 0) pages.push(page);
  return pages;
}

/** Display messages per NotifyDisplayMessages: a few, as each may hold 512 characters. */
const DISPLAY_MESSAGES_PER_PAGE = 10;

export class Ocpp201Station implements StationControl {
  private onIdleReset: (() => void) | undefined;
  /** EVSE resets waiting for that EVSE's transaction to end (OnIdle), by EVSE (made on the first). */
  private onIdleEvseResets: Map<number, () => void> | undefined;
  private charging: SmartCharging201 | undefined;
  /** Made at the first ReserveNow (most chargers never see one). */
  private held: Reservations201 | undefined;
  /** The variable monitors: made at once, as persisted and preconfigured monitors watch from the start. */
  private watching: Monitoring201 | undefined;
  /** Made with the reservations (below). */
  private onStatus: ((change: StatusChange) => void) | undefined;

  constructor(private readonly p: Ocpp201StationParts) {
    // Monitors kept from the last run watch from the start; otherwise the monitoring is made at
    // the first monitoring call or transaction (an idle charger of a fleet never needs it).
    if (p.monitors.state.monitors.length > 0) this.watching = new Monitoring201(p);
  }

  /**
   * One of the charger's `transaction` events, told by the owner before their listeners hear them
   * (versionFace.ts, heard): the station does not listen itself (a listener array per charger fewer
   * in a fleet; docs/fleet.md).
   */
  transaction(e: TransactionNews & { connectorId?: number }): void {
    this.held?.transaction(e);
    // A transaction starting wakes the preconfigured monitors (unless the base is HardWiredOnly).
    if (this.watching || (e.event === 'started' && this.p.monitors.state.base !== 'HardWiredOnly')) this.monitoring.transaction(e);
  }

  /** The variable monitors (Monitoring201). */
  get monitoring(): Monitoring201 {
    return (this.watching ??= new Monitoring201(this.p));
  }

  /** Made at the first smart-charging call (a fleet's chargers mostly never get one). */
  get smartCharging(): SmartCharging201 | undefined {
    const limits = this.p.control.chargingLimits;
    return limits && (this.charging ??= new SmartCharging201({ log: this.p.log, limits, evseCount: this.p.control.connectorCount, transactionOn: (evseId) => this.p.transactionOn(evseId), link: this.p.link }));
  }

  get certificates(): CertificateControl | undefined {
    return this.p.control.certificates;
  }

  get networkProfiles(): StationControl['networkProfiles'] {
    const { connection } = this.p;
    const profiles = connection.connectionProfiles;
    return profiles && { propose: (slot, profile) => profiles.propose(slot, profile, connection.connectionSlot) };
  }

  get firmware(): Pick<FirmwareService, 'request' | 'current'> | undefined {
    return this.p.control.firmware;
  }

  get diagnostics(): ChargePointControl['diagnostics'] {
    return this.p.control.diagnostics;
  }

  get reservations(): Reservations201 {
    if (!this.held) {
      const held = new Reservations201({ log: this.p.log, clock: this.p.clock, control: this.p.control, link: this.p.link });
      this.held = held;
      this.onStatus = (change) => held.statusChanged(change);
      this.p.events.on('status', this.onStatus);
    }
    return this.held;
  }

  get log(): Logger {
    return this.p.log;
  }

  /** The registration is accepted (again): what waited for it goes out (QueueAllMessages: reservation updates). */
  accepted(): void {
    this.held?.accepted();
  }

  get displayMessages(): DisplayMessagePort | undefined {
    return this.p.driver.displayMessages;
  }

  get tariffCost(): TariffCostPort | undefined {
    return this.p.driver.tariffCost;
  }

  now(): string {
    return new Date(this.p.clock.now()).toISOString();
  }

  reportDisplayMessages(requestId: number, messages: readonly MessageInfoType[]): void {
    // After the answer is out; a page that fails ends the report.
    const count = Math.ceil(messages.length / DISPLAY_MESSAGES_PER_PAGE);
    setImmediate(() => void sendPages(this.p.link, this.p.log, { action: 'NotifyDisplayMessages', requestId, count }, (seqNo, last) => ({
      requestId,
      messageInfo: messages.slice(seqNo * DISPLAY_MESSAGES_PER_PAGE, (seqNo + 1) * DISPLAY_MESSAGES_PER_PAGE) as [MessageInfoType, ...MessageInfoType[]],
      ...(!last && { tbc: true }),
    })));
  }

  get deviceModel(): DeviceModel {
    return this.p.deviceModel;
  }

  get evseCount(): number {
    return this.p.control.connectorCount;
  }

  baseReport(requestId: number, base: ReportBaseEnumType): GenericDeviceModelStatusEnumType {
    return this.report(requestId, this.p.deviceModel.report(base));
  }

  /** GetReport (B08): the components meeting the criteria, the variables asked for; paged as a base report. */
  getReport(request: GetReportRequest): GenericDeviceModelStatusEnumType {
    return this.report(request.requestId, this.p.deviceModel.select(request.componentCriteria, request.componentVariable));
  }

  private report(requestId: number, items: ReturnType<DeviceModel['report']>): GenericDeviceModelStatusEnumType {
    if (items.length === 0) return 'EmptyResultSet';
    const size = Math.max(1, Number(this.p.deviceModel.get({ component: { name: 'DeviceDataCtrlr' }, variable: { name: 'ItemsPerMessage', instance: 'GetReport' } }).attributeValue));
    const generatedAt = new Date(this.p.clock.now()).toISOString();
    const pages = reportPages(requestId, generatedAt, items, size);
    // After the answer is out.
    setImmediate(() => void this.sendReport(requestId, generatedAt, pages));
    return 'Accepted';
  }

  /** The pages in order, seqNo 0.., tbc on all but the last; a page that fails ends the report. */
  private sendReport(requestId: number, generatedAt: string, pages: ReportDataType[][]): Promise<void> {
    return sendPages(this.p.link, this.p.log, { action: 'NotifyReport', requestId, count: pages.length }, (seqNo, last) => ({
      requestId, generatedAt, seqNo, tbc: !last, reportData: pages[seqNo] as [ReportDataType, ...ReportDataType[]],
    }));
  }

  monitoringReport(request: GetMonitoringReportRequest): GenericDeviceModelStatusEnumType {
    // Pages of DeviceDataCtrlr.ItemsPerMessage[GetReport] monitors, as the base report's.
    const size = Math.max(1, Number(this.p.deviceModel.get({ component: { name: 'DeviceDataCtrlr' }, variable: { name: 'ItemsPerMessage', instance: 'GetReport' } }).attributeValue));
    const pages = monitoringReportPages(this.monitoring.list(), request.monitoringCriteria, request.componentVariable, size);
    if (pages.length === 0) return 'EmptyResultSet';
    const generatedAt = new Date(this.p.clock.now()).toISOString();
    setImmediate(() => void sendMonitoringReport(this.p.link, this.p.log, { requestId: request.requestId, generatedAt, pages }));
    return 'Accepted';
  }

  reset(type: ResetEnumType): ResetStatusEnumType {
    if (type === 'Immediate' || !this.p.transactionRunning()) return this.resetNow();
    // OnIdle with a transaction running: once none runs. A second OnIdle changes nothing.
    if (this.onIdleReset) return 'Scheduled';
    this.onIdleReset = () => {
      if (this.p.transactionRunning() || !this.onIdleReset) return;
      this.p.events.off('transaction', this.onIdleReset);
      this.onIdleReset = undefined;
      this.p.log.info('scheduled Reset OnIdle: the last transaction ended, resetting');
      this.resetNow();
    };
    this.p.events.on('transaction', this.onIdleReset);
    return 'Scheduled';
  }

  /**
   * Reset of one EVSE (B11/B12 with evseId): Immediate ends its transaction (stoppedReason
   * ImmediateReset) and resets it at once; OnIdle does so at once when no transaction runs there,
   * else it is Scheduled and carried out when that transaction ends. The other EVSEs and the
   * connection are untouched. The caller checks that the EVSE exists.
   */
  resetEvse(type: ResetEnumType, evseId: number): ResetStatusEnumType {
    const resetNow = () => {
      void this.p.resetEvse(evseId).then((done) => {
        if (!done) this.p.log.warn({ evseId }, 'EVSE reset not carried out');
      });
    };
    if (type === 'Immediate' || this.p.transactionOn(evseId) === undefined) {
      // After the answer is out, as for the station.
      setImmediate(resetNow);
      return 'Accepted';
    }
    const waiting = (this.onIdleEvseResets ??= new Map());
    if (waiting.has(evseId)) return 'Scheduled';
    const onTransaction = (): void => {
      if (this.p.transactionOn(evseId) !== undefined || waiting.get(evseId) !== onTransaction) return;
      this.p.events.off('transaction', onTransaction);
      waiting.delete(evseId);
      this.p.log.info({ evseId }, 'scheduled Reset OnIdle of an EVSE: its transaction ended, resetting it');
      resetNow();
    };
    waiting.set(evseId, onTransaction);
    this.p.events.on('transaction', onTransaction);
    return 'Scheduled';
  }

  /** A 2.0.1 reset restarts the station; the 1.6 Hard reset does exactly that (transactions end first). */
  private resetNow(): ResetStatusEnumType {
    this.p.rebootingFor('RemoteReset');
    return this.p.control.reset('Hard');
  }

  /**
   * Through the session service, as a 1.6 RemoteStartTransaction: authorized per
   * AuthCtrlr.AuthorizeRemoteStart (AuthorizeRemoteTxRequests), on the EVSE asked for or the one the
   * service chooses. A chargingProfile must be a TxProfile without a transactionId; it becomes the
   * TxProfile of the session started, in force before the contactor closes (as in 1.6).
   */
  async remoteStart(request: RequestStartTransactionRequest): Promise<RequestStartStopStatusEnumType> {
    const evseId = request.evseId ?? 0;
    let txProfile: ChargingProfile | undefined;
    if (request.chargingProfile) {
      const made = this.smartCharging?.remoteStartProfile(request.chargingProfile, request.evseId) ?? { problem: 'smart charging is not supported' };
      if ('problem' in made) {
        this.p.log.info({ idToken: request.idToken.idToken, profileId: request.chargingProfile.id }, `RequestStartTransaction rejected: ${made.problem}`);
        return 'Rejected';
      }
      txProfile = made.profile;
    }
    const start: RemoteStart = { remoteStartId: request.remoteStartId, idToken: request.idToken };
    this.p.transactionEvents.expectRemoteStart(evseId, start);
    const status = await this.p.control.remoteStart({ idTag: request.idToken.idToken, idTokenType: request.idToken.type, ...(request.evseId !== undefined && { connectorId: request.evseId }) }, txProfile);
    if (status !== 'Accepted') this.p.transactionEvents.forgetRemoteStart(evseId, start);
    return status;
  }

  trigger(message: MessageTriggerEnumType, evseId?: number): TriggerMessageStatusEnumType {
    if (evseId !== undefined && !(evseId >= 1 && evseId <= this.evseCount)) return 'Rejected';
    switch (message) {
      case 'BootNotification':
        // Already registered: nothing to boot for.
        if (this.p.isAccepted()) return 'Rejected';
        this.p.rebootingFor('Triggered');
        return this.p.control.trigger('BootNotification');
      case 'Heartbeat':
        return this.p.control.trigger('Heartbeat');
      case 'StatusNotification':
        this.p.forgetSentStatuses();
        return this.p.control.trigger('StatusNotification', evseId);
      case 'MeterValues':
        return this.p.control.trigger('MeterValues', evseId);
      case 'TransactionEvent': {
        // An Updated event (triggerReason Trigger) for the transaction(s) running on the EVSE(s) asked.
        const evses = evseId !== undefined ? [evseId] : Array.from({ length: this.evseCount }, (_, i) => i + 1);
        const running = evses.filter((e) => this.p.transactionOn(e) !== undefined);
        if (running.length === 0) return 'Rejected';
        for (const e of running) this.p.control.trigger('MeterValues', e);
        return 'Accepted';
      }
      case 'FirmwareStatusNotification': {
        // F06 with L01: the update under way with its requestId, else Idle.
        const { status, requestId } = this.p.control.firmware?.current(true) ?? { status: 'Idle' as const };
        setImmediate(() => void call201(this.p.link, 'FirmwareStatusNotification', { status, ...(requestId !== undefined && { requestId }) }).catch(() => undefined));
        return 'Accepted';
      }
      case 'LogStatusNotification':
        // The GetLog upload under way with its requestId, else Idle (the shared trigger, said in 2.0.1 words).
        return this.p.control.trigger('LogStatusNotification');
      case 'SignChargingStationCertificate':
        // A02: a new key pair and CSR; SignCertificate follows the answer.
        return this.p.control.certificates?.requestSigning() ?? 'NotImplemented';
      default:
        return 'NotImplemented';
    }
  }

  async unlock(evseId: number): Promise<UnlockStatusEnumType> {
    if (!(evseId >= 1 && evseId <= this.evseCount)) return 'UnknownConnector';
    // OCPP 2.0.1 F05: a connector under a running transaction is not released (1.6 would stop the transaction).
    if (this.p.transactionOn(evseId) !== undefined) return 'OngoingAuthorizedTransaction';
    const status = await this.p.control.unlockConnector(evseId);
    return status === 'Unlocked' ? 'Unlocked' : 'UnlockFailed';
  }

  clearCache(): Promise<'Accepted' | 'Rejected'> {
    if (!this.p.control.config.getBool('AuthorizationCacheEnabled')) return Promise.resolve('Rejected');
    return this.p.control.clearCache();
  }

  /**
   * CustomerInformation (N09 / N10): Rejected when neither a report nor a clear is asked (N09.FR.07,
   * N10.FR.07), Invalid unless exactly one reference to the customer is given; else Accepted, and
   * after the answer what is kept of the customer is erased where it may be (clear) and told in
   * NotifyCustomerInformation: the lines (report), or only that it was cleared. This station keeps
   * customers by their idToken alone: a customerIdentifier or customerCertificate finds nothing.
   */
  customerInformation(request: CustomerInformationRequest): CustomerInformationStatusEnumType {
    const { requestId, report, clear, idToken, customerIdentifier, customerCertificate } = request;
    const find = this.p.control.customerData?.bind(this.p.control);
    if (!find || (!report && !clear)) return 'Rejected';
    if ([idToken, customerIdentifier, customerCertificate].filter((r) => r !== undefined).length !== 1) return 'Invalid';
    const who: Customer | undefined = idToken && { idTag: idToken.idToken, type: idToken.type as Customer['type'] };
    setImmediate(() => void (async () => {
      const lines = who ? await find(who, clear) : [];
      const text = lines.length === 0 ? 'No data is kept of this customer on this charging station.' : report ? lines.join('\n') : 'The data kept of this customer was cleared where it may be.';
      const generatedAt = new Date(this.p.clock.now()).toISOString();
      const pages = customerInformationPages(text);
      await sendPages(this.p.link, this.p.log, { action: 'NotifyCustomerInformation', requestId, count: pages.length }, (seqNo, last) => ({
        requestId, seqNo, generatedAt, data: pages[seqNo]!, ...(!last && { tbc: true }),
      }));
    })());
    return 'Accepted';
  }

  localListVersion(): number {
    return this.p.control.config.getBool('LocalAuthListEnabled') ? this.p.control.localListVersion() : 0;
  }

  /** Into the shared list: each idToken with its kind, its idTokenInfo whole (statusVocabulary.ts). */
  async sendLocalList(request: SendLocalListRequest): Promise<SendLocalListStatusEnumType> {
    if (!this.p.control.config.getBool('LocalAuthListEnabled')) return 'Failed';
    const status = await this.p.control.sendLocalList(localListUpdate(request));
    return status === 'Accepted' || status === 'VersionMismatch' ? status : 'Failed';
  }

  /** The vendor handlers take and give text: structured 2.0.1 data is passed as its JSON. */
  async dataTransfer(request: DataTransferRequest): Promise<DataTransferResponse> {
    const data = request.data === undefined ? undefined : typeof request.data === 'string' ? request.data : JSON.stringify(request.data);
    const answer = await this.p.control.dataTransfer({ vendorId: request.vendorId, ...(request.messageId !== undefined && { messageId: request.messageId }), ...(data !== undefined && { data }) });
    return { status: answer.status, ...(answer.data !== undefined && { data: answer.data as unknown as DataTransferResponse['data'] }) };
  }

  transactionStatus(transactionId?: string): GetTransactionStatusResponse {
    // Of the transaction asked about only (E14); without one, of any transaction.
    const messagesInQueue = this.p.undelivered(transactionId) > 0;
    if (transactionId === undefined) return { messagesInQueue };
    const ongoingIndicator = Array.from({ length: this.evseCount }, (_, i) => this.p.transactionOn(i + 1)).some((n) => n !== undefined && String(n) === transactionId);
    return { ongoingIndicator, messagesInQueue };
  }

  /**
   * Transaction ids are the station's own (TransactionEvents.ts): the decimal form of the shared
   * number. A CSMS may send this right after answering the Started, and both may arrive in one
   * read, before the answer is taken in: an unknown id is decided again once the Started in flight
   * is answered (as RemoteStopTransaction in 1.6).
   */
  async remoteStop(transactionId: string): Promise<RequestStartStopStatusEnumType> {
    if (!/^\d{1,16}$/.test(transactionId)) return 'Rejected';
    const status = this.p.control.remoteStop(Number(transactionId));
    const answered = status === 'Rejected' ? this.p.control.startAnswered?.() : undefined;
    if (!answered) return status;
    await answered;
    return this.p.control.remoteStop(Number(transactionId));
  }

  changeAvailability(evseId: number, operative: boolean): ChangeAvailabilityStatusEnumType {
    return this.p.control.changeAvailability(evseId, operative);
  }

  /** Drops a scheduled reset (the charger stops). */
  dispose(): void {
    if (this.onIdleReset) this.p.events.off('transaction', this.onIdleReset);
    this.onIdleReset = undefined;
    for (const listener of this.onIdleEvseResets?.values() ?? []) this.p.events.off('transaction', listener);
    this.onIdleEvseResets = undefined;
    if (this.onStatus) this.p.events.off('status', this.onStatus);
    this.held?.dispose();
    this.watching?.dispose();
  }
}
