/**
 * The contract of a CSMS-call handler: a pure function of the charge point port and the request
 * (already validated against the OCPP 1.6 schema by the strict link), answering the response.
 * Handlers are module-level functions shared by every charger; they keep no state of their own.
 * Throwing is allowed: the link maps the error to a CallError (agent/ocpp/errors.ts).
 */
import type { ChargePointControl } from '../ChargePointControl.js';
import type { Ocpp16Action, RequestOf, ResponseOf } from '../../../ocpp16/messages.js';

export type Handler<A extends Ocpp16Action> = (control: ChargePointControl, request: RequestOf<A>) => ResponseOf<A> | Promise<ResponseOf<A>>;

/** A connector of this charger (1..n). */
export function isConnector(control: ChargePointControl, connectorId: number): boolean {
  return Number.isInteger(connectorId) && connectorId >= 1 && connectorId <= control.connectorCount;
}

/** A connector, or 0 for the charger as a whole. */
export function isConnectorOrCharger(control: ChargePointControl, connectorId: number): boolean {
  return connectorId === 0 || isConnector(control, connectorId);
}
