import type { Handler201 } from './Handler201.js';

/**
 * SetDisplayMessage (OCPP 2.0.1 O01/O02/O03): kept and shown by the display service's operator
 * messages; without a display (DisplayMessageCtrlr.Available false) Rejected.
 */
export const setDisplayMessage: Handler201<'SetDisplayMessage'> = async (station, request) => {
  const messages = station.displayMessages;
  if (!messages) return { status: 'Rejected', statusInfo: { reasonCode: 'NoDisplay', additionalInfo: 'this charging station has no display' } };
  const { status, statusInfo } = await messages.set(request.message);
  return { status, ...(statusInfo && { statusInfo }) };
};
