/** OCPP 2.0.1 calls, typed, over a link whose face is the 2.0.1 one. */
import type { OcppLink } from '../OcppLink.js';
import type { Ocpp201Action, RequestOf, ResponseOf } from '../../ocpp201/messages.js';

/**
 * Queued on the link at once (so it keeps its place among the charger's messages); `after` holds
 * it back until that settles (OcppLink.call).
 */
export function call201<A extends Ocpp201Action>(link: Pick<OcppLink, 'call'>, action: A, payload: RequestOf<A>, after?: Promise<unknown>): Promise<ResponseOf<A>> {
  // The link's call() is typed in 1.6 words; the strict client checks the 2.0.1 schema of both directions.
  return link.call(action as never, payload as never, after) as Promise<ResponseOf<A>>;
}
