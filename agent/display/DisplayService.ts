/**
 * The driver's displays of one charger: what each shows, whatever OCPP version is spoken (DESIGN.md
 * §10). It follows the agent (statuses, cards, transactions, the CSMS connection), the meters and
 * card readers, and the operator's messages; it decides each connector's screen (./screens.ts),
 * fits it to each display (./fitScreen.ts) and cycles pages and messages on the clock
 * (./operatorSlides.ts). A display shows one connector's screens, or those of all connectors it
 * stands at, each labelled. Screens that ask the driver to act carry a QR code linking to the
 * operator's page (`qrUrl` with {chargePointId}, {connectorId} and {action}: start, pay, problem).
 *
 * A display that fails is logged; it shows the current screen by itself once it is back. Cheap when
 * idle: one timer for all displays, content sent only when it changed.
 */
import type { Logger } from 'pino';
import type { CardEvent, Clock, Display, DisplayContent, HalError, HalErrorCode, MeterReading, TimerId } from '../../hal/index.js';
import type { Agent } from '../Agent.js';
import type { AuthorizationResult } from '../auth/Authorizer.js';
import type { Refusal } from '../sessions/SessionService.js';
import type { TransactionEvent } from '../transactions/TransactionManager.js';
import { ConnectorFacts, type FinalCostText } from './ConnectorFacts.js';
import { fit } from './fitScreen.js';
import { cycle } from './operatorSlides.js';
import type { OperatorMessages } from './OperatorMessages.js';
import { registerOperatorMessages } from './operatorMessageVendor.js';
import { displayMessagePort } from './displayMessagePort.js';
import { labelled, screenFor, type CardNews, type ChargerView, type CostValue, type LocalizedText, type MessageState, type QrAction, type Screen, type SupportContact } from './screens.js';
import { refusalOf, resolveLanguage } from './texts.js';

export interface DisplaySettings {
  /**
   * Language of the texts when the OCPP key Language is empty (evse run seeds that key with it, and
   * the CSMS may change it); a session may say otherwise. `en`, `de`; others fall back to English.
   */
  readonly language: string;
  readonly support: SupportContact;
  /** URL template of the QR codes ({chargePointId}, {connectorId}, {action}); empty: no QR codes. */
  readonly qrUrl: string;
  /** How long each page or message is shown before the next, ms. */
  readonly pageMs: number;
  /** How long a refused card's screen stays, ms. */
  readonly cardNewsMs: number;
  /** How long a session's summary stays after the vehicle left, ms. */
  readonly summaryMs: number;
}

export const DISPLAY_DEFAULTS: Omit<DisplaySettings, 'language' | 'support' | 'qrUrl'> = { pageMs: 4000, cardNewsMs: 8000, summaryMs: 60_000 };

export interface DisplayServiceOptions {
  agent: Agent;
  displays: readonly Display[];
  clock: Clock;
  log: Logger;
  settings: DisplaySettings;
  /** Operator messages (absent: none); the CSMS sets them with the DataTransfer extension of ./operatorMessageVendor.ts. */
  messages?: OperatorMessages;
}

/** Keys whose change changes what the screens show. */
const SHOWN_KEYS: ReadonlySet<string> = new Set(['Language', 'DefaultPrice', 'TariffFallbackMessage', 'OfflineTariffFallbackMessage', 'TariffEnabled', 'CostEnabled', 'DisplayMessagesEnabled']);

type ConnectorViewOf = ReturnType<ConnectorFacts['view']>;

/**
 * What of prices and costs a connector's screen shows: TariffEnabled false hides the driver's
 * tariff, CostEnabled false the costs (the OCPP 2.0.1 TariffCostCtrlr.Enabled[Tariff], [Cost]).
 */
