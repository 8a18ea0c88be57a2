/**
 * The contract of an OCPP 2.0.1 CSMS-call handler: a pure function of the station port and the
 * request (already validated against the 2.0.1 schema by the strict link), answering the response.
 * Module-level functions shared by every charger, as in v16/handlers.
 */
import type { Ocpp201Action, RequestOf, ResponseOf } from '../../../ocpp201/messages.js';
import type { StationControl } from '../StationControl.js';

export type Handler201<A extends Ocpp201Action> = (station: StationControl, request: RequestOf<A>) => ResponseOf<A> | Promise<ResponseOf<A>>;
