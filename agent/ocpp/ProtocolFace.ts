/**
 * What one OCPP version contributes to the link: the subprotocol it offers, the CSMS calls it
 * answers and how, and the shape of its BootNotification. Connection, registration (boot, Pending,
 * Rejected, retry), heartbeats, call timing and traffic are the same in 1.6 and 2.0.1 and stay in
 * {@link OcppLink}. The 1.6 face is module-level (v16/face.ts); a 2.0.1 face carries its charger's
 * station port (v201/Ocpp201Face.ts).
 */
import type { IHandlersOption } from './ocppRpc.js';
import type { AnsweringLink } from './v16/answerCall.js';
import type { BootNotificationRequest } from '../ocpp16/messages.js';
import type { OcppLinkState } from './OcppLinkTypes.js';

/** The OCPP versions the agent speaks. */
export type OcppVersion = '1.6' | '2.0.1';

export interface ProtocolFace {
  /** The WebSocket subprotocol offered, alone (`ocpp1.6`, `ocpp2.0.1`); strict validation follows it. */
  readonly subprotocol: string;
  /** The CSMS calls answered; any other is answered NotImplemented. */
  readonly handledActions: ReadonlySet<string>;
  /** The requests the charger sends: their schemas are compiled at start with the handled ones. */
  readonly sentActions: readonly string[];
  /**
   * An Accepted registration holds for the rest of the run: a new connection does not boot again
   * (OCPP 2.0.1 B01: BootNotification after a (re)boot). Default false: 1.6 boots on every connection.
   */
  readonly registrationOutlivesConnection?: boolean;
  /** Requests also sent while registration is Pending (besides BootNotification and what a trigger allowed). */
  readonly sendableWhilePending?: ReadonlySet<string>;
  /** The answer to a CSMS call (ocpp-rpc handler signature; see v16/answerCall.ts for the contract). */
  answer(link: AnsweringLink, call: IHandlersOption): Promise<unknown>;
  /** This version's BootNotification payload for the charger described by `identity` (1.6 fields). */
  bootRequest(identity: BootNotificationRequest): object;
  /**
   * The link's state changed (`state` event) / its registration was accepted (`accepted` event):
   * told before the link's listeners hear it, so a face's own parts need no listener per charger.
   */
  linkState?(state: OcppLinkState, previous: OcppLinkState): void;
  linkAccepted?(booted: boolean): void;
}