function shownPrices(v: ConnectorViewOf, config: { getBool(key: 'TariffEnabled' | 'CostEnabled'): boolean }): ConnectorViewOf {
  const tariff = config.getBool('TariffEnabled');
  const cost = config.getBool('CostEnabled');
  if (tariff && cost) return v;
  const { priceText: _p, session, finished, ...rest } = v;
  const out: { -readonly [K in keyof ConnectorViewOf]: ConnectorViewOf[K] } = { ...rest, ...(tariff && v.priceText !== undefined && { priceText: v.priceText }) };
  if (session) out.session = cost ? session : { startedAt: session.startedAt, energyWh: session.energyWh, powerW: session.powerW };
  if (finished) out.finished = cost ? finished : { energyWh: finished.energyWh, durationMs: finished.durationMs };
  return out;
}

/** How long a card may be "being checked" before the screen gives up waiting for its answer. */
const CHECKING_MAX_MS = 30_000;

interface DisplayState {
  readonly display: Display;
  readonly connectorIds: readonly number[];
  page: number;
  sent: string | undefined;
}

export class DisplayService {
  private readonly facts: Map<number, ConnectorFacts>;
  private readonly states: DisplayState[];
  private card: { news: CardNews; until: number } | undefined;
  /** Drivers' languages the CSMS told with their cards' authorizations (OCPP 2.0.1 IdTokenInfo.language1), by idTag. */
  private readonly driverLanguages = new Map<string, string>();
  private timer: TimerId | undefined;
  private readonly detach: (() => void)[] = [];
  private running = false;

  constructor(private readonly o: DisplayServiceOptions) {
    this.facts = new Map(o.agent.connectors.map((c) => [c.connectorId, new ConnectorFacts(c)]));
    const all = o.agent.connectors.map((c) => c.connectorId);
    this.states = o.displays.map((display) => ({ display, connectorIds: display.connectors.length > 0 ? display.connectors.filter((id) => this.facts.has(id)) : all, page: 0, sent: undefined }));
  }

  /** Starts following the charger and shows the first screens. */
  start(): void {
    if (this.running) return;
    this.running = true;
    const { agent, messages } = this.o;
    const refresh = (): void => this.refresh();
    const onTransaction = (e: TransactionEvent): void => {
      const facts = this.facts.get(e.connectorId);
      facts?.onTransaction(e);
      // A message bound to this transaction is removed once it ended (OCPP 2.0.1 O01).
      if (e.event === 'stopped' && e.transactionId !== undefined) messages?.transactionEnded(String(e.transactionId));
      // The driver's language the CSMS told with the card's authorization: this session speaks it.
      const language = e.event === 'started' || e.event === 'authorized' ? this.driverLanguages.get(e.idTag) : undefined;
      if (facts && language !== undefined) facts.language = language;
      // After the other listeners of this event: the pricing service tells the stop's cost (or its
      // idle fee running) within it, so the summary is not shown first without.
      queueMicrotask(refresh);
    };
    const onCard = (card: CardEvent, result: AuthorizationResult): void => this.cardDecided(card, result);
    // Refused without an authorization (a connector reserved for another driver), or after one.
    const onRefused = (_card: CardEvent, refusal: Refusal): void => this.cardRefused(refusal);
    this.on(agent, 'status', refresh);
    // A limit that changes the screen (thermal derating) changes no status while charging.
    this.on(agent, 'limit', refresh);
    this.on(agent, 'transaction', onTransaction);
    this.on(agent, 'card', onCard);
    this.on(agent, 'cardRefused', onRefused);
    this.on(agent.link, 'state', refresh);
    this.on(agent.config, 'changed', (key: string) => {
      if (SHOWN_KEYS.has(key) || key.startsWith('DefaultPriceText,')) refresh();
    });
    if (messages) {
      this.on(messages, 'changed', refresh);
      const runsTransaction = (id: string): boolean => /^\d{1,16}$/.test(id) && agent.transactions.connectorOfTransaction(Number(id)) !== undefined;
      const hasDisplayAt = (evseId: number): boolean => this.states.some((s) => s.connectorIds.includes(evseId));
      const enabled = (): boolean => agent.config.getBool('DisplayMessagesEnabled');
      this.detach.push(registerOperatorMessages(agent.vendors, messages, runsTransaction, hasDisplayAt, enabled));
      // OCPP 2.0.1 SetDisplayMessage and the like reach the same messages through the driver ports.
      const port = displayMessagePort(messages, { runsTransaction, hasDisplayAt, enabled });
      agent.driver.displayMessages = port;
      this.detach.push(() => {
        if (agent.driver.displayMessages === port) agent.driver.displayMessages = undefined;
      });
    }
    for (const reader of agent.options.hardware.readers) {
      // Ahead of the agent's own listener: a card that stops its session is decided within that call.
      const presented = (): void => this.cardPresented();
      reader.prependListener('card', presented);
      this.detach.push(() => reader.off('card', presented));
      this.on(reader, 'fault', refresh);
      this.on(reader, 'faultCleared', refresh);
    }
    for (const hw of agent.options.hardware.connectors) {
      const facts = this.facts.get(hw.connectorId);
      this.on(hw.meter, 'reading', (r: MeterReading) => {
        if (facts) facts.reading = r;
        if (facts?.connector.hasTransaction) refresh();
      });
      this.on(hw.pilot, 'state', refresh);
    }
    for (const s of this.states) {
      this.on(s.display, 'fault', (err: HalError) => this.o.log.warn({ err, display: s.display.id }, 'display fault: the screen is shown again once it is back'));
      this.on(s.display, 'faultCleared', (code: HalErrorCode) => this.o.log.info({ display: s.display.id, code }, 'display back'));
    }
    this.tick();
  }

