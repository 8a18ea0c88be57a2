/**
 * Prices and costs for the driver, whatever OCPP version brings them (DESIGN.md §10): the driver's
 * price after authorization, the running cost of a session (the CSMS's cost plus what was used
 * since, ./runningCost.ts, updated with every meter reading), and the final cost with a receipt
 * link. It shows them on the driver display (agent/display/DisplayService.ts). The OCPP 1.6
 * messages (OCA California Pricing, DataTransfer org.openchargealliance.costmsg) are translated to
 * these calls in ./costMessages.ts.
 */
import type { Logger } from 'pino';
import type { Clock, MeterReading } from '../../hal/index.js';
import type { Agent } from '../Agent.js';
import type { DisplayService } from '../display/DisplayService.js';
import type { TransactionEvent } from '../transactions/TransactionManager.js';
import type { StatusChange } from '../charging/ConnectorController.js';
import { registerCostMessages } from './costMessages.js';
import { MeterTriggers } from './MeterTriggers.js';
import { costAt, formatCost, type PriceText, type RunningCost } from './runningCost.js';

export interface PricingServiceOptions {
  agent: Agent;
  display: DisplayService;
  clock: Clock;
  log: Logger;
  /** Language of the number notation when the Language key is empty (the display's). */
  language: string;
  /** Shown after cost values (e.g. EUR); empty: none (the CSMS's price texts name it). */
  currency: string;
}

/** How many ended transactions are remembered for their FinalCost. */
const RECENT = 32;

export class PricingService {
  private readonly running = new Map<number, RunningCost>();
  /** Price texts by idTag, until a session of that idTag ends. */
  private readonly userPrices = new Map<string, string>();
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

  constructor(private readonly o: PricingServiceOptions) {}

  /** Follows the sessions and meters; the CSMS reaches it with the 1.6 DataTransfer messages of ./costMessages.ts. */
  start(): void {
    const { agent } = this.o;
    this.detach.push(registerCostMessages(agent.vendors, this));
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
  }

  /** The driver's price after authorization (SetUserPrice): shown with the session of `idTag`. */
  setUserPrice(idTag: string, price: PriceText): void {
    const text = this.inLanguage(price);
    this.userPrices.set(idTag, text);
    for (const c of this.o.agent.connectors) {
      const tx = this.o.agent.transactions.get(c.connectorId);
      // A session of this idTag, or a connector being prepared for the card just authorized.
      if (tx ? tx.idTag === idTag : c.status === 'Preparing') this.o.display.setPriceText(c.connectorId, text);
    }
  }

  /**
   * The running cost of a transaction here (RunningCost); false when no such transaction runs here.
   * The CSMS sends the first one right after its StartTransaction answer, which may overtake the
   * charger learning the transactionId: while a transaction here still awaits its id, it is kept
   * until the id is known.
   */
  setRunningCost(rc: RunningCost): boolean {
    const { transactions, connectors } = this.o.agent;
    const connectorId = transactions.connectorOfTransaction(rc.transactionId);
    if (connectorId === undefined) {
      const awaitingId = connectors.some((c) => c.hasTransaction && transactions.transactionIdOn(c.connectorId) === undefined);
      if (awaitingId) {
        this.pending.set(rc.transactionId, rc);
        if (this.pending.size > RECENT) this.pending.delete(this.pending.keys().next().value!);
      }
      return awaitingId;
    }
    this.running.set(connectorId, rc);
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
    this.o.display.setFinalCost(connectorId, {
      cost: this.format(cost),
      ...(price && { priceText: this.inLanguage(price) }),
      ...(receiptUrl !== undefined && { receiptUrl }),
    });
    return true;
  }

  /** The latest cost the CSMS told of a recent transaction, in the configured currency (for the dashboard). */
  costOf(transactionId: number): { amount: number; currency: string } | undefined {
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
    if (!this.o.agent.config.getBool('CustomIdleFeeAfterStop')) return;
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
      const text = this.userPrices.get(e.idTag);
      if (text !== undefined) this.o.display.setPriceText(e.connectorId, text);
      return;
    }
    if (e.event === 'confirmed') {
      const rc = this.pending.get(e.transactionId);
      this.pending.delete(e.transactionId);
      if (rc) this.setRunningCost(rc);
      return;
    }
    // Stopped: the vehicle leaves now (the unplug ended it) or later (ConnectorUnplugged then).
    const pilot = this.o.agent.options.hardware.connectors.find((c) => c.connectorId === e.connectorId)?.pilot.state;
    const t = { localId: e.localId, ...(e.transactionId !== undefined && { transactionId: e.transactionId }) };
    if (pilot === 'A') this.unplugged(e.connectorId, t, e.timestamp);
    else this.awaitingUnplug.set(e.connectorId, t);
    const rc = this.running.get(e.connectorId);
    this.running.delete(e.connectorId);
    this.triggers.get(e.connectorId)?.clear();
    if (e.startIdTag !== undefined) this.userPrices.delete(e.startIdTag);
    // Until the FinalCost comes, the summary shows the last running cost.
    if (rc) this.o.display.setFinalCost(e.connectorId, { cost: this.format(costAt(rc, e.timestamp, e.meterStopWh)) });
    if (e.transactionId === undefined) return;
    // The FinalCost that follows finds its connector here.
    this.ended.set(e.transactionId, e.connectorId);
    if (this.ended.size > RECENT) this.ended.delete(this.ended.keys().next().value!);
  }

  private showCost(connectorId: number, reading: MeterReading | undefined): void {
    const rc = this.running.get(connectorId);
    if (!rc) return;
    const tx = this.o.agent.transactions.get(connectorId);
    if (reading && tx) this.triggers.get(connectorId)?.reading(reading.energyWh - tx.meterStartWh, reading.powerW);
    const cost = costAt(rc, this.o.clock.now(), reading?.energyWh ?? rc.meterValue);
    this.o.display.setSessionCost(connectorId, this.format(cost));
  }

  /** The Language key (the CSMS may change it), else the display's language. */
  private get language(): string {
    return this.o.agent.config.getString('Language') || this.o.language;
  }

  private format(cost: number): string {
    return formatCost(cost, this.o.agent.config.getInt('NumberOfDecimalsForCostValues'), this.language, this.o.currency || undefined);
  }

  private inLanguage(price: PriceText): string {
    const primary = this.language.toLowerCase().split('-')[0]!;
    const match = Object.entries(price.byLanguage ?? {}).find(([lang]) => lang.toLowerCase().split(/[-_]/)[0] === primary);
    return match ? match[1] : price.text;
  }
}
