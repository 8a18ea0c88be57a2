/**
 * Prices and costs for the driver, whatever OCPP version brings them (DESIGN.md §10): the driver's
 * price after authorization, the running cost of a session (the CSMS's cost plus what was used
 * since, ./runningCost.ts, updated with every meter reading), and the final cost with a receipt
 * link. It shows them on the driver display (agent/display/DisplayService.ts). The OCPP 1.6
 * messages (OCA California Pricing, DataTransfer org.openchargealliance.costmsg) are translated to
 * these calls in ./costMessages.ts.
 *
 * Without a cost from the CSMS (offline, or before its first RunningCost) the charger estimates
 * the cost itself from DefaultPrice.chargingPrice, shown as an estimate until the CSMS's cost
 * replaces it. After the stop, while the vehicle stays plugged in and the session's price has an
 * idle fee (CustomIdleFeeAfterStop), the cost goes on rising at the idle price until the vehicle
 * leaves; the FinalCost the CSMS sends then is the total.
 */
import type { Logger } from 'pino';
import type { Clock, MeterReading } from '../../hal/index.js';
import type { Agent } from '../Agent.js';
import type { DisplayService } from '../display/DisplayService.js';
import type { CostValue } from '../display/screens.js';
import type { TransactionEvent } from '../transactions/TransactionManager.js';
import type { StatusChange } from '../charging/ConnectorController.js';
import { registerCostMessages } from './costMessages.js';
import { MeterTriggers } from './MeterTriggers.js';
import { costAt, type ChargingPrice, type PriceText, type RunningCost } from './runningCost.js';
import { localClock } from './timeOffset.js';
import type { TariffCostPort } from '../ocpp/DriverPorts.js';

export interface PricingServiceOptions {
  agent: Agent;
  display: DisplayService;
  clock: Clock;
  log: Logger;
  /** Shown after cost values (e.g. EUR); empty: none (the CSMS's price texts name it). */
  currency: string;
}

/** How many ended transactions are remembered for their FinalCost. */
const RECENT = 32;
/** How often the cost of an idle fee after the stop is shown anew, ms. */
const IDLE_REFRESH_MS = 5000;

/** A session ended with the vehicle still plugged in, an idle fee running (CustomIdleFeeAfterStop). */
interface IdleAfterStop {
  readonly localId: string;
  transactionId: number | undefined;
  /** The cost from the stop on: state Idle, from the stop's time and register. */
  rc: RunningCost;
  /** Since when the grace of `rc.idlePrice` counts: the stop, then each RunningCost's time. */
  idleSince: number;
  timer: number | undefined;
}

export class PricingService implements TariffCostPort {
  private readonly running = new Map<number, RunningCost>();
  /** Per connector, the charger's own cost of a session without a cost from the CSMS (DefaultPrice.chargingPrice). */
  private readonly estimates = new Map<number, RunningCost>();
  /** Per connector, the idle fee running after the stop until the vehicle leaves. */
  private readonly idleAfterStop = new Map<number, IdleAfterStop>();
  /** Connectors of ended transactions by local id, for a transactionId learnt after the stop. */
  private readonly endedLocal = new Map<string, number>();
  /** Price texts by idTag, until a session of that idTag ends. */
  private readonly userPrices = new Map<string, PriceText>();
  /** transactionId → connector of the transactions that ended lately (a FinalCost follows the StopTransaction). */
  private readonly ended = new Map<number, number>();
  private readonly detach: (() => void)[] = [];
  /** Per connector, when to send a meter value besides the regular samples (RunningCost.triggerMeterValue). */
  private readonly triggers = new Map<number, MeterTriggers>();
  /** CSMS transactionIds by local id, as far as known (for ConnectorUnplugged). */
  private readonly ids = new Map<string, number>();
  /** Per connector, the ended transaction whose vehicle is still plugged in. */
  private readonly awaitingUnplug = new Map<number, { localId: string; transactionId?: number }>();
  /** The latest cost the CSMS told of each recent transaction (RunningCost, then FinalCost), by transactionId. */
  private readonly costs = new Map<number, number>();
  /** RunningCosts for transactions whose id the charger has not learnt yet (see setRunningCost). */
  private readonly pending = new Map<number, RunningCost>();
  /** Price texts for transactions whose id the charger has not learnt yet (see setSessionPriceText). */
  private readonly pendingTexts = new Map<number, PriceText>();

