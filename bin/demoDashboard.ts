/**
 * `evse demo --dashboard`: the embedded strict CSMS and one simulated charger (two connectors) on
 * the wall clock, with the local web dashboard on 127.0.0.1, until Ctrl-C. Nothing is scripted:
 * the visitor plugs in, taps cards and injects faults on the page (docs/dashboard.md). The CSMS
 * prices the sessions (the demo tariff, OCA California Pricing) and each connector has a
 * simulated 20x4 driver display, both shown on the page.
 */
import type { OcppVersion } from '../agent/ocpp/ProtocolFace.js';
import { systemClock } from '../hal/clock.js';
import { createSimulatedCharger } from '../hal/sim/createSimulatedCharger.js';
import { Agent } from '../agent/Agent.js';
import { OcppConfiguration } from '../agent/store/OcppConfiguration.js';
import { EmbeddedCsms } from '../scenarios/csms/EmbeddedCsms.js';
import { CsmsTariff } from '../scenarios/csms/CsmsTariff.js';
import { SimDisplay } from '../hal/sim/SimDisplay.js';
import { DISPLAY_DEFAULTS, DisplayService } from '../agent/display/DisplayService.js';
import { PricingService } from '../agent/pricing/PricingService.js';
import { DEMO_TARIFF } from './demo.js';
import { ChargerFeed } from './dashboard/ChargerFeed.js';
import { configView } from './dashboard/configView.js';
import { DashboardServer } from './dashboard/DashboardServer.js';
import { EX_USAGE } from './commandLine.js';
import { createLogger } from './logger.js';
import { packageVersion } from './packageInfo.js';
import { SUPPORTED_FEATURE_PROFILES } from './agentIdentity.js';

export interface DashboardDemoOptions {
  /** 0: any free port. */
  port: number;
  json: boolean;
  logLevel: string;
  pretty?: boolean | undefined;
  /** The OCPP version the charger speaks (default 1.6). */
  ocppVersion?: OcppVersion;
}

const CHARGE_POINT_ID = 'DEMO-CP1';
const CONNECTORS = 2;

export async function runDashboardDemo(opts: DashboardDemoOptions): Promise<number> {
  const log = createLogger(opts.logLevel, { pretty: opts.pretty });
  const clock = systemClock;
  const csms = new EmbeddedCsms({ logger: log });
  const { url: csmsUrl } = await csms.start();
  const sim = createSimulatedCharger({ clock, connectors: CONNECTORS, maxCurrentA: 32, phases: 3, ev: { batteryKWh: 60, soc: 0.3, maxCurrentA: 16, phases: 3 } });
  const config = await OcppConfiguration.open({
    file: null,
    initial: { MeterValueSampleInterval: 30, HeartbeatInterval: 300 },
    readonlyValues: { NumberOfConnectors: CONNECTORS, SupportedFeatureProfiles: SUPPORTED_FEATURE_PROFILES, CustomDisplayCostAndPrice: true, CustomMultiLanguageMessages: true },
    log,
  });
  const agent = new Agent({
    chargePointId: CHARGE_POINT_ID,
    ...(opts.ocppVersion && { ocppVersion: opts.ocppVersion }),
    boot: { chargePointVendor: 'evse-agent', chargePointModel: 'demo', chargePointSerialNumber: 'DEMO-0001', firmwareVersion: packageVersion() },
    csms: { url: csmsUrl, callTimeoutMs: 10_000 },
    hardware: sim.hardware,
    config,
    clock,
    log,
  });
  const tariff = new CsmsTariff(csms, DEMO_TARIFF);
  tariff.attach();
  const displays = Array.from({ length: CONNECTORS }, (_, i) => new SimDisplay({ id: `display:${i + 1}`, width: 20, height: 4, connectors: [i + 1] }));
  const screens = new DisplayService({ agent, displays, clock, log, settings: { ...DISPLAY_DEFAULTS, language: 'en', support: { phone: '+49 30 1234567' }, qrUrl: 'https://charge.example/{chargePointId}/{connectorId}?do={action}' } });
  const pricing = new PricingService({ agent, display: screens, clock, log, currency: DEMO_TARIFF.currency });
  const feed = new ChargerFeed({
    clock,
    csmsUrl: `${csmsUrl}/${CHARGE_POINT_ID}`,
    currentScreen: (connectorId) => screens.contentAt(connectorId),
    transactionCost: (tx) => (tx.transactionId === undefined ? undefined : pricing.costOf(tx.transactionId)),
  });
  const demoSettings = { demo: 'evse demo --dashboard: no configuration files; an embedded CSMS and a simulated charger', chargePoint: { id: CHARGE_POINT_ID, connectors: CONNECTORS }, csms: { url: csmsUrl } };
  const server = new DashboardServer({ feed, config: () => configView(demoSettings, config), host: '127.0.0.1', port: opts.port, log });
  const shutdown = async () => {
    feed.close();
    pricing.stop();
    screens.stop();
    tariff.detach();
    await server.stop().catch(() => undefined);
    await agent.stop({ flushMs: 1000 });
    await sim.close();
    await csms.stop();
  };
  let url: string;
  try {
    ({ url } = await server.start());
  } catch (err) {
    // As the other commands' ports: a usage error naming the option.
    process.stderr.write(`evse demo: --dashboard-port: cannot listen on 127.0.0.1:${opts.port}: ${(err as Error).message}\n`);
    await shutdown();
    return EX_USAGE;
  }
  feed.attach(agent, sim);
  screens.start();
  pricing.start();
  agent.start();
  process.stdout.write(
    opts.json
      ? `${JSON.stringify({ type: 'dashboard', url, csms: csmsUrl, chargePointId: CHARGE_POINT_ID })}\n`
      : `evse demo: dashboard on ${url}\n  charger ${CHARGE_POINT_ID} (${CONNECTORS} connectors, simulated hardware, real time) on the embedded CSMS ${csmsUrl}\n  plug in, tap a card and inject faults on the page; Ctrl-C stops\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await shutdown();
  return 0;
}
