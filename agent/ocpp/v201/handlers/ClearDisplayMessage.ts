import type { Handler201 } from './Handler201.js';

/** ClearDisplayMessage (OCPP 2.0.1 O05): Accepted once the message is gone (durably), Unknown for an id not kept here. */
export const clearDisplayMessage: Handler201<'ClearDisplayMessage'> = async (station, request) => ({ status: (await station.displayMessages?.clear(request.id)) ?? 'Unknown' });