  constructor(private readonly o: PricingServiceOptions) {}

  /**
   * Follows the sessions and meters; the CSMS reaches it with the 1.6 DataTransfer messages of
   * ./costMessages.ts, or through the charger's driver ports (OCPP 2.0.1 tariff and cost, agent/ocpp/v201/TariffCost201.ts).
   */
  start(): void {
    const { agent } = this.o;
    this.detach.push(registerCostMessages(agent.vendors, this));
    agent.driver.tariffCost = this;
    this.detach.push(() => {
      if (agent.driver.tariffCost === this) agent.driver.tariffCost = undefined;
    });
    const onTransaction = (e: TransactionEvent): void => this.onTransaction(e);
    const onStatus = (s: StatusChange): void => this.triggers.get(s.connectorId)?.status(s.status);
    agent.on('transaction', onTransaction);
    agent.on('status', onStatus);
    this.detach.push(() => agent.off('transaction', onTransaction), () => agent.off('status', onStatus));
    for (const hw of agent.options.hardware.connectors) {
      const onPilot = (state: string): void => {
        const waiting = this.awaitingUnplug.get(hw.connectorId);
        if (state !== 'A' || !waiting) return;
        this.awaitingUnplug.delete(hw.connectorId);
        this.unplugged(hw.connectorId, waiting, this.o.clock.now());
      };
      hw.pilot.on('state', onPilot);
      this.detach.push(() => hw.pilot.off('state', onPilot));
    }
    for (const c of agent.connectors) {
      const id = c.connectorId;
      const triggers = new MeterTriggers(this.o.clock, (why) => {
        if (!agent.transactions.get(id)) return;
        this.o.log.debug({ connector: id, trigger: why }, 'RunningCost trigger: sending a meter value');
        agent.transactions.sendTriggered(id).catch((err: unknown) => this.o.log.warn({ err, connector: id }, 'triggered meter value failed'));
      });
      this.triggers.set(id, triggers);
      this.detach.push(() => triggers.clear());
    }
    for (const hw of agent.options.hardware.connectors) {
      const onReading = (r: MeterReading): void => this.showCost(hw.connectorId, r);
      hw.meter.on('reading', onReading);
      this.detach.push(() => hw.meter.off('reading', onReading));
    }
  }

  stop(): void {
    for (const d of this.detach.splice(0)) d();
    for (const idle of this.idleAfterStop.values()) this.o.clock.clearTimeout(idle.timer);
    this.idleAfterStop.clear();
  }

  /** The driver's price after authorization (SetUserPrice): shown with the session of `idTag`, in the driver's language. */
  setUserPrice(idTag: string, price: PriceText): void {
    this.userPrices.set(idTag, price);
    for (const c of this.o.agent.connectors) {
      const tx = this.o.agent.transactions.get(c.connectorId);
      // A session of this idTag, or a connector being prepared for the card just authorized.
      if (tx ? tx.idTag === idTag : c.status === 'Preparing') this.o.display.setPriceText(c.connectorId, price);
    }
  }

  /** The currency costs are shown in (OCPP 2.0.1 TariffCostCtrlr.Currency). */
  get currency(): string {
    return this.o.currency;
  }

