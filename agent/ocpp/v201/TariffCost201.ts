/**
 * OCPP 2.0.1 tariff and cost (functional block I) with the OCA "California Pricing" additions for
 * 2.0.1, translated to the tariff and cost service (../DriverPorts.ts, agent/pricing):
 *
 * | 2.0.1                                                   | the service                                  |
 * |---------------------------------------------------------|----------------------------------------------|
 * | AuthorizeResponse idTokenInfo.personalMessage (I01)     | the driver's price for that idToken           |
 * | TransactionEventResponse idTokenInfo.personalMessage    | the same, for the idToken of the event        |
 * | TransactionEventResponse updatedPersonalMessage         | a new price text for the running session; with an Ended, the final cost's text |
 * | TransactionEventResponse totalCost, Started / Updated (I02) | the running cost                          |
 * | TransactionEventResponse totalCost, Ended (I03)         | the final cost (customData qrCodeText: the receipt link) |
 * | CostUpdated {totalCost, transactionId} (I02)            | the running cost                              |
 *
 * The California Pricing whitepaper for 2.0.1 carries what 1.6 sends in RunningCost in `customData`
 * of vendorId org.openchargealliance.costmsg (timestamp, meterValue, state, chargingPrice,
 * idlePrice, nextPeriod, triggerMeterValue): with it the charger counts the cost on between the
 * CSMS's figures; without it the CSMS's totalCost is shown as it is. Texts in more languages come
 * as `personalMessageExtra` (idTokenInfo.customData) or `updatedPersonalMessageExtra` (the
 * response's customData), vendorId org.openchargealliance.multilanguage. Pure translation; module-level.
 */
import type { DriverText, RunningCostFigures, TariffCostPort } from '../DriverPorts.js';
import type { CostUpdatedRequest, CustomDataType, IdTokenInfoType, MessageContentType, TransactionEventRequest, TransactionEventResponse } from '../../ocpp201/messages.js';

export const COST_VENDOR_ID = 'org.openchargealliance.costmsg';
export const MULTI_LANGUAGE_VENDOR_ID = 'org.openchargealliance.multilanguage';

type Loose = Record<string, unknown>;
const isRecord = (v: unknown): v is Loose => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isTime = (v: unknown): v is string => typeof v === 'string' && !Number.isNaN(Date.parse(v));

function prices(v: unknown): RunningCostFigures['chargingPrice'] | undefined {
  if (!isRecord(v)) return undefined;
  const out: { kWhPrice?: number; hourPrice?: number; flatFee?: number } = {};
  for (const k of ['kWhPrice', 'hourPrice', 'flatFee'] as const) {
    if (v[k] === undefined) continue;
    if (!isNumber(v[k])) return undefined;
    out[k] = v[k];
  }
  return out;
}

function idlePrice(v: unknown): RunningCostFigures['idlePrice'] | undefined {
  if (!isRecord(v)) return undefined;
  const grace = v.graceMinutes;
  if ((grace !== undefined && !(Number.isInteger(grace) && isNumber(grace))) || (v.hourPrice !== undefined && !isNumber(v.hourPrice))) return undefined;
  return { ...(grace !== undefined && { graceMinutes: grace as number }), ...(v.hourPrice !== undefined && { hourPrice: v.hourPrice as number }) };
}

/** A text with the translations of `extra` (messages that name their language). Non-text formats are not shown as a price. */
export function driverText(main: MessageContentType | undefined, extra: unknown): DriverText | undefined {
  const all = [main, ...(Array.isArray(extra) ? extra : [])].filter((m): m is MessageContentType => isRecord(m) && typeof m.content === 'string' && m.format !== 'HTML' && m.format !== 'URI');
  const first = all[0];
  if (!first) return undefined;
  const byLanguage = Object.fromEntries(all.filter((m) => typeof m.language === 'string').map((m) => [m.language!, m.content]));
  return { text: first.content, ...(Object.keys(byLanguage).length > 0 && { byLanguage }) };
}

const custom = (data: CustomDataType | undefined): Loose | undefined => (isRecord(data) ? (data as unknown as Loose) : undefined);

