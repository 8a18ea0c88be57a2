/**
 * OCPP 1.6 face of the pricing service: the OCA "California Pricing" DataTransfer messages
 * (vendorId {@link COST_VENDOR_ID}, the JSON payload as text in `data`) translated to
 * PricingService calls (docs/display.md, Prices and costs):
 *
 * - `SetUserPrice` {idToken, priceText, priceTextExtra?[{format, language, content}]}: Accepted;
 * - `RunningCost` {transactionId, timestamp, meterValue, cost, state, chargingPrice, idlePrice?,
 *   nextPeriod?, triggerMeterValue?}: Accepted, Rejected for a transaction not running here;
 * - `FinalCost` {transactionId, cost, priceText, priceTextExtra?, qrCodeText?}: Accepted, Rejected
 *   for a transaction not known here.
 * A payload that is not JSON or not of that shape is Rejected. Other messageIds: UnknownMessageId.
 */
import type { DataTransferVendors } from '../DataTransferVendors.js';
import type { DataTransferResponse } from '../ocpp16/messages.js';
import { Ajv } from '../jsonSchema.js';
import type { PriceText, RunningCost } from './runningCost.js';

/** What the messages are translated to (agent/pricing/PricingService.ts). */
export interface PricingCalls {
  setUserPrice(idTag: string, price: PriceText): void;
  setRunningCost(rc: RunningCost): boolean;
  setFinalCost(transactionId: number, cost: number, price: PriceText | undefined, receiptUrl: string | undefined): boolean;
}

export const COST_VENDOR_ID = 'org.openchargealliance.costmsg';

const money = { type: 'number', minimum: 0 } as const;
const chargingPrice = { type: 'object', properties: { kWhPrice: money, hourPrice: money, flatFee: money } } as const;
const idlePrice = { type: 'object', properties: { graceMinutes: { type: 'integer', minimum: 0 }, hourPrice: money } } as const;
const dateTime = { type: 'string', format: 'date-time' } as const;
const priceTextExtra = {
  type: 'array',
  items: { type: 'object', required: ['format', 'content'], properties: { format: { type: 'string' }, language: { type: 'string' }, content: { type: 'string' } } },
} as const;
const transactionId = { type: 'integer' } as const;

const ajv = new Ajv({ allErrors: false, strict: false, validateSchema: false }).addFormat('date-time', (s: string) => !Number.isNaN(Date.parse(s)));
type Extra = { format: string; language?: string; content: string }[];
const isUserPrice = ajv.compile<{ idToken: string; priceText: string; priceTextExtra?: Extra }>({
  type: 'object',
  required: ['idToken', 'priceText'],
  properties: { idToken: { type: 'string', minLength: 1, maxLength: 36 }, priceText: { type: 'string' }, priceTextExtra },
});
const isRunningCost = ajv.compile<RunningCost>({
  type: 'object',
  required: ['transactionId', 'timestamp', 'meterValue', 'cost', 'state', 'chargingPrice'],
  properties: {
    transactionId,
    timestamp: dateTime,
    meterValue: { type: 'integer', minimum: 0 },
    cost: money,
    state: { type: 'string', enum: ['Charging', 'Idle'] },
    chargingPrice,
    idlePrice,
    nextPeriod: { type: 'object', required: ['atTime', 'chargingPrice'], properties: { atTime: dateTime, chargingPrice, idlePrice } },
    triggerMeterValue: { type: 'object' },
  },
});
const isFinalCost = ajv.compile<{ transactionId: number; cost: number; priceText: string; priceTextExtra?: Extra; qrCodeText?: string }>({
  type: 'object',
  required: ['transactionId', 'cost', 'priceText'],
  properties: { transactionId, cost: money, priceText: { type: 'string' }, priceTextExtra, qrCodeText: { type: 'string', minLength: 1 } },
});

const priceOf = (priceText: string, extra: Extra | undefined): PriceText => ({
  text: priceText,
  ...(extra && { byLanguage: Object.fromEntries(extra.filter((e) => e.language !== undefined).map((e) => [e.language!, e.content])) }),
});

function parse<T>(data: string | undefined, check: ((v: unknown) => v is T) & { errors?: unknown }): T | undefined {
  try {
    const value: unknown = JSON.parse(data ?? '');
    return check(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

const status = (accepted: boolean): DataTransferResponse => ({ status: accepted ? 'Accepted' : 'Rejected' });

/** Registers the California Pricing messages for `pricing`; returns the function that removes them. */
export function registerCostMessages(vendors: DataTransferVendors, pricing: PricingCalls): () => void {
  const removers = [
    vendors.register(
      COST_VENDOR_ID,
      (req) => {
        const m = parse(req.data, isUserPrice);
        if (!m) return status(false);
        pricing.setUserPrice(m.idToken, priceOf(m.priceText, m.priceTextExtra));
        return status(true);
      },
      'SetUserPrice',
    ),
    vendors.register(COST_VENDOR_ID, (req) => {
      const m = parse(req.data, isRunningCost);
      return status(m !== undefined && pricing.setRunningCost(m));
    }, 'RunningCost'),
    vendors.register(
      COST_VENDOR_ID,
      (req) => {
        const m = parse(req.data, isFinalCost);
        return status(m !== undefined && pricing.setFinalCost(m.transactionId, m.cost, priceOf(m.priceText, m.priceTextExtra), m.qrCodeText));
      },
      'FinalCost',
    ),
  ];
  return () => {
    for (const remove of removers) remove();
  };
}
