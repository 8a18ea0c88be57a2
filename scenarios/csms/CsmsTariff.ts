/**
 * A tariff for the embedded CSMS, so `evse demo`, scenarios and tests show prices and costs end to
 * end with the OCA "California Pricing" messages (DataTransfer org.openchargealliance.costmsg):
 *
 * - after an Authorize it answered Accepted: SetUserPrice with the tariff's price text;
 * - after a StartTransaction: RunningCost (the flat fee, the unit prices);
 * - after every MeterValues of a transaction, and when it goes idle (SuspendedEV) or charges
 *   again: RunningCost with the cost so far, state Idle or Charging;
 * - after the StopTransaction: FinalCost with the total, a summary text and the receipt URL. With
 *   an idle fee, unless the unplug ended the transaction (reason EVDisconnected), the vehicle is
 *   still there: the idle time goes on after the stop (OCA CustomIdleFeeAfterStop). The CSMS sends
 *   a RunningCost (state Idle, the grace left) and the FinalCost once the charger reports the
 *   vehicle gone with ConnectorUnplugged (DataTransfer, answered Accepted), idle time until then
 *   included.
 *
 * An OCPP 2.0.1 station gets the costs the 2.0.1 way (functional block I with the OCA California
 * Pricing additions for 2.0.1), in the answers to its own messages:
 *
 * - the Authorize answer (Accepted): idTokenInfo.personalMessage, the tariff's price text;
 * - the TransactionEvent Started answer: updatedPersonalMessage (the price text) and totalCost
 *   (the flat fee); every Updated answer: totalCost, the cost so far. Both with `customData` of
 *   vendorId org.openchargealliance.costmsg (timestamp, meterValue, state, chargingPrice,
 *   idlePrice), so the station counts the cost on between events. Idle is its chargingState
 *   SuspendedEV (the Updated events with triggerReason ChargingStateChanged): billed beyond the grace;
 * - the Ended answer: totalCost, the total, with a summary text (updatedPersonalMessage) and the
 *   receipt URL as customData qrCodeText. A 2.0.1 transaction ends at the stop: the idle time
 *   after it is not billed (a charger whose TxStopPoint is EVConnected would bill it as its own).
 *
 * Cost = flat fee + kWh × kWhPrice + charging hours × hourPrice + idle hours beyond the grace ×
 * idle hourPrice. Calls go out without waiting; a charger that does not know the vendor answers
 * UnknownVendorId, which is fine. A charger that never sends ConnectorUnplugged (its
 * CustomIdleFeeAfterStop false) gets no FinalCost from a tariff with an idle fee.
 */
import type { TransactionRecord } from './ChargePointState.js';
import type { EmbeddedCsms } from './EmbeddedCsms.js';
import type { TrafficRecord } from './trafficRecord.js';

export interface Tariff {
  /** Shown in the texts after amounts (e.g. EUR). */
  readonly currency: string;
  readonly flatFee: number;
  readonly kWhPrice: number;
  readonly hourPrice: number;
  readonly idle?: { readonly graceMinutes: number; readonly hourPrice: number };
  /** The driver's price text; default: made from the prices. */
  readonly priceText?: string;
  /** Receipt URL template ({transactionId}); default none. */
  readonly receiptUrl?: string;
}

export const COST_VENDOR_ID = 'org.openchargealliance.costmsg';

interface Running {
  readonly chargePointId: string;
  readonly transactionId: number;
  readonly connectorId: number;
  readonly meterStart: number;
  readonly startedAt: number;
  meterWh: number;
  at: number;
  chargingMs: number;
  idleMs: number;
  idle: boolean;
}

const HOUR = 3_600_000;
/** Stopped transactions waiting for their ConnectorUnplugged, at most. */
const MAX_AWAITING_UNPLUG = 1000;

/** A sampled value of 1.6 (`value` text, `unit`) or 2.0.1 (`value` number, `unitOfMeasure`). */
interface AnySampledValue {
  readonly value: string | number;
  readonly measurand?: string;
  readonly unit?: string;
  readonly unitOfMeasure?: { readonly unit?: string; readonly multiplier?: number };
}
type MeterValue201 = { timestamp: string; sampledValue: AnySampledValue[] };

