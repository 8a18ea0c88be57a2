/**
 * A simple site load manager for the embedded CSMS (`evse csms --sites <profile>`): it shares each
 * site's grid limit (scenarios/fleet/sites.ts) among the site's running transactions, through
 * strict SetChargingProfile calls in the version each charger speaks (OCPP 1.6 SmartCharging, or
 * OCPP 2.0.1 with the same profiles in 2.0.1 words: `evseId`, `chargingProfile.id`, one
 * `chargingSchedule` with an `id`, the station's own `transactionId`).
 *
 * - When a charger of a site has been accepted (BootNotification; sent with its first
 *   StatusNotification after it, when the charger has taken the answer in), it gets a TxDefaultProfile of 0 A on
 *   connector 0: a new session draws nothing until the manager has given it its share, so a session
 *   start never pushes the site over its limit.
 * - When a transaction starts or stops on a site, every running transaction of the site whose share
 *   changed gets a TxProfile (Relative, one period) with its new limit in A per phase: the limit
 *   divided by the transactions, rounded down to whole amps (what a pilot can offer). When that
 *   would be below 6 A (an EV cannot charge below it), the earliest transactions get the limit
 *   divided among as many as can have 6 A, and the later ones 0 A until a share frees up.
 *
 * Which charger is on which site follows from its id, the profile's `sites` and the fleet's size
 * (`--site-chargers`, needed when a site is a share of the fleet) and id prefix, as in the fleet.
 * Profiles the charger refuses, or calls that fail, are retried three times (after 0.2, 1 and 3 s).
 */
import type { Logger } from 'pino';
import type { RequestOf } from '../../agent/ocpp16/messages.js';
import type { RequestOf as RequestOf201 } from '../../agent/ocpp201/messages.js';
import { siteIndexOfCharger, type Site } from '../fleet/sites.js';
import type { EmbeddedCsms, TrafficRecord } from './EmbeddedCsms.js';
import type { TransactionRecord } from './ChargePointState.js';

/** The manager's profile ids: one TxDefault per charger, one Tx per connector (replaced by id). */
export const SITE_DEFAULT_PROFILE_ID = 9000;
export const SITE_TX_PROFILE_ID = 9100;
const MIN_OFFER_A = 6;
/** Waits before each retry: a TxProfile sent right after StartTransaction.conf can reach the charger before it has taken the conf in. */
const RETRY_MS = [200, 1000, 3000];

interface Running {
  chargePointId: string;
  connectorId: number;
  transactionId: number;
  /** OCPP 2.0.1: the station's transactionId (a TxProfile names it). */
  stationTransactionId?: string;
  /** The limit last sent (A per phase). */
  sentA?: number;
}

export interface SiteLoadManagerOptions {
  sites: readonly Site[];
  /** Id prefix of the fleet's chargers (default CP). */
  idPrefix?: string;
  logger?: Logger;
}

/**
 * A limit of `limitA` per phase shared among `n` transactions in start order: evenly in whole amps,
 * or, when that is below 6 A, among as many of the earliest as can have 6 A (the rest 0 A).
 */
export function shareLimit(limitA: number, n: number): number[] {
  if (n === 0) return [];
  const even = Math.floor(limitA / n + 1e-9);
  if (even >= MIN_OFFER_A) return new Array<number>(n).fill(even);
  const served = Math.min(n, Math.floor(limitA / MIN_OFFER_A + 1e-9));
  const each = served > 0 ? Math.floor(limitA / served + 1e-9) : 0;
  return Array.from({ length: n }, (_, i) => (i < served ? each : 0));
}

export class SiteLoadManager {
  private readonly running: Running[][];
  private readonly idPrefix: string;
  private readonly onMessage = (r: TrafficRecord) => this.message(r);
  private readonly onStart = (t: TransactionRecord) => this.started(t);
  private readonly onStop = (t: TransactionRecord) => this.stopped(t);
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Chargers accepted whose default profile waits for their first StatusNotification. */
  private readonly booted = new Set<string>();
  /** SetChargingProfile calls sent, and those that failed for good. */
  readonly counts = { sent: 0, failed: 0 };

