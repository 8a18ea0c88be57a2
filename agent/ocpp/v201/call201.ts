/** OCPP 2.0.1 calls, typed, over a link whose face is the 2.0.1 one. */
import type { Logger } from 'pino';
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

/**
 * A report's pages (NotifyReport, NotifyMonitoringReport, NotifyDisplayMessages,
 * NotifyCustomerInformation) in order, each once the one before is answered; a page that is not
 * delivered ends the report, logged. `payload(seqNo, last)` makes page `seqNo` of `count`.
 */
export async function sendPages<A extends Ocpp201Action>(
  link: Pick<OcppLink, 'call'>,
  log: Logger,
  report: { action: A; requestId: number; count: number },
  payload: (seqNo: number, last: boolean) => RequestOf<A>,
): Promise<void> {
  const { action, requestId, count } = report;
  for (let seqNo = 0; seqNo < count; seqNo++) {
    try {
      await call201(link, action, payload(seqNo, seqNo === count - 1));
    } catch (err) {
      log.warn({ err, requestId, seqNo }, `${action} not delivered: report ended`);
      return;
    }
  }
}