/** The energy register reading (Wh) among sampled values of either version. */
function energyWh(values: readonly AnySampledValue[]): number | undefined {
  const energy = values.find((s) => (s.measurand ?? 'Energy.Active.Import.Register') === 'Energy.Active.Import.Register');
  if (!energy) return undefined;
  const unit = energy.unit ?? energy.unitOfMeasure?.unit;
  return Number(energy.value) * 10 ** (energy.unitOfMeasure?.multiplier ?? 0) * (unit === 'kWh' ? 1000 : 1);
}
const round = (n: number): number => Math.round(n * 1000) / 1000;

/** What the tariff reads of a 2.0.1 TransactionEvent. */
interface TransactionEvent201 {
  readonly eventType: 'Started' | 'Updated' | 'Ended';
  readonly timestamp: string;
  readonly evse?: { readonly id: number };
  readonly transactionInfo: { readonly transactionId: string; readonly chargingState?: string };
  readonly meterValue?: readonly MeterValue201[];
}

/** The energy register of a 2.0.1 event's sampled values of one context (Transaction.Begin / End). */
function energyAt(event: TransactionEvent201, context: string): number | undefined {
  for (const mv of event.meterValue ?? []) {
    const values = mv.sampledValue.filter((v) => (v as { context?: string }).context === context);
    const wh = values.length > 0 ? energyWh(values) : undefined;
    if (wh !== undefined) return wh;
  }
  return undefined;
}

/** The price text a tariff gives a driver. */
export function priceTextOf(t: Tariff): string {
  if (t.priceText) return t.priceText;
  const parts = [`${t.kWhPrice.toFixed(2)} ${t.currency}/kWh`];
  if (t.hourPrice > 0) parts.push(`${t.hourPrice.toFixed(2)} ${t.currency}/h`);
  if (t.flatFee > 0) parts.push(`${t.flatFee.toFixed(2)} ${t.currency} per session`);
  if (t.idle && t.idle.hourPrice > 0) parts.push(`idle ${t.idle.hourPrice.toFixed(2)} ${t.currency}/h after ${t.idle.graceMinutes} min`);
  return parts.join(', ');
}

export class CsmsTariff {
  private readonly running = new Map<number, Running>();
  /** Authorize requests by messageId, until their answer is seen. */
  private readonly authorizing = new Map<string, string>();
  private readonly onMessage = (r: TrafficRecord): void => this.observe(r);
  private readonly onStarted = (tx: TransactionRecord): void => this.started(tx);
  private readonly onStopped = (tx: TransactionRecord): void => this.stopped(tx);
  /** Transactions stopped with the vehicle still plugged in (idle fee running), by transactionId. */
  private readonly awaitingUnplug = new Map<number, Running>();
  private removeReply: (() => void) | undefined;

  constructor(
    private readonly csms: EmbeddedCsms,
    private readonly tariff: Tariff,
    private readonly now: () => number = Date.now,
  ) {}

  attach(): void {
    this.csms.on('message', this.onMessage);
    this.csms.on('transactionStarted', this.onStarted);
    this.csms.on('transactionStopped', this.onStopped);
    const removers = [
      this.csms.respondTo('DataTransfer', (request, ctx) => {
        if (request.vendorId !== COST_VENDOR_ID || request.messageId !== 'ConnectorUnplugged') return ctx.defaultReply();
        return { status: this.unplugged(ctx.chargePointId, request) ? 'Accepted' : 'Rejected' };
      }),
      // OCPP 2.0.1: the prices and costs ride on the answers (1.6 chargers get the default answer).
      this.csms.respondTo('Authorize', (request, ctx) => {
        const answer = ctx.defaultReply() as unknown as Record<string, unknown>;
        const info = answer.idTokenInfo as { status?: string } | undefined;
        if (ctx.ocppVersion !== '2.0.1' || info?.status !== 'Accepted') return answer as never;
        return { ...answer, idTokenInfo: { ...info, personalMessage: this.personalMessage(priceTextOf(this.tariff)) } } as never;
      }),
      this.csms.respondTo('TransactionEvent', (request, ctx) => {
        const answer = ctx.defaultReply() as unknown as Record<string, unknown>;
        return (ctx.ocppVersion === '2.0.1' ? { ...answer, ...this.costAnswer(ctx.chargePointId, request as unknown as TransactionEvent201, answer) } : answer) as never;
      }),
    ];
    this.removeReply = () => {
      for (const remove of removers) remove();
    };
  }