  /**
   * A new price text for a running transaction (OCPP 2.0.1 updatedPersonalMessage); false when it
   * does not run here. Like a running cost, one that overtakes the charger learning the
   * transaction's id is kept until the id is known.
   */
  setSessionPriceText(transactionId: number, price: PriceText): boolean {
    const connectorId = this.o.agent.transactions.connectorOfTransaction(transactionId);
    if (connectorId !== undefined) {
      this.o.display.setPriceText(connectorId, price);
      return true;
    }
    if (!this.awaitingId()) return false;
    this.pendingTexts.set(transactionId, price);
    if (this.pendingTexts.size > RECENT) this.pendingTexts.delete(this.pendingTexts.keys().next().value!);
    return true;
  }

  /** Whether a transaction here still awaits the id its CSMS knows it by. */
  private awaitingId(): boolean {
    const { transactions, connectors } = this.o.agent;
    return connectors.some((c) => c.hasTransaction && transactions.transactionIdOn(c.connectorId) === undefined);
  }

  /**
   * The running cost of a transaction here (RunningCost); false when no such transaction runs here.
   * The CSMS sends the first one right after its StartTransaction answer, which may overtake the
   * charger learning the transactionId: while a transaction here still awaits its id, it is kept
   * until the id is known.
   */
  setRunningCost(rc: RunningCost): boolean {
    const { transactions } = this.o.agent;
    const connectorId = transactions.connectorOfTransaction(rc.transactionId);
    const idle = connectorId === undefined ? this.idleOf(rc.transactionId) : undefined;
    if (idle) {
      // After the stop, the vehicle still plugged in: the CSMS's cost of the idle time so far (a
      // Charging one was sent before the CSMS knew of the stop: the stop's cost stands).
      if (rc.state !== 'Idle') return true;
      idle[1].rc = rc;
      idle[1].idleSince = Date.parse(rc.timestamp);
      this.remember(rc.transactionId, rc.cost);
      this.showIdleFee(idle[0]);
      return true;
    }
    if (connectorId === undefined) {
      const awaitingId = this.awaitingId();
      if (awaitingId) {
        this.pending.set(rc.transactionId, rc);
        if (this.pending.size > RECENT) this.pending.delete(this.pending.keys().next().value!);
      }
      return awaitingId;
    }
    this.running.set(connectorId, rc);
    this.estimates.delete(connectorId);
    this.remember(rc.transactionId, rc.cost);
    this.triggers.get(connectorId)?.set(rc.triggerMeterValue);
    const meter = this.o.agent.options.hardware.connectors.find((c) => c.connectorId === connectorId)?.meter;
    this.showCost(connectorId, meter?.lastReading);
    return true;
  }

  /** The final cost of a transaction that ended here (FinalCost); false when it is not known here. */
  setFinalCost(transactionId: number, cost: number, price: PriceText | undefined, receiptUrl: string | undefined): boolean {
    const connectorId = this.ended.get(transactionId) ?? this.o.agent.transactions.connectorOfTransaction(transactionId);
    if (connectorId === undefined) return false;
    this.remember(transactionId, cost);
    this.endIdleFee(connectorId);
    this.o.display.setFinalCost(connectorId, {
      cost: this.value(cost),
      ...(price && { priceText: price }),
      ...(receiptUrl !== undefined && { receiptUrl }),
    });
    return true;
  }

  /**
   * The cost of a recent transaction, in the configured currency (for the dashboard): while it
   * runs, the cost so far as the display shows it (the CSMS's cost plus what was used since);
   * after it, the latest cost the CSMS told.
   */
  costOf(transactionId: number): { amount: number; currency: string } | undefined {
    const connectorId = this.o.agent.transactions.connectorOfTransaction(transactionId);
    const rc = connectorId === undefined ? undefined : this.running.get(connectorId);
    if (rc && connectorId !== undefined) return { amount: costAt(rc, this.o.clock.now(), this.meterOf(connectorId) ?? rc.meterValue), currency: this.o.currency };
    const idle = this.idleOf(transactionId)?.[1];
    if (idle) return { amount: costAt(idle.rc, this.o.clock.now(), idle.rc.meterValue, idle.idleSince), currency: this.o.currency };
    const amount = this.costs.get(transactionId);
    return amount === undefined ? undefined : { amount, currency: this.o.currency };
  }

