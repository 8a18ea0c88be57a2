import type { Handler } from './Handler.js';

/**
 * RemoteStopTransaction (OCPP 1.6 §5.12): Accepted only when that transaction runs here. A CSMS may
 * send it right after its StartTransaction.conf, and both may arrive in one read, before the answer
 * is taken in: an unknown id is decided again once the StartTransaction in flight is answered.
 */
export const remoteStopTransaction: Handler<'RemoteStopTransaction'> = async (control, request) => {
  const status = control.remoteStop(request.transactionId);
  const answered = status === 'Rejected' ? control.startAnswered?.() : undefined;
  if (!answered) return { status };
  await answered;
  return { status: control.remoteStop(request.transactionId) };
};
