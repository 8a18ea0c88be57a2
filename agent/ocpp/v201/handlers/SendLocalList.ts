import type { Handler201 } from './Handler201.js';

/**
 * SendLocalList (OCPP 2.0.1 D01): into the one Local Authorization List both versions use (version
 * checks, limits and persistence are the list's, agent/auth/LocalAuthList.ts); Failed while
 * LocalAuthListCtrlr.Enabled is false.
 */
export const sendLocalList: Handler201<'SendLocalList'> = async (station, request) => ({ status: await station.sendLocalList(request) });
