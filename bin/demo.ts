/**
 * `evse demo`: an embedded strict OCPP CSMS on 127.0.0.1 (ephemeral port) and one simulated
 * charger speaking OCPP 1.6 or (`--ocpp 2.0.1`) 2.0.1, driven through one session in virtual time — plug in, tap a card, charge, unplug —
 * printing the timeline (status changes, OCPP messages both ways, energy, what the driver's display
 * shows) and a summary. The CSMS prices the session (a demo tariff, OCA California Pricing), so the
 * display shows the price, the cost rising and the total.
 * Exits 0 when the CSMS recorded exactly one complete, valid transaction.
 */
import { SimulatedClock } from '../hal/clock.js';
import { createSimulatedCharger } from '../hal/sim/createSimulatedCharger.js';
import { Agent } from '../agent/Agent.js';
import { OcppConfiguration } from '../agent/store/OcppConfiguration.js';
import { EmbeddedCsms } from '../scenarios/csms/EmbeddedCsms.js';
import { CsmsTariff, type Tariff } from '../scenarios/csms/CsmsTariff.js';
import { SimDisplay } from '../hal/sim/SimDisplay.js';
import { DISPLAY_DEFAULTS, DisplayService } from '../agent/display/DisplayService.js';
import { PricingService } from '../agent/pricing/PricingService.js';
import { formatMessage } from '../scenarios/csms/formatMessage.js';
import { createLogger } from './logger.js';
import { packageVersion } from './packageInfo.js';
import { SUPPORTED_FEATURE_PROFILES } from './agentIdentity.js';
import { prepareDemoSecurity } from './demoSecurity.js';
import type { OcppVersion } from '../agent/ocpp/ProtocolFace.js';

export interface DemoOptions {
  json: boolean;
  minutes: number;
  logLevel: string;
  /** Human-readable logs on stderr; undefined: when stderr is a terminal. */
  pretty?: boolean | undefined;
  /** Security profile 2 end to end: wss:// with a throwaway CA, HTTP Basic password (docs/security.md). */
  security?: boolean;
  /** The OCPP version the charger speaks (default 1.6). */
  ocppVersion?: OcppVersion;
}

const CHARGE_POINT_ID = 'DEMO-CP1';
const CARD_UID = '04A2B3C4D5E6F7';
const MINUTE = 60_000;
/** What the demo's CSMS charges: a flat fee, per kWh, and an idle fee after half an hour paused. */
/** The demos' tariff (also `evse demo --dashboard`'s). */
export const DEMO_TARIFF: Tariff = { currency: 'EUR', flatFee: 0.5, kWhPrice: 0.39, hourPrice: 0, idle: { graceMinutes: 30, hourPrice: 6 }, receiptUrl: 'https://charge.example/receipt/{transactionId}' };