  constructor(
    private readonly csms: EmbeddedCsms,
    private readonly options: SiteLoadManagerOptions,
  ) {
    this.running = options.sites.map(() => []);
    this.idPrefix = options.idPrefix ?? 'CP';
  }

  attach(): this {
    this.csms.on('message', this.onMessage);
    this.csms.on('transactionStarted', this.onStart);
    this.csms.on('transactionStopped', this.onStop);
    return this;
  }

  detach(): void {
    this.csms.off('message', this.onMessage);
    this.csms.off('transactionStarted', this.onStart);
    this.csms.off('transactionStopped', this.onStop);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /** The site of a charger, or -1. */
  siteOf(chargePointId: string): number {
    return siteIndexOfCharger(this.options.sites, this.idPrefix, chargePointId);
  }

  /** What each running transaction of site `index` is allowed now, A per phase (in start order). */
  shares(index: number): number[] {
    const site = this.options.sites[index];
    return site ? shareLimit(site.limitA, this.running[index]?.length ?? 0) : [];
  }

  private message(r: TrafficRecord): void {
    // Our BootNotification answer Accepted; the charger takes calls once it has read it, which its
    // first StatusNotification after it shows (a call sent at once can overtake the answer's handling).
    if (r.kind === 'result' && r.direction === 'out' && r.action === 'BootNotification') {
      if ((r.payload as { status?: string }).status === 'Accepted' && this.siteOf(r.chargePointId) >= 0) this.booted.add(r.chargePointId);
      return;
    }
    if (r.kind !== 'call' || r.direction !== 'in' || r.action !== 'StatusNotification' || !this.booted.delete(r.chargePointId)) return;
    this.send(r.chargePointId, {
      connectorId: 0,
      csChargingProfiles: {
        chargingProfileId: SITE_DEFAULT_PROFILE_ID,
        stackLevel: 0,
        chargingProfilePurpose: 'TxDefaultProfile',
        chargingProfileKind: 'Relative',
        chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 0 }] },
      },
    });
    // A charger that booted again lost none of its profiles, but its transactions may have ended
    // without us hearing (a StopTransaction comes later from its journal).
  }

  private started(t: TransactionRecord): void {
    const index = this.siteOf(t.chargePointId);
    if (index < 0 || t.idTagStatus !== 'Accepted' || t.duplicateOf !== undefined) return;
    const list = this.running[index]!;
    // One transaction per connector: a new one replaces one we missed the end of.
    const stale = list.findIndex((x) => x.chargePointId === t.chargePointId && x.connectorId === t.connectorId);
    if (stale >= 0) list.splice(stale, 1);
    list.push({ chargePointId: t.chargePointId, connectorId: t.connectorId, transactionId: t.transactionId, ...(t.stationTransactionId !== undefined && { stationTransactionId: t.stationTransactionId }) });
    this.share(index);
  }

  private stopped(t: TransactionRecord): void {
    const index = this.siteOf(t.chargePointId);
    if (index < 0) return;
    const list = this.running[index]!;
    const at = list.findIndex((x) => x.transactionId === t.transactionId);
    if (at < 0) return;
    list.splice(at, 1);
    this.share(index);
  }

  /** Sends each running transaction of the site whose share changed its new TxProfile. */
  private share(index: number): void {
    const shares = this.shares(index);
    const site = this.options.sites[index]!;
    this.running[index]!.forEach((x, i) => {
      const limit = shares[i]!;
      if (x.sentA === limit) return;
      x.sentA = limit;
      this.options.logger?.debug({ site: site.name, chargePointId: x.chargePointId, connectorId: x.connectorId, transactionId: x.transactionId, limitA: limit }, 'site share');
      this.send(x.chargePointId, {
        connectorId: x.connectorId,
        csChargingProfiles: {
          chargingProfileId: SITE_TX_PROFILE_ID + x.connectorId,
          transactionId: x.transactionId,
          ...(x.stationTransactionId !== undefined && { stationTransactionId: x.stationTransactionId }),
          stackLevel: 0,
          chargingProfilePurpose: 'TxProfile',
          chargingProfileKind: 'Relative',
          chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit }] },
        },
      }, () => this.isCurrent(index, x, limit));
    });
  }

  private isCurrent(index: number, x: Running, limit: number): boolean {
    return this.running[index]!.includes(x) && x.sentA === limit;
  }

  private send(chargePointId: string, request: SiteProfileRequest, stillWanted: () => boolean = () => true, attempt = 1): void {
    if (!this.csms.isConnected(chargePointId)) return;
    this.counts.sent++;
    const answer = this.csms.ocppVersion(chargePointId) === '2.0.1' ? this.csms.call201(chargePointId, 'SetChargingProfile', as201(request)) : this.csms.call(chargePointId, 'SetChargingProfile', as16(request));
    answer.then(
      (a) => {
        if (a.status !== 'Accepted') this.retry(chargePointId, request, stillWanted, attempt, `answered ${a.status}`);
      },
      (err: Error) => this.retry(chargePointId, request, stillWanted, attempt, err.message),
    );
  }

  private retry(chargePointId: string, request: SiteProfileRequest, stillWanted: () => boolean, attempt: number, why: string): void {
    // A share overtaken by a newer one, or for a transaction that has ended since: nothing to retry.
    if (!stillWanted()) return;
    const wait = RETRY_MS[attempt - 1];
    if (wait === undefined) {
      this.counts.failed++;
      this.options.logger?.warn({ chargePointId, profileId: request.csChargingProfiles.chargingProfileId, why }, 'site profile not installed');
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.send(chargePointId, request, stillWanted, attempt + 1);
    }, wait);
    this.timers.add(timer);
  }
}

