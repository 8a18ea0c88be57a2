/**
 * Which screen a connector shows, decided from what the charger knows about it: pure, so every
 * state and fault has a table-driven test (screens.test.ts). The screen is text in variants
 * (./fitScreen.ts fits it to a display) plus a tone and, where the driver is asked to act, the QR
 * action (start, pay, report a problem) that ./DisplayService.ts turns into the operator's URL.
 */
import type { DisplayTone, PilotState } from '../../hal/index.js';
import type { ConnectorStatus } from '../ocpp16/vocabulary.js';
import type { ScreenLine } from './fitScreen.js';
import { CATALOGUES, fill, formatDuration, formatNumber, resolveLanguage, type ConnectorFault, type Language, type RefusalReason, type Variants } from './texts.js';

/** What the operator's page behind the QR code is for. */
export type QrAction = 'start' | 'pay' | 'problem';

/** OCPP 2.0.1 MessageStateEnumType: the connector states an operator message can be limited to. */
export type MessageState = 'Charging' | 'Faulted' | 'Idle' | 'Unavailable';

/** A text the CSMS sent in several languages (OCA priceText + priceTextExtra): `text` is its default. */
export interface LocalizedText {
  readonly text: string;
  readonly byLanguage?: Readonly<Record<string, string>>;
}

/**
 * An amount of money for the driver: written in the screen's language with `decimals`
 * (NumberOfDecimalsForCostValues) and `currency` after it. `estimate`: computed by the charger
 * from the default price (no cost from the CSMS), shown as such.
 */
export interface CostValue {
  readonly amount: number;
  readonly decimals: number;
  readonly currency?: string;
  readonly estimate?: boolean;
}

/** What the display needs to know of one connector. */
export interface ConnectorView {
  readonly connectorId: number;
  readonly status: ConnectorStatus;
  /** Why it is faulted, oldest first (HAL faults, a pilot in E/F, state D without ventilation). */
  readonly faults: readonly ConnectorFault[];
  /** The vehicle side of the pilot: A = nothing plugged in. */
  readonly pilot: PilotState;
  /**
   * The transaction running here: since when, energy so far (Wh), power now (W), cost so far (when
   * priced), and the local time (HH:MM, OCA TimeOffset) its price changes next (RunningCost.nextPeriod).
   */
  readonly session?: { readonly startedAt: number; readonly energyWh: number; readonly powerW: number; readonly cost?: CostValue; readonly nextPriceAt?: string };
  /**
   * The CSMS refused the running session's identifier when its transaction began (its
   * StartTransaction / TransactionEvent answer: Blocked, NoCredit, NotAtThisTime …): why.
   */
  readonly refusal?: RefusalReason;
  /**
   * The transaction that ended here last, while its summary is shown (with the CSMS's final cost,
   * its text and receipt URL, when priced). `idleFee`: the vehicle is still plugged in and an idle
   * fee runs until it leaves (OCA CustomIdleFeeAfterStop): `cost` is the cost so far, not the total.
   * `provisional`: the running session's last cost, until the pricing service tells the stop's.
   */
  readonly finished?: { readonly energyWh: number; readonly durationMs: number; readonly cost?: CostValue; readonly provisional?: boolean; readonly idleFee?: boolean; readonly priceText?: LocalizedText; readonly receiptUrl?: string; readonly refusal?: RefusalReason };
  /** The driver's price, as the CSMS worded it (OCA SetUserPrice), for the session being started or running here. */
  readonly priceText?: LocalizedText;
  /** The driver's language for this session (from the CSMS), if known. */
  readonly language?: string;
  /**
   * Held Unavailable only because a firmware update waits for the running sessions to end before it
   * restarts the charger (an operator's own Unavailable is not this).
   */
  readonly updating?: boolean;
  /** The EVSE's temperature binds its current limit (thermal derating): less power, or none until it cools. */
  readonly warm?: boolean;
}

/** A card presented at the charger, while it is news: being checked, or refused and why. */
export type CardNews = { readonly phase: 'checking' } | { readonly phase: 'refused'; readonly reason: RefusalReason };