  private remember(transactionId: number, cost: number): void {
    this.costs.delete(transactionId);
    this.costs.set(transactionId, cost);
    if (this.costs.size > RECENT) this.costs.delete(this.costs.keys().next().value!);
  }

  /** Journals ConnectorUnplugged (CustomIdleFeeAfterStop), delivered like the transaction's messages. */
  private unplugged(connectorId: number, t: { localId: string; transactionId?: number }, at: number): void {
    // The idle fee stops with the unplug: the summary shows the cost then, until the FinalCost.
    const cost = this.endIdleFee(connectorId, at);
    if (cost !== undefined) this.o.display.setFinalCost(connectorId, { cost: this.value(cost) });
    if (!this.idleFeeAfterStop) return;
    const transactionId = t.transactionId ?? this.ids.get(t.localId);
    this.o.agent
      .journalConnectorUnplugged({ localId: t.localId, connectorId, ...(transactionId !== undefined && { transactionId }), timestamp: at })
      .catch((err: unknown) => this.o.log.error({ err, connector: connectorId }, 'ConnectorUnplugged could not be journaled'));
  }

  private onTransaction(e: TransactionEvent): void {
    if (e.transactionId !== undefined) this.ids.set(e.localId, e.transactionId);
    if (this.ids.size > RECENT) this.ids.delete(this.ids.keys().next().value!);
    if (e.event === 'started') {
      this.awaitingUnplug.delete(e.connectorId); // the vehicle never left: a new session of the same one
      this.endIdleFee(e.connectorId);
      const text = this.userPrices.get(e.idTag);
      if (text !== undefined) this.o.display.setPriceText(e.connectorId, text);
      this.startEstimate(e.connectorId, e.timestamp, e.meterStartWh);
      return;
    }
    if (e.event === 'confirmed') {
      const rc = this.pending.get(e.transactionId);
      this.pending.delete(e.transactionId);
      if (rc) this.setRunningCost(rc);
      const text = this.pendingTexts.get(e.transactionId);
      this.pendingTexts.delete(e.transactionId);
      if (text) this.setSessionPriceText(e.transactionId, text);
      // Learnt after its stop (started and stopped offline): the FinalCost that follows finds its connector.
      const ended = this.endedLocal.get(e.localId);
      if (ended !== undefined) this.endedTransaction(e.transactionId, ended);
      for (const idle of this.idleAfterStop.values()) if (idle.localId === e.localId) idle.transactionId = e.transactionId;
      return;
    }
    // The driver of a transaction begun at the plug-in: their SetUserPrice text, as at a start.
    if (e.event === 'authorized') {
      const text = this.userPrices.get(e.idTag);
      if (text !== undefined) this.o.display.setPriceText(e.connectorId, text);
      return;
    }
    // Stopped: the vehicle leaves now (the unplug ended it) or later (ConnectorUnplugged then).
    const pilot = this.o.agent.options.hardware.connectors.find((c) => c.connectorId === e.connectorId)?.pilot.state;
    const t = { localId: e.localId, ...(e.transactionId !== undefined && { transactionId: e.transactionId }) };
    if (pilot === 'A') this.unplugged(e.connectorId, t, e.timestamp);
    else this.awaitingUnplug.set(e.connectorId, t);
    const rc = this.running.get(e.connectorId);
    const estimate = this.estimates.get(e.connectorId);
    this.running.delete(e.connectorId);
    this.estimates.delete(e.connectorId);
    this.triggers.get(e.connectorId)?.clear();
    if (e.startIdTag !== undefined) this.userPrices.delete(e.startIdTag);
    // Until the FinalCost comes, the summary shows the last running cost (or the charger's estimate).
    const basis = rc ?? estimate;
    if (basis) {
      const cost = costAt(basis, e.timestamp, e.meterStopWh);
      const idlePrice = basis.nextPeriod && e.timestamp >= Date.parse(basis.nextPeriod.atTime) ? (basis.nextPeriod.idlePrice ?? basis.idlePrice) : basis.idlePrice;
      if (rc && pilot !== 'A' && (idlePrice?.hourPrice ?? 0) > 0 && this.idleFeeAfterStop) {
        const idleRc: RunningCost = { ...rc, state: 'Idle', cost, timestamp: new Date(e.timestamp).toISOString(), meterValue: e.meterStopWh, ...(idlePrice && { idlePrice }) };
        delete (idleRc as { nextPeriod?: unknown }).nextPeriod;
        this.idleAfterStop.set(e.connectorId, { localId: e.localId, transactionId: e.transactionId, rc: idleRc, idleSince: e.timestamp, timer: undefined });
        this.showIdleFee(e.connectorId);
      } else {
        this.o.display.setFinalCost(e.connectorId, { cost: this.value(cost, !rc), ...this.totalCostFallback(rc) });
      }
    } else {
      const fallback = this.totalCostFallback(undefined);
      if (fallback.priceText) this.o.display.setFinalCost(e.connectorId, fallback);
    }
    this.endedLocal.set(e.localId, e.connectorId);
    if (this.endedLocal.size > RECENT) this.endedLocal.delete(this.endedLocal.keys().next().value!);
    if (e.transactionId !== undefined) this.endedTransaction(e.transactionId, e.connectorId);
  }

