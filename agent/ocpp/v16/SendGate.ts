/**
 * Which requests the charge point may send in which registration state (OCPP 1.6 §4.2):
 * everything once Accepted; nothing while Rejected; while booting or Pending only BootNotification
 * and what a TriggerMessage was Accepted for — that many times.
 */
import type { OcppLinkState } from '../OcppLinkTypes.js';
import type { TriggerMessageRequest } from '../../ocpp16/messages.js';

/** Triggered without a connectorId, these go once per connector and once for the charger (0). */
const PER_CONNECTOR_TRIGGERS: ReadonlySet<string> = new Set(['StatusNotification', 'MeterValues']);

export class SendGate {
  // Created on first TriggerMessage before Accepted: most links never need it.
  private triggered: Map<string, number> | undefined;

  /**
   * True if `action` may be sent now; uses up one triggered allowance if that is why.
   * `whilePending`: what the version also lets through before Accepted (OCPP 2.0.1: NotifyReport).
   */
  take(state: OcppLinkState, action: string, whilePending?: ReadonlySet<string>): boolean {
    if (state === 'accepted') return true;
    if (state !== 'booting' && state !== 'pending') return false;
    if (action === 'BootNotification' || whilePending?.has(action)) return true;
    const left = this.triggered?.get(action) ?? 0;
    if (left <= 0) return false;
    this.triggered?.set(action, left - 1);
    return true;
  }

  /** A TriggerMessage was Accepted before registration was. */
  allowTriggered(request: TriggerMessageRequest, connectorCount: number): void {
    const action = request.requestedMessage;
    const count = request.connectorId === undefined && PER_CONNECTOR_TRIGGERS.has(action) ? connectorCount + 1 : 1;
    const triggered = (this.triggered ??= new Map());
    triggered.set(action, (triggered.get(action) ?? 0) + count);
  }

  /** Allowances end with the registration episode (Accepted, a new connection, stop). */
  reset(): void {
    this.triggered = undefined;
  }
}
