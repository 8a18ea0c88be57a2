/**
 * What the dashboard follows of the running charger: the status view on every change, a power and
 * energy sample per connector every `sampleMs`, and the last transactions. It outlives the Agent:
 * a Reset makes `evse run` create a new Agent (and, after a Hard reset, new hardware), which is
 * attached again; the history and the transactions stay.
 *
 * Samples come from the meter's newest reading. A serial meter is polled by its driver, so its
 * `lastReading` is fresh and is read here only when it is older than two sample periods (a meter
 * nobody polls); a simulated meter is read only when someone asks, so it is read every period.
 * Never two reads of one meter at once; a sample shows the reading of the period before.
 */
import { EventEmitter } from 'node:events';
import type { Agent } from '../../agent/Agent.js';
import type { TransactionEvent } from '../../agent/transactions/TransactionManager.js';
import type { Clock, MeterReading, TimerId } from '../../hal/index.js';
import type { SimulatedCharger } from '../../hal/sim/createSimulatedCharger.js';
import { chargerView, maskIdTag, type ChargerView, type CurrentScreen, type TransactionCost } from './chargerView.js';

/** A cost of a transaction as the pricing service (issue 17 item 2) will report it. */
export type { TransactionCost } from './chargerView.js';

/**
 * Where the cost of a transaction comes from (the pricing service of issue 17 item 2 plugs in
 * here; it may know a transaction by the journal's `localId` or the CSMS's `transactionId`).
 * Until one does, no cost is shown.
 */
export type TransactionCostOf = (tx: Readonly<Pick<TransactionRow, 'localId' | 'connectorId' | 'transactionId'>>) => TransactionCost | undefined;

export interface TransactionRow {
  localId: string;
  connectorId: number;
  transactionId?: number;
  /** The idTag that started it, masked (first 4 characters). */
  idTag?: string;
  startedAt?: string;
  stoppedAt?: string;
  meterStartWh?: number;
  meterStopWh?: number;
  energyWh?: number;
  stopReason?: string;
  /** null until a pricing service provides costs. */
  cost: TransactionCost | null;
}

export interface Sample {
  t: number;
  connectors: { connectorId: number; powerW: number | null; energyWh: number | null }[];
}

export interface FeedEvents {
  status: [view: ChargerView];
  sample: [sample: Sample];
  transactions: [rows: TransactionRow[]];
}

export interface ChargerFeedOptions {
  clock: Clock;
  /** The CSMS URL shown (without credentials). */
  csmsUrl: string;
  /** Default 1000 ms. */
  sampleMs?: number;
  /** Samples kept for the graph (default 900: 15 minutes at 1 s). */
  historySamples?: number;
  /** Transactions kept, newest first (default 20). */
  maxTransactions?: number;
  currentScreen?: CurrentScreen;
  transactionCost?: TransactionCostOf;
  /** Transactions of earlier runs (e.g. from the session history), newest first. */
  pastTransactions?: readonly TransactionRow[];
}

interface Attached {
  agent: Agent;
  sim: SimulatedCharger | undefined;
  off: () => void;
}

export class ChargerFeed extends EventEmitter<FeedEvents> {
  private attached: Attached | undefined;
  private readonly history: Sample[] = [];
  private readonly rows: TransactionRow[] = [];
  private readonly readings: (MeterReading | undefined)[] = [];
  private readonly reading = new Set<number>();
  private timer: TimerId | undefined;
  private viewQueued = false;

  constructor(private readonly o: ChargerFeedOptions) {
    super();
    this.rows.push(...(o.pastTransactions ?? []).slice(0, o.maxTransactions ?? 20).map((r) => ({ ...r })));
  }

  /** Follows this agent (and its simulated hardware) from now on, instead of any earlier one. */
  attach(agent: Agent, sim?: SimulatedCharger): void {
    this.detach();
    const changed = () => this.viewChanged();
    const onTransaction = (e: TransactionEvent) => this.transactionEvent(e);
    const readers = agent.options.hardware.connectors.map((hw, i) => {
      const onReading = (r: MeterReading) => {
        const seen = this.readings[i];
        if (!seen || r.timestamp >= seen.timestamp) this.readings[i] = r;
      };
      hw.meter.on('reading', onReading);
      return () => hw.meter.off('reading', onReading);
    });
    agent.on('status', changed);
    agent.on('card', changed);
    agent.on('cardRefused', changed);
    agent.on('transaction', onTransaction);
    agent.link.on('state', changed);
    this.attached = {
      agent,
      sim,
      off: () => {
        agent.off('status', changed);
        agent.off('card', changed);
        agent.off('cardRefused', changed);
        agent.off('transaction', onTransaction);
        agent.link.off('state', changed);
        for (const off of readers) off();
      },
    };
    this.readings.length = 0;
    if (this.timer === undefined) this.tick();
    this.viewChanged();
  }