  detach(): void {
    this.removeReply?.();
    this.removeReply = undefined;
    this.csms.off('message', this.onMessage);
    this.csms.off('transactionStarted', this.onStarted);
    this.csms.off('transactionStopped', this.onStopped);
  }

  /** The tariff's text as a 2.0.1 MessageContent (the texts here are English). */
  private personalMessage(content: string): { format: 'UTF8'; language: string; content: string } {
    return { format: 'UTF8', language: 'en', content: content.slice(0, 512) };
  }

  /**
   * What a 2.0.1 TransactionEvent's answer says of costs (see the module comment). The event
   * itself is taken in already (observe() sees each call before it is answered).
   */
  private costAnswer(chargePointId: string, event: TransactionEvent201, answer: Record<string, unknown>): Record<string, unknown> {
    const t = this.tariff;
    const idTokenStatus = (answer.idTokenInfo as { status?: string } | undefined)?.status;
    if (event.eventType === 'Started') {
      if (idTokenStatus !== undefined && idTokenStatus !== 'Accepted') return {};
      const meterWh = energyAt(event, 'Transaction.Begin') ?? 0;
      const at = Date.parse(event.timestamp);
      const r: Running = { chargePointId, transactionId: 0, connectorId: event.evse?.id ?? 0, meterStart: meterWh, startedAt: at, meterWh, at, chargingMs: 0, idleMs: 0, idle: false };
      return { totalCost: this.cost(r), updatedPersonalMessage: this.personalMessage(priceTextOf(t)), customData: this.costData(r) };
    }
    const r = this.runningOf(chargePointId, event.transactionInfo.transactionId);
    if (!r) return {};
    if (event.eventType === 'Updated') return { totalCost: this.cost(r), customData: this.costData(r) };
    // Ended: the total at the stop (its time and register).
    const end = { ...r };
    this.advance(end, Date.parse(event.timestamp), energyAt(event, 'Transaction.End'));
    // A total is billed in cents.
    const cost = Math.round(this.cost(end) * 100) / 100;
    const kwh = ((end.meterWh - end.meterStart) / 1000).toFixed(2);
    const receipt = t.receiptUrl?.replace('{transactionId}', event.transactionInfo.transactionId);
    return {
      totalCost: cost,
      updatedPersonalMessage: this.personalMessage(`${kwh} kWh, ${cost.toFixed(2)} ${t.currency}`),
      customData: { vendorId: COST_VENDOR_ID, ...(receipt && { qrCodeText: receipt }) },
    };
  }

  /** The running transaction a 2.0.1 station calls `stationTransactionId`. */
  private runningOf(chargePointId: string, stationTransactionId: string): Running | undefined {
    const tx = this.csms.transactions(chargePointId).findLast((x) => x.stationTransactionId === stationTransactionId);
    return tx && this.running.get(tx.transactionId);
  }

  /** The California Pricing figures of a running cost (2.0.1 customData, vendorId costmsg). */
  private costData(r: Running): Record<string, unknown> {
    const t = this.tariff;
    return {
      vendorId: COST_VENDOR_ID,
      timestamp: new Date(r.at).toISOString(),
      meterValue: Math.round(r.meterWh),
      state: r.idle ? 'Idle' : 'Charging',
      chargingPrice: { kWhPrice: t.kWhPrice, hourPrice: t.hourPrice, flatFee: t.flatFee },
      ...(t.idle && { idlePrice: { graceMinutes: this.graceLeft(r), hourPrice: t.idle.hourPrice } }),
    };
  }