/** The 1.6 request, with what a 2.0.1 TxProfile needs besides (the station's transactionId). */
type SiteProfileRequest = RequestOf<'SetChargingProfile'> & { csChargingProfiles: { stationTransactionId?: string } };

function as16(request: SiteProfileRequest): RequestOf<'SetChargingProfile'> {
  const { stationTransactionId: _, ...profile } = request.csChargingProfiles;
  return { connectorId: request.connectorId, csChargingProfiles: profile };
}

/** The same profile in OCPP 2.0.1 words (K01). */
function as201(request: SiteProfileRequest): RequestOf201<'SetChargingProfile'> {
  const p = request.csChargingProfiles;
  return {
    evseId: request.connectorId,
    chargingProfile: {
      id: p.chargingProfileId,
      stackLevel: p.stackLevel,
      // The manager sends TxDefaultProfile and TxProfile only, named alike in both versions.
      chargingProfilePurpose: p.chargingProfilePurpose as 'TxDefaultProfile' | 'TxProfile',
      chargingProfileKind: p.chargingProfileKind,
      ...(p.stationTransactionId !== undefined && { transactionId: p.stationTransactionId }),
      chargingSchedule: [{ id: p.chargingProfileId, chargingRateUnit: p.chargingSchedule.chargingRateUnit, chargingSchedulePeriod: periodsOf(p.chargingSchedule.chargingSchedulePeriod) }],
    },
  };
}

function periodsOf(periods: RequestOf<'SetChargingProfile'>['csChargingProfiles']['chargingSchedule']['chargingSchedulePeriod']): RequestOf201<'SetChargingProfile'>['chargingProfile']['chargingSchedule'][0]['chargingSchedulePeriod'] {
  const [first, ...rest] = periods.map((x) => ({ startPeriod: x.startPeriod, limit: x.limit }));
  return [first!, ...rest];
}