  /**
   * OCPP 2.0.1 TotalCostFallbackMessage (I05): said with the summary of a session that ended while
   * the CSMS could not be reached and without a cost from it, until the CSMS's final cost replaces it.
   */
  private totalCostFallback(rc: RunningCost | undefined): { priceText?: PriceText } {
    const text = this.o.agent.config.getString('TotalCostFallbackMessage');
    return !rc && text && !this.o.agent.link.isAccepted ? { priceText: { text } } : {};
  }

  /**
   * OCA CustomIdleFeeAfterStop: an OCPP 1.6 extension (the idle fee after the stop, ConnectorUnplugged).
   * Under 2.0.1 a transaction's end is its end: idle time is billed within it (chargingState), and
   * the Ended answer's totalCost is the total.
   */
  private get idleFeeAfterStop(): boolean {
    return this.o.agent.options.ocppVersion !== '2.0.1' && this.o.agent.config.getBool('CustomIdleFeeAfterStop');
  }

  /** The FinalCost that follows a stop finds its connector here. */
  private endedTransaction(transactionId: number, connectorId: number): void {
    this.ended.set(transactionId, connectorId);
    if (this.ended.size > RECENT) this.ended.delete(this.ended.keys().next().value!);
  }

  /**
   * A session starts: until the CSMS tells its cost, the charger estimates it from
   * DefaultPrice.chargingPrice (flat fee, per kWh, per hour), if the CSMS set one.
   */
  private startEstimate(connectorId: number, at: number, meterStartWh: number): void {
    if (this.running.has(connectorId)) return;
    const chargingPrice = this.defaultChargingPrice();
    if (!chargingPrice) return;
    this.estimates.set(connectorId, { transactionId: -1, timestamp: new Date(at).toISOString(), meterValue: meterStartWh, cost: chargingPrice.flatFee ?? 0, state: 'Charging', chargingPrice });
    this.showCost(connectorId, undefined);
  }

