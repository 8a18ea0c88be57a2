import type { Handler } from './Handler.js';

/** GetLog (Security Whitepaper): the upload and its LogStatusNotifications follow the answer; Rejected on a charger without log uploads. */
export const getLog: Handler<'GetLog'> = (control, request) => control.logs?.getLog(request) ?? { status: 'Rejected' };