  stop(): void {
    this.running = false;
    this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
    for (const d of this.detach.splice(0)) d();
  }

  /** The driver's language for the session on a connector (e.g. from the CSMS); undefined: the configured one. */
  setSessionLanguage(connectorId: number, language: string | undefined): void {
    const f = this.facts.get(connectorId);
    if (!f) return;
    f.language = language;
    this.refresh();
  }

  /**
   * The cost so far of the session on a connector (undefined: not priced), and the local time
   * (HH:MM) its price changes next, if the CSMS announced a change.
   */
  setSessionCost(connectorId: number, cost: CostValue | undefined, nextPriceAt?: string): void {
    const f = this.facts.get(connectorId);
    if (!f) return;
    f.cost = cost;
    f.nextPriceAt = nextPriceAt;
    this.refresh();
  }

  /** The final cost of the session that just ended on a connector, shown with its summary (the receipt URL as its QR code). */
  setFinalCost(connectorId: number, final: FinalCostText): void {
    this.facts.get(connectorId)?.setFinalCost(final);
    this.refresh();
  }

  /** The driver's price as the CSMS worded it (in its languages), for the session being started or running on a connector. */
  setPriceText(connectorId: number, text: LocalizedText | undefined): void {
    const f = this.facts.get(connectorId);
    if (!f) return;
    f.priceText = text;
    this.refresh();
  }

  /** What each display was last asked to show (by display id). */
  contents(): Record<string, DisplayContent | undefined> {
    return Object.fromEntries(this.states.map((s) => [s.display.id, s.display.content]));
  }

  /** What the display standing at a connector (or at the whole charger) was last asked to show: for the dashboard. */
  contentAt(connectorId: number): DisplayContent | undefined {
    const at = this.states.find((s) => s.display.connectors.includes(connectorId)) ?? this.states.find((s) => s.display.connectors.length === 0);
    return at?.display.content;
  }

  /** The screen of one connector now (for the dashboard and tests), before fitting. */
  screenOf(connectorId: number): Screen | undefined {
    const f = this.facts.get(connectorId);
    return f && screenFor(this.viewOf(f), this.chargerView());
  }

  private on(emitter: { on(e: string, l: (...a: never[]) => void): unknown; off(e: string, l: (...a: never[]) => void): unknown }, event: string, listener: (...args: never[]) => void): void {
    emitter.on(event, listener);
    this.detach.push(() => emitter.off(event, listener));
  }