  /**
   * The prices the charger estimates with: DefaultPrice.chargingPrice (OCA 1.6), else the
   * OfflineChargingPrice,<kWhPrice|hourPrice|flatFee> keys (OCPP 2.0.1 TariffCostCtrlr.OfflineChargingPrice), if any is set.
   */
  private defaultChargingPrice(): ChargingPrice | undefined {
    const { config } = this.o.agent;
    const raw = config.getString('DefaultPrice');
    if (raw) {
      try {
        const own = (JSON.parse(raw) as { chargingPrice?: ChargingPrice }).chargingPrice;
        if (own) return own;
      } catch {
        // Checked when set: not reached.
      }
    }
    const offline: { kWhPrice?: number; hourPrice?: number; flatFee?: number } = {};
    for (const part of ['kWhPrice', 'hourPrice', 'flatFee'] as const) {
      const v = config.getString(`OfflineChargingPrice,${part}`);
      if (v !== '') offline[part] = Number(v);
    }
    return Object.keys(offline).length > 0 ? offline : undefined;
  }

  /** The transaction whose idle fee after the stop runs, and its connector. */
  private idleOf(transactionId: number): [number, IdleAfterStop] | undefined {
    for (const entry of this.idleAfterStop) if (entry[1].transactionId === transactionId) return entry;
    return undefined;
  }

  /** Shows the cost of the ended session with the idle fee so far, again every few seconds until the vehicle leaves. */
  private showIdleFee(connectorId: number): void {
    const idle = this.idleAfterStop.get(connectorId);
    if (!idle) return;
    this.o.clock.clearTimeout(idle.timer);
    const cost = costAt(idle.rc, this.o.clock.now(), idle.rc.meterValue, idle.idleSince);
    this.o.display.setFinalCost(connectorId, { cost: this.value(cost), idleFee: true });
    idle.timer = this.o.clock.setTimeout(() => this.showIdleFee(connectorId), IDLE_REFRESH_MS);
  }

  /** The idle fee after the stop ends (the vehicle left, a FinalCost came, a new session began); returns the cost at `at`. */
  private endIdleFee(connectorId: number, at?: number): number | undefined {
    const idle = this.idleAfterStop.get(connectorId);
    if (!idle) return undefined;
    this.o.clock.clearTimeout(idle.timer);
    this.idleAfterStop.delete(connectorId);
    return at === undefined ? undefined : costAt(idle.rc, at, idle.rc.meterValue, idle.idleSince);
  }

  private showCost(connectorId: number, reading: MeterReading | undefined): void {
    const real = this.running.get(connectorId);
    const rc = real ?? this.estimates.get(connectorId);
    if (!rc) return;
    const tx = this.o.agent.transactions.get(connectorId);
    if (real && reading && tx) this.triggers.get(connectorId)?.reading(reading.energyWh - tx.meterStartWh, reading.powerW);
    const now = this.o.clock.now();
    const cost = costAt(rc, now, reading?.energyWh ?? this.meterOf(connectorId) ?? rc.meterValue);
    const change = rc.nextPeriod ? Date.parse(rc.nextPeriod.atTime) : Number.NaN;
    this.o.display.setSessionCost(connectorId, this.value(cost, !real), change > now ? localClock(change, this.timeOffset) : undefined);
  }

  private meterOf(connectorId: number): number | undefined {
    return this.o.agent.options.hardware.connectors.find((c) => c.connectorId === connectorId)?.meter.lastReading?.energyWh;
  }

  /** The OCA TimeOffset keys: the local time of the price changes shown. */
  private get timeOffset(): { timeOffset: string; transitionAt: string; nextOffset: string } {
    const { config } = this.o.agent;
    return { timeOffset: config.getString('TimeOffset'), transitionAt: config.getString('NextTimeOffsetTransitionDateTime'), nextOffset: config.getString('TimeOffsetNextTransition') };
  }

  /** A cost as the display writes it: NumberOfDecimalsForCostValues, the currency. */
  private value(amount: number, estimate = false): CostValue {
    return { amount, decimals: this.o.agent.config.getInt('NumberOfDecimalsForCostValues'), ...(this.o.currency && { currency: this.o.currency }), ...(estimate && { estimate }) };
  }
}
