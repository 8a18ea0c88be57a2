/**
 * Where the services that show things to the driver (agent/display: operator messages;
 * agent/pricing: prices and costs) plug into a protocol face that has messages for them — today
 * OCPP 2.0.1's display messages (O) and tariff and cost (I). The services are made after the Agent
 * (by whoever has a display) and register here when they start; the face reaches them through
 * these ports, so agent/ocpp never imports them (DESIGN.md §10). Under 1.6 the same services are
 * reached through DataTransfer vendors instead, and nothing here is called.
 *
 * Per charger: one small object with two optional slots.
 */
import type { ClearMessageStatusEnumType, DisplayMessageStatusEnumType, MessageInfoType, MessagePriorityEnumType, MessageStateEnumType, StatusInfoType } from '../ocpp201/messages.js';

/** A text in its languages: `text` the default, `byLanguage` the translations (RFC 5646 tags). */
export interface DriverText {
  readonly text: string;
  readonly byLanguage?: Readonly<Record<string, string>>;
}

/** Unit prices of the OCA California Pricing messages (per kWh, per hour, per session). */
export interface CostPrices {
  readonly kWhPrice?: number;
  readonly hourPrice?: number;
  readonly flatFee?: number;
}

/**
 * The running cost of a transaction as the CSMS tells it: its cost up to a meter value (Wh) and
 * time, and the prices from then on (OCA RunningCost; in 2.0.1 totalCost with the costmsg
 * customData). `transactionId` is the shared number (the 2.0.1 id's decimal value).
 */
export interface RunningCostFigures {
  readonly transactionId: number;
  readonly timestamp: string;
  readonly meterValue: number;
  readonly cost: number;
  readonly state: 'Charging' | 'Idle';
  readonly chargingPrice: CostPrices;
  readonly idlePrice?: { readonly graceMinutes?: number; readonly hourPrice?: number };
  readonly nextPeriod?: { readonly atTime: string; readonly chargingPrice: CostPrices; readonly idlePrice?: { readonly graceMinutes?: number; readonly hourPrice?: number } };
  readonly triggerMeterValue?: { readonly atTime?: string; readonly atEnergykWh?: number; readonly atPowerkW?: number; readonly atCPStatus?: readonly string[] };
}

/** The tariff and cost service (agent/pricing/PricingService.ts), as a face calls it. */
export interface TariffCostPort {
  /** The currency costs are in (TariffCostCtrlr.Currency); empty: not configured. */
  readonly currency: string;
  /** The driver's price after authorization, shown with the session of `idTag`. */
  setUserPrice(idTag: string, price: DriverText): void;
  /** A new price text for a running transaction (2.0.1 updatedPersonalMessage); false when it does not run here. */
  setSessionPriceText(transactionId: number, price: DriverText): boolean;
  /** The running cost of a transaction here; false when it does not run here. */
  setRunningCost(rc: RunningCostFigures): boolean;
  /** The final cost of a transaction that ended here; false when it is not known here. */
  setFinalCost(transactionId: number, cost: number, price: DriverText | undefined, receiptUrl: string | undefined): boolean;
}

/** What SetDisplayMessage is answered. */
export interface DisplayMessageAnswer {
  readonly status: DisplayMessageStatusEnumType;
  readonly statusInfo?: StatusInfoType;
}

/** The operator messages of the driver displays (agent/display), as a face calls them. */
export interface DisplayMessagePort {
  /** Messages kept now, and at most. */
  readonly count: number;
  readonly max: number;
  /** Keeps (and shows) a message, or says why not. */
  set(message: MessageInfoType): Promise<DisplayMessageAnswer>;
  /** The messages matching every criterion given, by id. */
  find(filter: { id?: readonly number[]; priority?: MessagePriorityEnumType; state?: MessageStateEnumType }): MessageInfoType[];
  clear(id: number): Promise<ClearMessageStatusEnumType>;
}

export class DriverPorts {
  /** Present while a pricing service runs on this charger. */
  tariffCost: TariffCostPort | undefined = undefined;
  /** Present while a display service with operator messages runs on this charger. */
  displayMessages: DisplayMessagePort | undefined = undefined;
}
