/**
 * The authorization cache learns from every StopTransaction.conf that carries an idTagInfo (OCPP
 * 1.6 §3.5.2). The journal's sender does not hand the answer on, so it is read off the link's
 * traffic: an outgoing StopTransaction call names the idTag, its result (matched by message id)
 * the idTagInfo. Learnt only while AuthorizationCacheEnabled, and not for idTags on the Local
 * Authorization List (the list, not the cache, decides those).
 */
import type { TrafficRecord } from '../ocpp/OcppTraffic.js';
import type { OcppConfiguration } from '../store/OcppConfiguration.js';
import { isIdTagInfo, type AuthorizationCache } from './AuthorizationCache.js';
import type { LocalAuthList } from './LocalAuthList.js';

/** Bounds the calls remembered while their answers are outstanding (a lost answer never comes). */
const MAX_IN_FLIGHT = 64;

export function learnFromStopTransactions(cache: AuthorizationCache, list: LocalAuthList, config: OcppConfiguration): (record: TrafficRecord) => void {
  const inFlight = new Map<string, string>();
  return (r) => {
    if (r.action !== 'StopTransaction') return;
    if (r.direction === 'out' && r.type === 'call') {
      const idTag = (r.payload as { idTag?: unknown } | undefined)?.idTag;
      if (typeof idTag !== 'string') return;
      inFlight.set(r.messageId, idTag);
      if (inFlight.size > MAX_IN_FLIGHT) inFlight.delete(inFlight.keys().next().value as string);
      return;
    }
    if (r.direction !== 'in' || (r.type !== 'result' && r.type !== 'error')) return;
    const idTag = inFlight.get(r.messageId);
    inFlight.delete(r.messageId);
    const info = (r.payload as { idTagInfo?: unknown } | undefined)?.idTagInfo;
    if (idTag === undefined || r.type !== 'result' || !isIdTagInfo(info)) return;
    if (config.getBool('AuthorizationCacheEnabled') && !list.get(idTag)) cache.put(idTag, info);
  };
}
