/**
 * A recording fake of the {@link ChargePointControl} port for handler and link tests: it records
 * every call and answers with defaults that tests can override per method.
 */
import type { Logger } from 'pino';
import type { OcppConfiguration } from '../../store/OcppConfiguration.js';
import type { CertificateControl, ChargePointControl } from '../v16/ChargePointControl.js';
import type { DataTransferRequest, DataTransferResponse, MessageTriggerEnumType, RemoteStartTransactionRequest, ReserveNowRequest } from '../../ocpp16/messages.js';

type Port = Omit<ChargePointControl, 'log' | 'config' | 'connectorCount'>;
export type ControlMethod = keyof Port;

export interface RecordedCall {
  method: ControlMethod;
  args: unknown[];
}

export class RecordingControl implements ChargePointControl {
  readonly calls: RecordedCall[] = [];
  /** Replace a method's behaviour (after it has been recorded). */
  readonly overrides: Partial<Omit<Port, 'certificates'>> = {};
  /** A certificate service, when the test needs one. */
  certificates: CertificateControl | undefined;
  /** A log upload service, when the test needs one. */

  constructor(
    readonly config: OcppConfiguration,
    readonly log: Logger,
    readonly connectorCount = 2,
  ) {}

  /** Calls of one method. */
  of(method: ControlMethod): unknown[][] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }

  private record(method: ControlMethod, args: unknown[]): void {
    this.calls.push({ method, args });
  }

  remoteStart(req: RemoteStartTransactionRequest) {
    this.record('remoteStart', [req]);
    return this.overrides.remoteStart?.(req) ?? Promise.resolve('Accepted' as const);
  }

  remoteStop(transactionId: number) {
    this.record('remoteStop', [transactionId]);
    return this.overrides.remoteStop?.(transactionId) ?? 'Accepted';
  }

  startAnswered() {
    return this.overrides.startAnswered?.();
  }

  changeAvailability(connectorId: number, operative: boolean) {
    this.record('changeAvailability', [connectorId, operative]);
    return this.overrides.changeAvailability?.(connectorId, operative) ?? 'Accepted';
  }

  reset(type: 'Soft' | 'Hard') {
    this.record('reset', [type]);
    return this.overrides.reset?.(type) ?? 'Accepted';
  }

  unlockConnector(connectorId: number) {
    this.record('unlockConnector', [connectorId]);
    return this.overrides.unlockConnector?.(connectorId) ?? Promise.resolve('Unlocked' as const);
  }

  clearCache() {
    this.record('clearCache', []);
    return this.overrides.clearCache?.() ?? Promise.resolve('Accepted' as const);
  }

  trigger(message: MessageTriggerEnumType | 'DiagnosticsStatusNotification', connectorId?: number) {
    this.record('trigger', [message, connectorId]);
    return this.overrides.trigger?.(message, connectorId) ?? 'Accepted';
  }

  dataTransfer(req: DataTransferRequest): Promise<DataTransferResponse> {
    this.record('dataTransfer', [req]);
    return this.overrides.dataTransfer?.(req) ?? Promise.resolve({ status: 'UnknownVendorId' });
  }

  reserveNow(req: ReserveNowRequest) {
    this.record('reserveNow', [req]);
    return this.overrides.reserveNow?.(req) ?? 'Accepted';
  }

  cancelReservation(reservationId: number) {
    this.record('cancelReservation', [reservationId]);
    return this.overrides.cancelReservation?.(reservationId) ?? 'Accepted';
  }
}