export interface SupportContact {
  readonly phone?: string;
  readonly email?: string;
  readonly web?: string;
}

/** What the display needs to know of the charger as a whole. */
export interface ChargerView {
  readonly now: number;
  /** The CSMS answers (a remote start from the app can work). */
  readonly online: boolean;
  /** A card reader is out of order. */
  readonly readerFault: boolean;
  readonly card?: CardNews;
  readonly support: SupportContact;
  /** The configured language. */
  readonly language: string;
  /** The price for everyone (OCA DefaultPrice: its online or offline text), shown where a session can start. */
  readonly defaultPrice?: string;
}

export interface Screen {
  readonly tone: DisplayTone;
  readonly lines: readonly ScreenLine[];
  readonly qr?: QrAction;
  /** A QR payload given as such (the receipt URL of a FinalCost), instead of the operator's page for `qr`. */
  readonly qrText?: string;
  /** The state an operator message can be limited to (OCPP 2.0.1 MessageState). */
  readonly state: MessageState;
  readonly language: Language;
}

const line = (variants: Variants | string[]): ScreenLine => ({ variants });
const kwh = (wh: number, lang: Language): string => formatNumber(wh / 1000, 2, lang);
/** An amount in the language's notation, the currency after it. */
export const money = (c: CostValue, lang: Language): string => `${formatNumber(c.amount, c.decimals, lang)}${c.currency ? ` ${c.currency}` : ''}`;
/** The variant of a text in `lang` (by primary subtag), else its default text. */
export function inLanguage(text: LocalizedText, lang: string): string {
  const primary = lang.toLowerCase().split(/[-_]/)[0];
  const match = Object.entries(text.byLanguage ?? {}).find(([l]) => l.toLowerCase().split(/[-_]/)[0] === primary);
  return match ? match[1] : text.text;
}