  /** The grace counts from the message's time: what is left of it while idle. */
  private graceLeft(r: Running): number | undefined {
    const idle = this.tariff.idle;
    return idle && r.idle ? Math.max(0, Math.ceil((idle.graceMinutes * 60_000 - r.idleMs) / 60_000)) : idle?.graceMinutes;
  }

  /** The cost of a running transaction at `at` (its last meter value). */
  costOf(transactionId: number): number | undefined {
    const r = this.running.get(transactionId);
    return r && this.cost(r);
  }

  private cost(r: Running): number {
    const t = this.tariff;
    const energy = Math.max(0, r.meterWh - r.meterStart) / 1000;
    const idleBillable = Math.max(0, r.idleMs - (t.idle?.graceMinutes ?? 0) * 60_000);
    return round(t.flatFee + energy * t.kWhPrice + (r.chargingMs / HOUR) * t.hourPrice + (idleBillable / HOUR) * (t.idle?.hourPrice ?? 0));
  }

  private observe(record: TrafficRecord): void {
    const { chargePointId, direction, kind, action } = record;
    const payload = record.payload as Record<string, unknown>;
    if (direction === 'in' && kind === 'call' && action === 'Authorize') {
      // 1.6 idTag, 2.0.1 idToken.idToken
      const idTag = payload.idTag ?? (payload.idToken as { idToken?: unknown } | undefined)?.idToken;
      this.authorizing.set(record.messageId ?? '', String(idTag));
    }
    if (direction === 'out' && kind === 'result' && action === 'Authorize') {
      const idTag = this.authorizing.get(record.messageId ?? '');
      this.authorizing.delete(record.messageId ?? '');
      const status = ((payload.idTagInfo ?? payload.idTokenInfo) as { status?: string } | undefined)?.status;
      if (idTag !== undefined && status === 'Accepted' && !this.speaks201(chargePointId)) this.send(chargePointId, 'SetUserPrice', { idToken: idTag, priceText: priceTextOf(this.tariff) });
    }
    if (direction === 'in' && kind === 'call' && action === 'MeterValues') this.metered(payload);
    if (direction === 'in' && kind === 'call' && action === 'StatusNotification') this.statusChanged(chargePointId, payload);
    if (direction === 'in' && kind === 'call' && action === 'TransactionEvent') this.transactionEvent(chargePointId, payload);
  }

  /** OCPP 2.0.1: an Updated event's meter values and its chargingState (SuspendedEV is idle). */
  private transactionEvent(chargePointId: string, payload: Record<string, unknown>): void {
    const info = payload.transactionInfo as { transactionId: string; chargingState?: string };
    const tx = this.csms.transactions(chargePointId).findLast((t) => t.stationTransactionId === info.transactionId);
    const r = tx && this.running.get(tx.transactionId);
    if (!r || payload.eventType !== 'Updated') return;
    const at = typeof payload.timestamp === 'string' ? Date.parse(payload.timestamp) : this.now();
    for (const mv of (payload.meterValue ?? []) as MeterValue201[]) this.advance(r, Date.parse(mv.timestamp), energyWh(mv.sampledValue));
    const idle = info.chargingState === undefined ? r.idle : info.chargingState === 'SuspendedEV';
    if (idle !== r.idle) {
      this.advance(r, at);
      r.idle = idle;
    }
    // The cost goes back in this event's answer (costAnswer).
  }

  private speaks201(chargePointId: string): boolean {
    return this.csms.ocppVersion(chargePointId) === '2.0.1';
  }

  private started(tx: TransactionRecord): void {
    if (this.running.has(tx.transactionId) || tx.stop || tx.duplicateOf !== undefined || tx.idTagStatus !== 'Accepted') return;
    const startedAt = Date.parse(tx.startTimestamp);
    const r: Running = { chargePointId: tx.chargePointId, transactionId: tx.transactionId, connectorId: tx.connectorId, meterStart: tx.meterStart, startedAt, meterWh: tx.meterStart, at: startedAt, chargingMs: 0, idleMs: 0, idle: false };
    this.running.set(tx.transactionId, r);
    // 2.0.1: the Started answer carried it.
    if (!this.speaks201(tx.chargePointId)) this.sendRunningCost(r);
  }

