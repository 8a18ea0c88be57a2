import type { Handler201 } from './Handler201.js';

/** DataTransfer from the CSMS (OCPP 2.0.1 P01): answered by the vendor handlers registered on the agent, as in 1.6. */
export const dataTransfer: Handler201<'DataTransfer'> = (station, request) => station.dataTransfer(request);
