import type { Handler201 } from './Handler201.js';

/**
 * GetDisplayMessages (OCPP 2.0.1 O04): Accepted when messages match every criterion given, and
 * they follow the answer in NotifyDisplayMessages pages (`tbc` on all but the last); Unknown when
 * none does (or there is no display).
 */
export const getDisplayMessages: Handler201<'GetDisplayMessages'> = (station, request) => {
  const found = station.displayMessages?.find({ ...(request.id && { id: request.id }), ...(request.priority && { priority: request.priority }), ...(request.state && { state: request.state }) }) ?? [];
  if (found.length === 0) return { status: 'Unknown' };
  station.reportDisplayMessages(request.requestId, found);
  return { status: 'Accepted' };
};