  private advance(r: Running, at: number, meterWh?: number): void {
    const ms = Math.max(0, at - r.at);
    if (r.idle) r.idleMs += ms;
    else r.chargingMs += ms;
    r.at = Math.max(r.at, at);
    if (meterWh !== undefined) r.meterWh = Math.max(r.meterWh, meterWh);
  }

  private metered(payload: Record<string, unknown>): void {
    const r = typeof payload.transactionId === 'number' ? this.running.get(payload.transactionId) : undefined;
    if (!r) return;
    for (const mv of (payload.meterValue ?? []) as { timestamp: string; sampledValue: AnySampledValue[] }[]) {
      this.advance(r, Date.parse(mv.timestamp), energyWh(mv.sampledValue));
    }
    this.sendRunningCost(r);
  }

  private statusChanged(chargePointId: string, payload: Record<string, unknown>): void {
    const r = [...this.running.values()].find((x) => x.chargePointId === chargePointId && x.connectorId === payload.connectorId);
    if (!r) return;
    const idle = payload.status === 'SuspendedEV';
    if (idle === r.idle || (payload.status !== 'Charging' && !idle)) return;
    this.advance(r, typeof payload.timestamp === 'string' ? Date.parse(payload.timestamp) : this.now());
    r.idle = idle;
    this.sendRunningCost(r);
  }

  private stopped(tx: TransactionRecord): void {
    const r = this.running.get(tx.transactionId);
    if (!r || !tx.stop) return;
    this.running.delete(tx.transactionId);
    // 2.0.1: the Ended answer carried the total.
    if (this.speaks201(r.chargePointId)) return;
    this.advance(r, Date.parse(tx.stop.timestamp), tx.stop.meterStop);
    const idle = this.tariff.idle;
    if (idle && idle.hourPrice > 0 && tx.stop.reason !== 'EVDisconnected') {
      // The vehicle is still there: idle from now until ConnectorUnplugged.
      r.idle = true;
      this.awaitingUnplug.set(r.transactionId, r);
      // A charger that never reports the unplug (CustomIdleFeeAfterStop false) leaves its entries: keep the newest.
      if (this.awaitingUnplug.size > MAX_AWAITING_UNPLUG) this.awaitingUnplug.delete(this.awaitingUnplug.keys().next().value!);
      this.sendRunningCost(r);
      return;
    }
    this.sendFinalCost(r);
  }

  /** ConnectorUnplugged {transactionId, timestamp}: the idle fee after the stop ends; the FinalCost follows. False for a transaction not awaiting it. */
  private unplugged(chargePointId: string, request: { data?: unknown }): boolean {
    let data: { transactionId?: unknown; timestamp?: unknown };
    try {
      // JSON text (1.6, and 2.0.1 stations that send it as 1.6 does), or 2.0.1 structured data.
      data = (typeof request.data === 'string' ? JSON.parse(request.data) : request.data) as typeof data;
    } catch {
      return false;
    }
    if (typeof data !== 'object' || data === null) return false;
    const r = typeof data.transactionId === 'number' ? this.awaitingUnplug.get(data.transactionId) : undefined;
    if (!r || r.chargePointId !== chargePointId) return typeof data.transactionId === 'number' && typeof data.timestamp === 'string';
    const at = typeof data.timestamp === 'string' ? Date.parse(data.timestamp) : Number.NaN;
    if (Number.isNaN(at)) return false;
    this.awaitingUnplug.delete(r.transactionId);
    this.advance(r, at);
    // After the answer: the charger learns the FinalCost after its ConnectorUnplugged is confirmed.
    setImmediate(() => this.sendFinalCost(r));
    return true;
  }