  detach(): void {
    this.attached?.off();
    this.attached = undefined;
  }

  /** Stops sampling and following. */
  close(): void {
    this.detach();
    this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  get sim(): SimulatedCharger | undefined {
    return this.attached?.sim;
  }

  get agent(): Agent | undefined {
    return this.attached?.agent;
  }

  /** The current view; undefined while no agent runs (between a Reset and the restart). */
  view(): ChargerView | undefined {
    const a = this.attached;
    if (!a) return undefined;
    const view = chargerView({ agent: a.agent, sim: a.sim, csmsUrl: this.o.csmsUrl, currentScreen: this.o.currentScreen, readings: this.readings, now: this.o.clock.now() });
    // The running transaction's cost so far moves with its energy (the list has it too).
    for (const c of view.connectors) {
      const cost = c.transaction && this.o.transactionCost?.({ localId: c.transaction.localId, connectorId: c.connectorId, ...(c.transaction.transactionId !== undefined && { transactionId: c.transaction.transactionId }) });
      if (c.transaction && cost) c.transaction.cost = cost;
    }
    return view;
  }

  samples(): readonly Sample[] {
    return this.history;
  }

  /** Newest first, with the cost the pricing service reports (null without one). */
  transactions(): TransactionRow[] {
    return this.rows.map((r) => ({ ...r, cost: this.o.transactionCost?.(r) ?? null }));
  }

  /**
   * Something the view shows changed outside the agent's events (a display showed new content, a
   * cost arrived): publish the view now rather than with the next sample.
   */
  refresh(): void {
    this.viewChanged();
  }

  /** Several changes in one turn (a status and a transaction event) make one view event. */
  private viewChanged(): void {
    if (this.viewQueued) return;
    this.viewQueued = true;
    queueMicrotask(() => {
      this.viewQueued = false;
      const view = this.view();
      if (view) this.emit('status', view);
    });
  }

  private tick(): void {
    const period = this.o.sampleMs ?? 1000;
    this.timer = this.o.clock.setTimeout(() => this.tick(), period);
    const a = this.attached;
    if (!a) return;
    const now = this.o.clock.now();
    const hw = a.agent.options.hardware.connectors;
    hw.forEach((c, i) => {
      const r = this.readings[i] ?? c.meter.lastReading;
      if (r && (!this.readings[i] || r.timestamp > this.readings[i].timestamp)) this.readings[i] = r;
      const stale = !r || (a.sim ? true : now - r.timestamp > 2 * period);
      if (stale && !this.reading.has(i)) {
        this.reading.add(i);
        // A failing meter reports its own fault (the connector shows it); the sample has a gap.
        void c.meter
          .read()
          .catch(() => undefined)
          .finally(() => this.reading.delete(i));
      }
    });
    const sample: Sample = {
      t: now,
      connectors: hw.map((_, i) => {
        const r = this.readings[i];
        const fresh = r !== undefined && now - r.timestamp <= 3 * period;
        return { connectorId: i + 1, powerW: fresh ? r.powerW : null, energyWh: r ? r.energyWh : null };
      }),
    };
    this.history.push(sample);
    if (this.history.length > (this.o.historySamples ?? 900)) this.history.shift();
    this.emit('sample', sample);
    // Energy and power in the view move with the samples too.
    this.viewChanged();
  }

  private transactionEvent(e: TransactionEvent): void {
    const at = (t: number) => new Date(t).toISOString();
    let row = this.rows.find((r) => r.localId === e.localId);
    if (!row) {
      row = { localId: e.localId, connectorId: e.connectorId, cost: null };
      this.rows.unshift(row);
      this.rows.length = Math.min(this.rows.length, this.o.maxTransactions ?? 20);
    }
    if (e.transactionId !== undefined) row.transactionId = e.transactionId;
    if (e.event === 'started') {
      Object.assign(row, { startedAt: at(e.timestamp), meterStartWh: e.meterStartWh });
      // Begun at the plug-in (OCPP 2.0.1 TxStartPoint EVConnected): no driver until a card authorizes it.
      if (e.idTag !== '') row.idTag = maskIdTag(e.idTag);
    } else if (e.event === 'authorized') {
      row.idTag = maskIdTag(e.idTag); // begun at the plug-in: the driver authorized since
    } else if (e.event === 'stopped') {
      Object.assign(row, { stoppedAt: at(e.timestamp), meterStopWh: e.meterStopWh, stopReason: e.reason });
      if (row.idTag === undefined && e.startIdTag !== undefined) row.idTag = maskIdTag(e.startIdTag);
      const start = e.meterStartWh ?? row.meterStartWh;
      if (start !== undefined) Object.assign(row, { meterStartWh: start, energyWh: Math.max(0, e.meterStopWh - start) });
    }
    this.emit('transactions', this.transactions());
    this.viewChanged();
  }
}