  private cardPresented(): void {
    this.card = { news: { phase: 'checking' }, until: this.o.clock.now() + CHECKING_MAX_MS };
    this.refresh();
  }

  private cardDecided(card: CardEvent, result: AuthorizationResult): void {
    const until = this.o.clock.now() + this.o.settings.cardNewsMs;
    if (result.status === 'Accepted' && result.language !== undefined) {
      this.driverLanguages.delete(card.uid);
      this.driverLanguages.set(card.uid, result.language);
      if (this.driverLanguages.size > 32) this.driverLanguages.delete(this.driverLanguages.keys().next().value!);
      // The connector being prepared for this card speaks the driver's language from now on.
      for (const f of this.facts.values()) if (f.connector.status === 'Preparing' && !f.connector.hasTransaction) f.language = result.language;
    }
    if (result.status !== 'Accepted') {
      // Each status its own text: 1.6's, and under 2.0.1 NoCredit, NotAtThisLocation, NotAtThisTime …
      const reason = result.source === 'offline-refused' ? 'OfflineUnknown' : (refusalOf(result.status) ?? 'OfflineUnknown');
      this.card = { news: { phase: 'refused', reason }, until };
    } else {
      // Accepted, but no connector can take it: nothing else would tell the driver.
      const free = this.o.agent.connectors.some((c) => c.hasTransaction || c.status === 'Available' || c.status === 'Preparing' || c.status === 'Reserved' || c.status === 'Finishing');
      this.card = free ? undefined : { news: { phase: 'refused', reason: 'NoConnector' }, until };
    }
    this.refresh();
  }

  private cardRefused({ reason }: Refusal): void {
    if (reason !== 'reserved' && reason !== 'no-connector') return; // not-authorized: cardDecided told it already
    this.card = { news: { phase: 'refused', reason: reason === 'reserved' ? 'Reserved' : 'NoConnector' }, until: this.o.clock.now() + this.o.settings.cardNewsMs };
    this.refresh();
  }

  private chargerView(): ChargerView {
    const { agent, clock, settings } = this.o;
    const now = clock.now();
    if (this.card && now >= this.card.until) this.card = undefined;
    // The Language key (the CSMS may change it; display.language seeds it).
    const language = agent.config.getString('Language') || settings.language;
    return {
      now,
      online: agent.link.isAccepted,
      readerFault: agent.options.hardware.readers.some((r) => r.activeFaults.size > 0),
      ...(this.card && { card: this.card.news }),
      support: settings.support,
      language,
      ...(agent.config.getBool('TariffEnabled') && this.defaultPrice(agent.link.isAccepted, language)),
    };
  }

  /**
   * OCA DefaultPrice, or DefaultPriceText,<language> for the display's language where the CSMS set
   * one: its priceText, or priceTextOffline while the CSMS is unreachable (the keys are checked when set).
   */
  private defaultPrice(online: boolean, language: string): { defaultPrice?: string } {
    const config = this.o.agent.config;
    const own = config.has(`DefaultPriceText,${resolveLanguage(language)}`) ? config.getString(`DefaultPriceText,${resolveLanguage(language)}`) : '';
    for (const raw of [own, config.getString('DefaultPrice')]) {
      if (!raw) continue;
      try {
        const { priceText, priceTextOffline } = JSON.parse(raw) as { priceText: string; priceTextOffline?: string };
        const text = online ? priceText : (priceTextOffline ?? priceText);
        if (text) return { defaultPrice: text };
      } catch {
        continue;
      }
    }
    // OCPP 2.0.1 TariffCostCtrlr.TariffFallbackMessage (I04): the tariff for drivers without one of their own.
    // [Offline] while the CSMS is unreachable, if set.
    const fallback = (!online && config.getString('OfflineTariffFallbackMessage')) || config.getString('TariffFallbackMessage');
    return fallback ? { defaultPrice: fallback } : {};
  }