  private sendFinalCost(r: Running): void {
    const cost = this.cost(r);
    const { currency, receiptUrl } = this.tariff;
    const kwh = ((r.meterWh - r.meterStart) / 1000).toFixed(2);
    this.send(r.chargePointId, 'FinalCost', {
      transactionId: r.transactionId,
      cost,
      priceText: `${kwh} kWh, ${cost.toFixed(2)} ${currency}`,
      ...(receiptUrl && { qrCodeText: receiptUrl.replace('{transactionId}', String(r.transactionId)) }),
    });
  }

  private sendRunningCost(r: Running): void {
    const t = this.tariff;
    const grace = this.graceLeft(r);
    this.send(r.chargePointId, 'RunningCost', {
      transactionId: r.transactionId,
      timestamp: new Date(r.at).toISOString(),
      meterValue: Math.round(r.meterWh),
      cost: this.cost(r),
      state: r.idle ? 'Idle' : 'Charging',
      chargingPrice: { kWhPrice: t.kWhPrice, hourPrice: t.hourPrice, flatFee: t.flatFee },
      ...(t.idle && { idlePrice: { graceMinutes: grace, hourPrice: t.idle.hourPrice } }),
    });
  }

  private send(chargePointId: string, messageId: string, data: object): void {
    if (!this.csms.isConnected(chargePointId)) return;
    this.csms.call(chargePointId, 'DataTransfer', { vendorId: COST_VENDOR_ID, messageId, data: JSON.stringify(data) }).catch(() => undefined);
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const KEYS = ['currency', 'flatFee', 'kWhPrice', 'hourPrice', 'idle', 'priceText', 'receiptUrl'];

/**
 * A tariff from a parsed YAML or JSON file; throws an Error naming the first wrong key, e.g.
 * `kWhPrice: expected a price of 0 or more, got "cheap"`.
 */
export function parseTariff(raw: unknown): Tariff {
  const fail = (key: string, expected: string, value: unknown): never => {
    throw new Error(`${key}: expected ${expected}, ${value === undefined ? 'but it is not set' : `got ${JSON.stringify(value)}`}`);
  };
  if (!isRecord(raw)) return fail('(top level)', 'a tariff (currency, flatFee, kWhPrice, hourPrice, idle, priceText, receiptUrl)', raw);
  const unknown = Object.keys(raw).find((k) => !KEYS.includes(k));
  if (unknown !== undefined) throw new Error(`${unknown}: unknown key (known: ${KEYS.join(', ')})`);
  const price = (key: string, value: unknown): number => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : fail(key, 'a price of 0 or more', value));
  const { currency, idle, priceText, receiptUrl } = raw;
  if (typeof currency !== 'string' || !/^\S{1,8}$/.test(currency)) fail('currency', 'a currency of 1 to 8 characters without spaces (e.g. EUR)', currency);
  const tariff: { -readonly [K in keyof Tariff]: Tariff[K] } = {
    currency: currency as string,
    flatFee: price('flatFee', raw.flatFee ?? 0),
    kWhPrice: price('kWhPrice', raw.kWhPrice),
    hourPrice: price('hourPrice', raw.hourPrice ?? 0),
  };
  if (idle !== undefined) {
    if (!isRecord(idle)) fail('idle', 'a section (idle: graceMinutes, hourPrice)', idle);
    const i = idle as Record<string, unknown>;
    const grace = i.graceMinutes ?? 0;
    if (typeof grace !== 'number' || !Number.isInteger(grace) || grace < 0) fail('idle.graceMinutes', 'whole minutes, 0 or more', grace);
    tariff.idle = { graceMinutes: grace as number, hourPrice: price('idle.hourPrice', i.hourPrice) };
  }
  if (priceText !== undefined) tariff.priceText = typeof priceText === 'string' && priceText.length > 0 ? priceText : fail('priceText', 'a text', priceText);
  if (receiptUrl !== undefined) {
    const ok = typeof receiptUrl === 'string' && URL.canParse(receiptUrl.replace('{transactionId}', '1')) && /^https?:/.test(receiptUrl);
    tariff.receiptUrl = ok ? (receiptUrl as string) : fail('receiptUrl', 'an http(s) URL (with {transactionId} where the id goes)', receiptUrl);
  }
  return tariff;
}
