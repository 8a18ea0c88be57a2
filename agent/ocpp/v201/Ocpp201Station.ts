/**
 * The charging station as the OCPP 2.0.1 handlers see it ({@link StationControl}), over the same
 * services the 1.6 face uses: availability and resets through the charger's RemoteControl and
 * SessionService (so "Scheduled while a transaction runs" is decided once, for both versions), the
 * device model over the stored configuration, and NotifyReport pages through the link.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../../hal/index.js';
import type { ChargePointControl } from '../v16/ChargePointControl.js';
import type {
  ChangeAvailabilityStatusEnumType,
  GenericDeviceModelStatusEnumType,
  RequestStartStopStatusEnumType,
  RequestStartTransactionRequest,
  ReportBaseEnumType,
  ResetEnumType,
  ResetStatusEnumType,
} from '../../ocpp201/messages.js';
import type { OcppLink } from '../OcppLink.js';
import type { DeviceModel } from './DeviceModel.js';
import { call201 } from './call201.js';
import type { StationControl } from './StationControl.js';
import type { RemoteStart, TransactionEvents } from './TransactionEvents.js';

export interface Ocpp201StationParts {
  log: Logger;
  clock: Clock;
  deviceModel: DeviceModel;
  /** The charger's remote control service (availability, reset) — the one the 1.6 handlers use. */
  control: Pick<ChargePointControl, 'changeAvailability' | 'reset' | 'connectorCount' | 'remoteStart' | 'remoteStop'>;
  /** Where a remote start's remoteStartId waits for its TransactionEvent Started. */
  transactionEvents: Pick<TransactionEvents, 'expectRemoteStart' | 'forgetRemoteStart'>;
  /** Whether a transaction runs on any connector now. */
  transactionRunning(): boolean;
  /** The charger's `transaction` events (a scheduled reset waits for the last one to end). */
  events: { on(event: 'transaction', listener: () => void): unknown; off(event: 'transaction', listener: () => void): unknown };
  link: Pick<OcppLink, 'call'>;
  /** Told before a reset, so the next BootNotification says RemoteReset. */
  rebooting(): void;
}

export class Ocpp201Station implements StationControl {
  private onIdleReset: (() => void) | undefined;

  constructor(private readonly p: Ocpp201StationParts) {}

  get log(): Logger {
    return this.p.log;
  }

  get deviceModel(): DeviceModel {
    return this.p.deviceModel;
  }

  get evseCount(): number {
    return this.p.control.connectorCount;
  }

  baseReport(requestId: number, base: ReportBaseEnumType): GenericDeviceModelStatusEnumType {
    const items = this.p.deviceModel.report(base);
    if (items.length === 0) return 'EmptyResultSet';
    const size = Math.max(1, Number(this.p.deviceModel.get({ component: { name: 'DeviceDataCtrlr' }, variable: { name: 'ItemsPerMessage', instance: 'GetReport' } }).attributeValue));
    const generatedAt = new Date(this.p.clock.now()).toISOString();
    // After the answer is out.
    setImmediate(() => void this.sendReport(requestId, generatedAt, items, size));
    return 'Accepted';
  }

  /** The pages in order, seqNo 0.., tbc on all but the last; a page that fails ends the report. */
  private async sendReport(requestId: number, generatedAt: string, items: ReturnType<DeviceModel['report']>, size: number): Promise<void> {
    for (let seqNo = 0, at = 0; at < items.length; seqNo++, at += size) {
      const page = items.slice(at, at + size) as [(typeof items)[number], ...typeof items];
      try {
        await call201(this.p.link, 'NotifyReport', { requestId, generatedAt, seqNo, tbc: at + size < items.length, reportData: page });
      } catch (err) {
        this.p.log.warn({ err, requestId, seqNo }, 'NotifyReport not delivered: report ended');
        return;
      }
    }
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

  /** A 2.0.1 reset restarts the station; the 1.6 Hard reset does exactly that (transactions end first). */
  private resetNow(): ResetStatusEnumType {
    this.p.rebooting();
    return this.p.control.reset('Hard');
  }

  /**
   * Through the session service, as a 1.6 RemoteStartTransaction: authorized per
   * AuthCtrlr.AuthorizeRemoteStart (AuthorizeRemoteTxRequests), on the EVSE asked for or the one the
   * service chooses. A chargingProfile is not applied yet (neither is the 1.6 one).
   */
  async remoteStart(request: RequestStartTransactionRequest): Promise<RequestStartStopStatusEnumType> {
    const evseId = request.evseId ?? 0;
    const start: RemoteStart = { remoteStartId: request.remoteStartId, idToken: request.idToken };
    this.p.transactionEvents.expectRemoteStart(evseId, start);
    const status = await this.p.control.remoteStart({ idTag: request.idToken.idToken, ...(request.evseId !== undefined && { connectorId: request.evseId }) });
    if (status !== 'Accepted') this.p.transactionEvents.forgetRemoteStart(evseId, start);
    return status;
  }

  /** Transaction ids are the station's own (TransactionEvents.ts): the decimal form of the shared number. */
  remoteStop(transactionId: string): RequestStartStopStatusEnumType {
    if (!/^\d{1,16}$/.test(transactionId)) return 'Rejected';
    return this.p.control.remoteStop(Number(transactionId));
  }

  changeAvailability(evseId: number, operative: boolean): ChangeAvailabilityStatusEnumType {
    return this.p.control.changeAvailability(evseId, operative);
  }

  /** Drops a scheduled reset (the charger stops). */
  dispose(): void {
    if (this.onIdleReset) this.p.events.off('transaction', this.onIdleReset);
    this.onIdleReset = undefined;
  }
}
