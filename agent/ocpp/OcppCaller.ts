/**
 * The narrow view of the OCPP link that senders of charger-initiated messages need: typed calls
 * and whether the CSMS has accepted this charger (only then may it send most requests).
 * `OcppLink` satisfies it; tests can provide a small fake.
 */
import type { Ocpp16Action, RequestOf, ResponseOf } from '../ocpp16/messages.js';

export interface OcppCaller {
  /** True after an Accepted BootNotification on the current connection. */
  readonly isAccepted: boolean;
  call<A extends Ocpp16Action>(action: A, payload: RequestOf<A>): Promise<ResponseOf<A>>;
}
