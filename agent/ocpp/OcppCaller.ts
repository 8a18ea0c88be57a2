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
  /**
   * The language the CSMS gave for the driver of `idTag` with its last Authorize answer (OCPP
   * 2.0.1 IdTokenInfo.language1, RFC 5646); absent where the protocol has none (1.6).
   */
  driverLanguage?(idTag: string): string | undefined;
}
