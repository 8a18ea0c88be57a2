/**
 * What the display service remembers of one connector beyond its machine: the meter's newest
 * reading, when the running transaction started, the summary of the one that just ended (shown
 * until the driver leaves), and what a session told about its driver (language, cost so far).
 */
import type { MeterReading } from '../../hal/index.js';
import type { ConnectorController } from '../charging/ConnectorController.js';
import { VENTILATION_REFUSED_INFO } from '../charging/connectorSelectors.js';
import type { ActiveTransaction, TransactionEvent } from '../transactions/TransactionManager.js';
import type { ConnectorView, CostValue, LocalizedText } from './screens.js';
import { refusalOf, type RefusalReason } from './texts.js';

/**
 * A session's cost after its stop: the total (or the cost so far while an idle fee runs until the
 * vehicle leaves), the CSMS's text, a receipt URL for the QR code.
 */
export interface FinalCostText {
  /** Absent: no cost known yet (a text alone, e.g. OCPP 2.0.1 TotalCostFallbackMessage). */
  readonly cost?: CostValue;
  /** An idle fee runs until the vehicle is unplugged: `cost` is not final yet. */
  readonly idleFee?: boolean;
  readonly priceText?: LocalizedText;
  readonly receiptUrl?: string;
}

type Finished = { energyWh: number; durationMs: number; cost?: CostValue; provisional?: boolean; idleFee?: boolean; priceText?: LocalizedText; receiptUrl?: string; availableSince?: number; refusal?: RefusalReason };

export class ConnectorFacts {
  reading: MeterReading | undefined;
  /** The driver's language for the session (from the CSMS), until its summary is gone. */
  language: string | undefined;
  /** Cost so far of the running session (OCA California Pricing RunningCost, or an estimate). */
  cost: CostValue | undefined;
  /** Local time (HH:MM) the running session's price changes next. */
  nextPriceAt: string | undefined;
  private started: { startedAt: number; meterStartWh: number } | undefined;
  /** The driver's price text for the session (OCA SetUserPrice), until its summary is gone. */
  priceText: LocalizedText | undefined;
  private finished: Finished | undefined;
  /** The running transaction (its local id) and why the CSMS refused its identifier, if it did. */
  private startedLocalId: string | undefined;
  private refusal: RefusalReason | undefined;

  constructor(readonly connector: ConnectorController) {}

  /** A transaction of this connector started, ended or was confirmed. */
  onTransaction(e: TransactionEvent): void {
    if (e.event === 'started') {
      this.started = { startedAt: e.timestamp, meterStartWh: e.meterStartWh };
      this.finished = undefined;
      this.startedLocalId = e.localId;
      this.refusal = undefined;
    } else if (e.event === 'confirmed') {
      // Only the answer for the session running here (a late one of an earlier session says nothing of it).
      if (e.localId === this.startedLocalId) this.refusal = refusalOf(e.idTagStatus);
    } else if (e.event === 'stopped') {
      const startWh = e.meterStartWh ?? this.started?.meterStartWh ?? e.meterStopWh;
      const startedAt = this.started?.startedAt ?? e.timestamp;
      const refusal = e.localId === this.startedLocalId ? this.refusal : undefined;
      this.finished = { energyWh: Math.max(0, e.meterStopWh - startWh), durationMs: Math.max(0, e.timestamp - startedAt), ...(this.cost !== undefined && { cost: this.cost, provisional: true }), ...(refusal && { refusal }) };
      this.started = undefined;
      this.startedLocalId = undefined;
      this.refusal = undefined;
      this.cost = undefined;
      this.nextPriceAt = undefined;
    }
  }

  /** Sets the final cost of the session that ended (OCA FinalCost), shown with its summary. */
  setFinalCost(final: FinalCostText): void {
    if (!this.finished) return;
    if (final.cost) {
      this.finished.cost = final.cost;
      delete this.finished.provisional;
    }
    if (final.idleFee) this.finished.idleFee = true;
    else delete this.finished.idleFee;
    if (final.priceText !== undefined) this.finished.priceText = final.priceText;
    if (final.receiptUrl !== undefined) this.finished.receiptUrl = final.receiptUrl;
  }

  /**
   * The connector as the screens see it at `now`. The summary of an ended session stays while the
   * connector is Finishing and `summaryMs` after it became Available; then the session's language goes too.
   */
  view(now: number, active: ActiveTransaction | undefined, pilot: ConnectorView['pilot'], summaryMs: number): ConnectorView {
    const c = this.connector;
    const status = c.status;
    // The session has ended in the machine, its stop is still being recorded: summarise from what is known.
    const known = active ?? this.started;
    if (!c.hasTransaction && known && !this.finished) {
      const wh = this.reading ? Math.max(0, this.reading.energyWh - known.meterStartWh) : 0;
      this.finished = { energyWh: wh, durationMs: Math.max(0, now - known.startedAt), ...(this.cost !== undefined && { cost: this.cost, provisional: true }), ...(this.refusal && { refusal: this.refusal }) };
    }
    if (this.finished && (status === 'Preparing' || c.hasTransaction)) this.finished = undefined;
    if (this.finished && status === 'Available') {
      this.finished.availableSince ??= now;
      if (now - this.finished.availableSince >= summaryMs) {
        this.finished = undefined;
        this.language = undefined;
        this.priceText = undefined;
      }
    }
    const start = !c.hasTransaction ? undefined : active ? { startedAt: active.startedAt, meterStartWh: active.meterStartWh } : this.started;
    const r = this.reading;
    const session = start && {
      startedAt: start.startedAt,
      energyWh: r ? Math.max(0, r.energyWh - start.meterStartWh) : 0,
      powerW: r ? Math.max(0, r.powerW) : 0,
      ...(this.cost !== undefined && { cost: this.cost }),
      ...(this.nextPriceAt !== undefined && { nextPriceAt: this.nextPriceAt }),
    };
    const faults = c.faults.map((f) => f.code);
    const ventilation = status === 'Faulted' && faults.length === 0 && c.currentStatus().info === VENTILATION_REFUSED_INFO;
    return {
      connectorId: c.connectorId,
      status,
      faults: ventilation ? ['VENTILATION_REFUSED'] : faults,
      pilot,
      ...(session && { session }),
      ...(session && this.refusal && { refusal: this.refusal }),
      ...(this.finished && !session && { finished: this.finished }),
      ...(this.language !== undefined && { language: this.language }),
      ...(this.priceText !== undefined && (session || status === 'Preparing') && { priceText: this.priceText }),
    };
  }
}