export async function runDemo(opts: DemoOptions): Promise<number> {
  const log = createLogger(opts.logLevel, { pretty: opts.pretty });
  const out = (line: string) => process.stdout.write(`${line}\n`);
  // Virtual time starts at the current wall-clock minute, so timestamps look like today's.
  const clock = new SimulatedClock(Math.floor(Date.now() / MINUTE) * MINUTE);
  const startedAt = clock.now();
  const elapsed = () => {
    const s = Math.round((clock.now() - startedAt) / 1000);
    return `+${Math.floor(s / 3600)}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  };
  const say = (kind: string, text: string, fields: Record<string, unknown> = {}) =>
    out(opts.json ? JSON.stringify({ type: kind, t: new Date(clock.now()).toISOString(), ...fields, text }) : `${elapsed().padStart(8)}  ${text}`);

  const security = opts.security ? await prepareDemoSecurity(clock, log) : undefined;
  const csms = new EmbeddedCsms({ now: () => clock.now(), logger: log, ...security?.csms });
  // Heartbeats every 30 virtual minutes keep the timeline about the session.
  csms.setBootPolicy({ interval: 1800 });
  const { url } = await csms.start();
  csms.on('message', (record) =>
    opts.json ? out(JSON.stringify({ type: 'ocpp', ...record, t: new Date(record.t).toISOString() })) : out(`${elapsed().padStart(8)}  ${formatMessage(record, { utc: true })}`),
  );

  const sim = createSimulatedCharger({ clock, connectors: 1, maxCurrentA: 32, phases: 3, ev: { batteryKWh: 60, soc: 0.3, maxCurrentA: 16, phases: 3 } });
  const config = await OcppConfiguration.open({
    file: null,
    // A sample every 15 virtual minutes keeps the timeline readable.
    // No WebSocket pings: they run on the wall clock, the demo on a virtual one.
    initial: { MeterValueSampleInterval: 900, HeartbeatInterval: 1800, StopTxnSampledData: 'Energy.Active.Import.Register', WebSocketPingInterval: 0 },
    readonlyValues: { NumberOfConnectors: 1, SupportedFeatureProfiles: SUPPORTED_FEATURE_PROFILES, CustomDisplayCostAndPrice: true, CustomMultiLanguageMessages: true },
    log,
  });
  new CsmsTariff(csms, DEMO_TARIFF, () => clock.now()).attach();
  const ocppVersion = opts.ocppVersion ?? '1.6';
  const agent = new Agent({
    chargePointId: CHARGE_POINT_ID,
    ocppVersion,
    boot: { chargePointVendor: 'evse-agent', chargePointModel: 'demo', chargePointSerialNumber: 'DEMO-0001', firmwareVersion: packageVersion() },
    csms: { url, callTimeoutMs: 10_000 },
    hardware: sim.hardware,
    config,
    clock,
    log,
    ...security?.agentOptions(url, config),
  });
  // The timeline shows statuses as the CSMS receives them (StatusNotification, in causal order
  // with the transaction messages); JSON lines also carry each change the moment it happens.
  if (opts.json) agent.on('status', (s) => say('status', `status: connector ${s.connectorId} ${s.status}`, { ...s }));
  agent.on('card', (card, result) => say('card', `card ${card.uid.slice(0, 4)}… presented: ${result.status} (${result.source})`));
  agent.on('cardRefused', (card, refusal) => say('card', `card ${card.uid.slice(0, 4)}… refused: ${refusal.message}`));
  // The driver's display (20x4), each new screen on the timeline.
  const display = new SimDisplay({ id: 'display:0', width: 20, height: 4 });
  const screens = new DisplayService({ agent, displays: [display], clock, log, settings: { ...DISPLAY_DEFAULTS, language: 'en', support: { phone: '+49 30 1234567' }, qrUrl: 'https://charge.example/{chargePointId}/{connectorId}?do={action}' } });
  const pricing = new PricingService({ agent, display: screens, clock, log, currency: 'EUR' });
  // On the timeline: each page of a new screen once (a screen's pages share its tone), and the
  // screen with every energy line.
  let tone: string | undefined;
  const pagesShown = new Set<string>();
  const showScreen = (c = display.content) => c && say('display', `display: ${c.lines.join(' | ')}${c.qr ? ` [QR ${c.qr}]` : ''}`, { lines: c.lines, ...(c.qr && { qr: c.qr }) });
  display.on('shown', (c) => {
    if (c.tone !== tone) pagesShown.clear();
    tone = c.tone;
    if (pagesShown.has(c.lines[0] ?? '')) return;
    pagesShown.add(c.lines[0] ?? '');
    showScreen(c);
  });

  const connector = sim.connectors[0]!;
  const settle = () => agent.whenIdle(3000);
  const energyLine = async () => {
    const r = await connector.meter.read();
    say('energy', `meter: ${(r.energyWh / 1000).toFixed(2)} kWh, ${(r.powerW / 1000).toFixed(1)} kW, EV ${(connector.ev.soc * 100).toFixed(0)} %`, {
      energyWh: r.energyWh,
      powerW: r.powerW,
      soc: connector.ev.soc,
    });
    showScreen();
  };

  let exitCode = 1;
  try {
    if (!opts.json) out(`evse demo: embedded CSMS on ${url}, charger ${CHARGE_POINT_ID} speaking OCPP ${ocppVersion}, simulated hardware, virtual time\n`);
    agent.start();
    screens.start();
    pricing.start();
    await csms.waitForCall(CHARGE_POINT_ID, 'BootNotification', undefined, 10_000);
    await clock.advanceAsync(2000, settle);
    const secure = security ? await security.check(csms, CHARGE_POINT_ID, say, ocppVersion) : true;

    say('step', '▶ driver plugs the cable in');
    connector.ev.plugIn();
    await clock.advanceAsync(5000, settle);

    say('step', `▶ driver taps card ${CARD_UID.slice(0, 4)}…`);
    sim.rfid.tap(CARD_UID);
    await clock.advanceAsync(5000, settle);
    await energyLine();

    for (let m = 0; m < opts.minutes; m += 15) {
      await clock.advanceAsync(Math.min(15, opts.minutes - m) * MINUTE, settle, 10_000);
      await energyLine();
    }

    say('step', '▶ driver ends charging in the car and unplugs');
    connector.ev.suspend();
    await clock.advanceAsync(3000, settle);
    connector.ev.unplug();
    await clock.advanceAsync(5000, settle);
    exitCode = summarize(csms, say, opts.json, ocppVersion) === 0 && secure ? 0 : 1;
  } catch (err) {
    say('error', `demo failed: ${(err as Error).message}`);
  } finally {
    pricing.stop();
    screens.stop();
    await agent.stop({ flushMs: 1000 });
    await sim.close();
    await csms.stop();
  }
  return exitCode;
}

function summarize(csms: EmbeddedCsms, say: (kind: string, text: string, fields?: Record<string, unknown>) => void, json: boolean, ocppVersion: OcppVersion): number {
  const txs = csms.transactions(CHARGE_POINT_ID);
  const violations = csms.violations(CHARGE_POINT_ID);
  const tx = txs[0];
  const stop = tx?.stop;
  if (txs.length !== 1 || !tx || !stop || stop.meterStop <= tx.meterStart) {
    say('summary', `✗ expected one complete transaction at the CSMS, found ${txs.length}${tx && !stop ? ' (not stopped)' : ''}`, { ok: false });
    return 1;
  }
  const energyWh = stop.meterStop - tx.meterStart;
  const order = ocppVersion === '2.0.1' ? causalOrder201(csms) : causalOrder(csms);
  const id = tx.stationTransactionId ?? tx.transactionId;
  const ok = violations.length === 0 && order.ok;
  if (!json) process.stdout.write('\n');
  say(
    'summary',
    `${ok ? '✓' : '✗'} transaction ${id}: ${(energyWh / 1000).toFixed(2)} kWh (meter ${tx.meterStart} → ${stop.meterStop} Wh), ` +
      `stop reason ${stop.reason ?? 'Local'}, ${tx.meterValues.length} meter values; ${violations.length} ${ocppVersion === '2.0.1' ? 'violations (schema, seqNo, order)' : 'schema violations'}`,
    { ok, transactionId: id, energyWh, stopReason: stop.reason, violations: violations.length, ocppVersion },
  );
  say('summary', `${order.ok ? '✓' : '✗'} order at the CSMS: ${order.trail.join(' → ')}`, { ok: order.ok, order: order.trail });
  return ok ? 0 : 1;
}

/**
 * What the CSMS received for connector 1 from the session start on, and whether it is causal:
 * StartTransaction before the session's first status, StopTransaction before the status after it.
 */
function causalOrder(csms: EmbeddedCsms): { ok: boolean; trail: string[] } {
  const trail = csms
    .traffic((r) => r.chargePointId === CHARGE_POINT_ID && r.direction === 'in' && r.kind === 'call')
    .flatMap((r) => {
      const p = r.payload as { connectorId?: number; status?: string };
      if (r.action === 'StartTransaction' || r.action === 'StopTransaction') return [r.action];
      return r.action === 'StatusNotification' && p.connectorId === 1 ? [p.status!] : [];
    });
  const start = trail.indexOf('StartTransaction');
  const stop = trail.indexOf('StopTransaction');
  const inSession = (s: string) => ['SuspendedEV', 'SuspendedEVSE', 'Charging'].includes(s);
  const ok =
    start >= 0 && stop > start &&
    trail.findIndex(inSession) > start &&
    trail.slice(stop).every((s, i) => i === 0 || !inSession(s)) &&
    !trail.slice(start, stop).some((s) => s === 'Finishing' || s === 'Available');
  return { ok, trail: trail.slice(Math.max(0, trail.lastIndexOf('Preparing', start))) };
}

/**
 * The same for OCPP 2.0.1, where the EVSE is Occupied from plug-in to unplug: its TransactionEvents
 * Started before Ended, and no Available between them (the EVSE becomes Available only after Ended).
 */
function causalOrder201(csms: EmbeddedCsms): { ok: boolean; trail: string[] } {
  const trail = csms
    .traffic((r) => r.chargePointId === CHARGE_POINT_ID && r.direction === 'in' && r.kind === 'call')
    .flatMap((r) => {
      const p = r.payload as { evseId?: number; connectorStatus?: string; eventType?: string };
      if (r.action === 'TransactionEvent' && (p.eventType === 'Started' || p.eventType === 'Ended')) return [`TransactionEvent ${p.eventType}`];
      return r.action === 'StatusNotification' && p.evseId === 1 ? [p.connectorStatus!] : [];
    });
  const start = trail.indexOf('TransactionEvent Started');
  const stop = trail.indexOf('TransactionEvent Ended');
  const ok = start >= 0 && stop > start && trail.lastIndexOf('Occupied', start) >= 0 && !trail.slice(start, stop).includes('Available') && trail.indexOf('Available', stop) > stop;
  return { ok, trail: trail.slice(Math.max(0, trail.lastIndexOf('Occupied', start))) };
}