  private viewOf(f: ConnectorFacts): ReturnType<ConnectorFacts['view']> {
    const id = f.connector.connectorId;
    const hw = this.o.agent.options.hardware.connectors.find((c) => c.connectorId === id);
    const { agent } = this.o;
    const view = shownPrices(f.view(this.o.clock.now(), agent.transactions.get(id), hw?.pilot.state ?? 'A', this.o.settings.summaryMs), agent.config);
    // Thermal derating binds: the driver is told why there is less power, or none.
    const warm = agent.chargingLimits.limitOf(id)?.source === 'temperature';
    // Unavailable for a pending firmware restart, not by the operator's choice.
    const held = agent.heldForReboot && agent.availability.isOperative(id);
    return held || warm ? { ...view, ...(held && { updating: true }), ...(warm && { warm: true }) } : view;
  }

  private qr(action: QrAction | undefined, connectorId: number): { qr?: string } {
    const template = this.o.settings.qrUrl;
    if (!action || !template) return {};
    const values: Record<string, string> = { chargePointId: this.o.agent.chargePointId, connectorId: String(connectorId), action };
    return { qr: template.replace(/\{(chargePointId|connectorId|action)\}/g, (_all, k: string) => encodeURIComponent(values[k]!)) };
  }

  /** Shows every display's current slide (if it changed). */
  private refresh(): void {
    if (!this.running) return;
    const charger = this.chargerView();
    const all = this.o.agent.config.getBool('DisplayMessagesEnabled') ? (this.o.messages?.all() ?? []) : [];
    for (const s of this.states) {
      const { display } = s;
      // A message for one EVSE's display (2.0.1 `display` with `evse`) shows only on the displays standing there.
      const messages = all.filter((m) => m.display?.evse === undefined || s.connectorIds.includes(m.display.evse.id));
      const own: DisplayContent[] = [];
      const states = new Set<MessageState>();
      const transactionIds = new Set<string>();
      let language = resolveLanguage(charger.language);
      for (const id of s.connectorIds) {
        const facts = this.facts.get(id)!;
        const view = this.viewOf(facts);
        let screen = screenFor(view, charger);
        if (s.connectorIds.length > 1) screen = labelled(screen, id);
        if (s.connectorIds.length === 1) language = screen.language;
        states.add(screen.state);
        const txId = this.o.agent.transactions.transactionIdOn(id);
        if (txId !== undefined) transactionIds.add(String(txId));
        const qr = screen.qrText !== undefined ? { qr: screen.qrText } : this.qr(screen.qr, id);
        for (const page of fit(screen.lines, display)) own.push({ lines: page, tone: screen.tone, ...qr });
      }
      const slides = cycle(own, messages, { now: charger.now, states, transactionIds, language }, display);
      const slide = slides[s.page % slides.length]!;
      const key = JSON.stringify(slide);
      if (key === s.sent) continue;
      s.sent = key;
      display.show(slide).catch((err: unknown) => this.o.log.debug({ err, display: display.id }, 'display did not take the screen'));
    }
  }

  /** Next page on every display, expired messages gone, meters of running sessions read if stale; again after pageMs. */
  private tick(): void {
    if (!this.running) return;
    const now = this.o.clock.now();
    for (const hw of this.o.agent.options.hardware.connectors) {
      const facts = this.facts.get(hw.connectorId);
      // A meter that polls itself has a fresh reading; one read only on demand (the sim's) is read here.
      if (facts?.connector.hasTransaction && now - (hw.meter.lastReading?.timestamp ?? 0) >= this.o.settings.pageMs) hw.meter.read().catch(() => undefined);
    }
    for (const s of this.states) s.page++;
    void this.o.messages?.expire(this.o.clock.now());
    this.refresh();
    this.timer = this.o.clock.setTimeout(() => this.tick(), this.o.settings.pageMs);
  }
}