/**
 * The running cost a CSMS tells for `transactionId` at `fallbackTime`: with the costmsg customData
 * its prices and meter value; without, the total alone (nothing is added to it until the next).
 */
export function runningCostOf(transactionId: number, totalCost: number, data: CustomDataType | undefined, fallbackTime: string): RunningCostFigures {
  const c = custom(data);
  const charging = c?.vendorId === COST_VENDOR_ID ? prices(c.chargingPrice) : undefined;
  if (!c || !charging || !isTime(c.timestamp) || !(Number.isInteger(c.meterValue) && isNumber(c.meterValue))) {
    return { transactionId, timestamp: fallbackTime, meterValue: 0, cost: totalCost, state: 'Charging', chargingPrice: {} };
  }
  const idle = idlePrice(c.idlePrice);
  const next = isRecord(c.nextPeriod) && isTime(c.nextPeriod.atTime) ? { atTime: c.nextPeriod.atTime, chargingPrice: prices(c.nextPeriod.chargingPrice), idlePrice: idlePrice(c.nextPeriod.idlePrice) } : undefined;
  const trigger = isRecord(c.triggerMeterValue) ? (c.triggerMeterValue as RunningCostFigures['triggerMeterValue']) : undefined;
  return {
    transactionId,
    timestamp: c.timestamp,
    meterValue: c.meterValue as number,
    cost: totalCost,
    state: c.state === 'Idle' ? 'Idle' : 'Charging',
    chargingPrice: charging,
    ...(idle && { idlePrice: idle }),
    ...(next?.chargingPrice && { nextPeriod: { atTime: next.atTime, chargingPrice: next.chargingPrice, ...(next.idlePrice && { idlePrice: next.idlePrice }) } }),
    ...(trigger && { triggerMeterValue: trigger }),
  };
}

/** The shared transaction number of a 2.0.1 transactionId made here (its decimal form), else undefined. */
export function sharedTransactionId(transactionId: string): number | undefined {
  return /^\d{1,16}$/.test(transactionId) ? Number(transactionId) : undefined;
}

/** An Authorize answer's (or an event's) idTokenInfo: its personal message is the driver's price. */
export function tellPersonalMessage(port: TariffCostPort, idTag: string, info: IdTokenInfoType | undefined): void {
  if (!info || info.status !== 'Accepted') return;
  const extra = custom(info.customData);
  const text = driverText(info.personalMessage, extra?.vendorId === MULTI_LANGUAGE_VENDOR_ID ? extra.personalMessageExtra : undefined);
  if (text) port.setUserPrice(idTag, text);
}

/** What a TransactionEventResponse tells of prices and costs, for the event it answers. */
export function tellTransactionAnswer(port: TariffCostPort, event: TransactionEventRequest, answer: TransactionEventResponse): void {
  const transactionId = sharedTransactionId(event.transactionInfo.transactionId);
  if (transactionId === undefined) return;
  if (event.idToken) tellPersonalMessage(port, event.idToken.idToken, answer.idTokenInfo);
  const c = custom(answer.customData);
  const text = driverText(answer.updatedPersonalMessage, c?.updatedPersonalMessageExtra);
  if (event.eventType === 'Ended') {
    if (answer.totalCost === undefined) return;
    const qr = typeof c?.qrCodeText === 'string' && c.qrCodeText.length > 0 ? c.qrCodeText : undefined;
    port.setFinalCost(transactionId, answer.totalCost, text, qr);
    return;
  }
  if (text) port.setSessionPriceText(transactionId, text);
  if (answer.totalCost !== undefined) port.setRunningCost(runningCostOf(transactionId, answer.totalCost, answer.customData, event.timestamp));
}

/** CostUpdated: the running cost of a transaction here (one not running here is ignored: the message cannot be refused). */
export function tellCostUpdated(port: TariffCostPort, request: CostUpdatedRequest, now: string): boolean {
  const transactionId = sharedTransactionId(request.transactionId);
  return transactionId !== undefined && port.setRunningCost(runningCostOf(transactionId, request.totalCost, request.customData, now));
}