/** The screen of one connector (see the module comment); the first matching rule wins. */
export function screenFor(c: ConnectorView, charger: ChargerView): Screen {
  const language = resolveLanguage(c.language, charger.language);
  const t = CATALOGUES[language];
  const screen = (tone: DisplayTone, state: MessageState, lines: (Variants | string[])[], qr?: QrAction): Screen => ({ tone, state, language, lines: lines.map(line), ...(qr && { qr }) });
  const contact = (): string[][] => {
    const { phone, email, web } = charger.support;
    return [...(phone ? [fill(t.phone, { phone })] : []), ...(email ? [fill(t.email, { email })] : []), ...(web ? [fill(t.web, { web })] : [])];
  };
  const price = (): string[][] => (c.priceText ? [[inLanguage(c.priceText, language)]] : []);
  const cost = (template: Variants, estimate: Variants, value: CostValue): string[] => fill(value.estimate ? estimate : template, { cost: money(value, language) });
  const progress = (s: NonNullable<ConnectorView['session']>): string[][] => [
    fill(t.energy, { energy: kwh(s.energyWh, language) }),
    fill(t.elapsed, { time: formatDuration(charger.now - s.startedAt, language) }),
    ...(s.cost !== undefined ? [cost(t.costSoFar, t.costEstimate, s.cost)] : []),
    ...(s.nextPriceAt !== undefined ? [fill(t.priceChangesAt, { time: s.nextPriceAt })] : []),
    ...price(),
  ];

  if (c.status === 'Faulted') {
    const fault = t.faults[c.faults[0] ?? 'PILOT_ERROR'];
    return screen('fault', 'Faulted', [fault.title, fault.explanation, ...contact()], 'problem');
  }
  if (c.status === 'Unavailable' && c.updating) return screen('warning', 'Unavailable', [t.updating, t.updatingHint, ...contact()]);
  if (c.status === 'Unavailable') return screen('warning', 'Unavailable', [t.unavailable, t.unavailableHint, ...contact()], 'problem');
  if (c.session && (c.status === 'Charging' || c.status === 'SuspendedEV' || c.status === 'SuspendedEVSE')) {
    const s = c.session;
    // Refused by the CSMS while it runs (MaxEnergyOnInvalidId lets it draw on, or power is withheld): why, after what it does.
    const refused = c.refusal ? [t.refused[c.refusal]] : [];
    const warm = c.warm ? [t.reducedByHeat] : [];
    if (c.status === 'Charging') return screen(c.refusal ? 'warning' : 'charging', 'Charging', [fill(t.charging, { power: formatNumber(s.powerW / 1000, 1, language) }), ...warm, ...progress(s), ...refused]);
    const paused = c.status === 'SuspendedEV' ? [t.pausedByVehicle, t.pausedByVehicleHint] : c.warm ? [t.pausedByHeat, t.pausedByHeatHint] : [t.pausedByLimit, t.pausedByLimitHint];
    return screen('warning', 'Charging', [...paused, ...progress(s), ...refused]);
  }
  // The machine already charges, the transaction is still being recorded (meterStart read).
  if (c.status === 'Charging' || c.status === 'SuspendedEV' || c.status === 'SuspendedEVSE') return screen('info', 'Charging', [t.starting, t.pleaseWait, ...price()]);
  const card = c.session ? undefined : charger.card;
  if (card?.phase === 'checking') return screen('info', 'Idle', [t.checkingCard, t.pleaseWait]);
  if (card?.phase === 'refused') return screen('warning', 'Idle', [t.refused[card.reason], t.refusedHint, ...contact()], 'pay');
  const summary = (): (Variants | string[])[] => {
    const f = c.finished;
    if (!f) return [];
    return [
      fill(t.finishedEnergy, { energy: kwh(f.energyWh, language), time: formatDuration(f.durationMs, language) }),
      ...(f.cost === undefined ? [] : f.idleFee ? [cost(t.costSoFar, t.costEstimate, f.cost), t.idleFeeRunning] : f.provisional ? [cost(t.costSoFar, t.costEstimate, f.cost)] : [cost(t.total, t.totalEstimate, f.cost)]),
      ...(f.priceText ? [[inLanguage(f.priceText, language)]] : []),
    ];
  };
  const receipt = (s: Screen): Screen => (c.finished?.receiptUrl ? { ...s, qrText: c.finished.receiptUrl } : s);
  // A session ended because the CSMS refused its identifier says why instead of "finished".
  const ended = c.finished?.refusal ? t.refused[c.finished.refusal] : t.finished;
  if (c.status === 'Finishing') return receipt(screen('action', 'Idle', [ended, ...summary(), t.unplug]));
  if (c.status === 'Available' && c.finished) return receipt(screen('info', 'Idle', [ended, ...summary(), t.thanks]));
  if (c.status === 'Reserved') return screen('info', 'Idle', [t.reserved, t.reservedHint]);
  if (c.status === 'Preparing') {
    if (c.session) return screen('info', 'Idle', [t.starting, t.pleaseWait, ...price()]);
    if (c.pilot === 'A') return screen('action', 'Idle', [t.cardAccepted, t.plugIn, ...price()]);
    return screen('action', 'Idle', [t.evConnected, charger.readerFault ? t.startHintNoReader : t.startHintPlugged, ...(charger.defaultPrice ? [[charger.defaultPrice]] : [])], 'start');
  }
  // Available (also a transaction still ending while the vehicle is gone).
  const defaultPrice = charger.defaultPrice ? [[charger.defaultPrice]] : [];
  if (!charger.online) return screen('action', 'Idle', [t.ready, t.startHintOffline, ...defaultPrice]);
  return screen('action', 'Idle', [t.ready, charger.readerFault ? t.startHintNoReader : t.startHint, ...defaultPrice], 'start');
}

/** A screen for one of several connectors on a shared display: its first line says which. */
export function labelled(screen: Screen, connectorId: number): Screen {
  const [first, ...rest] = screen.lines;
  if (!first) return screen;
  const prefix = fill(CATALOGUES[screen.language].connectorPrefix, { n: String(connectorId) })[0]!;
  return { ...screen, lines: [line(first.variants.map((v) => prefix + v)), ...rest] };
}
