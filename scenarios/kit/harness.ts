/**
 * The site under test for one scenario run: one or more chargers (each a real in-process Agent
 * with its own hardware and {@link Rig}) on one CSMS, and the clock. Records a timeline.
 *
 * - sim HAL + embedded CSMS: a SimulatedClock (virtual time, deterministic per seed), simulated
 *   hardware, the embedded strict CSMS on 127.0.0.1;
 * - serial HAL or an external CSMS: the wall clock; waits are real and bounded.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { SimulatedClock, systemClock, type Clock } from '../../hal/clock.js';
import { createSimulatedCharger } from '../../hal/sim/createSimulatedCharger.js';
import { SimDisplay } from '../../hal/sim/SimDisplay.js';
import type { ChargerHardware } from '../../hal/index.js';
import { Agent } from '../../agent/Agent.js';
import { OcppConfiguration } from '../../agent/store/OcppConfiguration.js';
import { MemoryJournal } from '../../agent/store/TransactionJournal.js';
import { VersionFileInstaller } from '../../agent/firmware/FirmwareInstaller.js';
import { FirmwareStore } from '../../agent/firmware/FirmwareStore.js';
import { installedManufacturerRoots } from '../../agent/firmware/ManufacturerRoots.js';
import { CertificateService } from '../../agent/security/CertificateService.js';
import { CertificateStore } from '../../agent/security/CertificateStore.js';
import { SecurityEventService, type QueuedSecurityEvent } from '../../agent/security/SecurityEventService.js';
import { SecurityLog } from '../../agent/security/SecurityLog.js';
import { DISPLAY_DEFAULTS, DisplayService } from '../../agent/display/DisplayService.js';
import { PricingService } from '../../agent/pricing/PricingService.js';
import { CsmsTariff } from '../csms/CsmsTariff.js';
import { EmbeddedCsms } from '../csms/EmbeddedCsms.js';
import { embeddedView, externalView, type CsmsView } from './csmsView.js';
import type { Rig, SerialBenchFactory } from './rig/Rig.js';
import { simRig } from './rig/simRig.js';
import { ScenarioUsageError } from './errors.js';
import { type ScenarioOptions } from './scenarioOptions.js';
import { seededRandom } from '../seededRandom.js';
import { SiteFiles } from './siteFiles.js';
import type { OcppVersion } from '../../agent/ocpp/ProtocolFace.js';
import type { OcppLinkState } from '../../agent/ocpp/OcppLinkTypes.js';
import { withinRealTime } from '../../agent/withinRealTime.js';

export const CHARGE_POINT_ID = 'SCENARIO-CP1';
/** 2026-01-01T00:00:00Z: virtual time starts here, so clock-aligned boundaries are easy to read. */
export const T0 = Date.UTC(2026, 0, 1);

/**
 * The longest the kit waits, in real time, for real I/O under way — a firmware transfer, an installer,
 * a log upload, a charger's connection and boot — before it lets time go on anyway. Virtual time
 * stands still meanwhile, however slow the machine: a transfer that takes 5 s of real time under load
 * happens at the same virtual instant as one that takes 5 ms (DESIGN.md §5). Far above any transfer's
 * own limits (an upload gives up after 120 s), so that it only ends a wait that would hang.
 */
export const REAL_IO_LIMIT_MS = 150_000;
/** How long one settle waits for the charger's calls in flight and its transaction messages (they may wait on the virtual clock). */
const CALLS_SETTLE_MS = 3000;
/** How long a charger waits for the answer to its call (virtual ms). */
const CALL_TIMEOUT_MS = 10_000;

export type EventKind = 'step' | 'status' | 'ocpp' | 'energy' | 'card' | 'display' | 'note';

export interface TimelineEvent {
  /** Virtual ms since the scenario started. */
  readonly at: number;
  readonly kind: EventKind;
  readonly text: string;
}

/** Where a run takes place; the default is the simulated HAL and the embedded CSMS. */
export interface RunEnvironment {
  readonly seed: number;
  readonly hal: { readonly kind: 'sim' } | { readonly kind: 'serial'; readonly bench: SerialBenchFactory };
  readonly csms: { readonly kind: 'embedded' } | { readonly kind: 'external'; readonly url: string };
  /** Charge point ids (override the scenario's). */
  readonly ids?: readonly string[];
  /** Longest single `clock.advance` on real time, ms (default 10 minutes). */
  readonly maxRealWaitMs?: number;
  /** The OCPP version the chargers speak (default 1.6). */
  readonly ocppVersion?: OcppVersion;
}

export const DEFAULT_ENVIRONMENT: RunEnvironment = { seed: 1, hal: { kind: 'sim' }, csms: { kind: 'embedded' } };

export interface ChargerUnderTest {
  /** 1-based position in the site. */
  readonly index: number;
  readonly id: string;
  /** The agent running now: a Reset from the CSMS (or a firmware update) restarts it as a new Agent on the same hardware. */
  readonly agent: Agent;
  /** The firmware version it booted with (BootNotification.firmwareVersion). */
  readonly firmwareVersion: string | undefined;
  /** Firmware updates, when the scenario declared `charger: { firmware: '<version>' }` (sim HAL). */
  readonly firmware: { readonly installer: VersionFileInstaller } | undefined;
  readonly config: OcppConfiguration;
  readonly rig: Rig;
  readonly connectorCount: number;
  /** Energy register of a connector now, Wh (the last good reading while the meter is failing). */
  energyWh(connectorId: number): Promise<number>;
  /** The driver display's screen of a connector now, each line in its fullest form (only with a `tariff`: undefined without a display). */
  screen(connectorId: number): string[] | undefined;
}

export interface Harness {
  readonly clock: Clock;
  /** The OCPP version the chargers speak. */
  readonly ocppVersion: OcppVersion;
  /** True on virtual time (sim HAL and embedded CSMS). */
  readonly virtual: boolean;
  /** Clock time the run started (T0 on virtual time). */
  readonly start: number;
  readonly maxRealWaitMs: number;
  readonly csms: CsmsView;
  readonly chargers: readonly ChargerUnderTest[];
  readonly timeline: TimelineEvent[];
  /** The scenario's own HTTP server on 127.0.0.1 (firmware images, log uploads), started on first use. */
  readonly files: SiteFiles;
  /** Embedded CSMS only: when true it refuses (HTTP 401) reconnections. */
  offline: boolean;
  /**
   * The CSMS leaves the call charger `chargePointId` just sent unanswered: until the charger's call
   * timeout has passed on the clock, settling does not wait for that answer (the link sends one call
   * at a time, so nothing else of that charger is in flight meanwhile).
   */
  unanswered(chargePointId: string): void;
  note(kind: EventKind, text: string): void;
  settle(): Promise<void>;
  /** Lets `ms` pass: virtual time in one-second steps with I/O settled between, or real time. */
  advance(ms: number): Promise<void>;
  close(): Promise<void>;
}

export async function createHarness(options: ScenarioOptions, env: RunEnvironment = DEFAULT_ENVIRONMENT): Promise<Harness> {
  const count = options.chargers ?? 1;
  const ids = env.ids ?? options.ids ?? Array.from({ length: count }, (_, i) => `SCENARIO-CP${i + 1}`);
  if (ids.length < count) throw new ScenarioUsageError(`--id: the scenario has ${count} chargers, but ${ids.length} id(s) were given (${ids.join(', ')})`);
  if (env.hal.kind === 'serial' && count > 1) {
    throw new ScenarioUsageError(`--hal serial: the scenario has ${count} chargers, but a serial bench wires one charger's devices; run it with --hal sim`);
  }
  const log = pino({ level: process.env.EVSE_SCENARIO_LOG ?? 'silent' });
  const ocppVersion = env.ocppVersion ?? '1.6';
  const virtual = env.hal.kind === 'sim' && env.csms.kind === 'embedded';
  const clock: Clock = virtual ? new SimulatedClock(T0) : systemClock;
  const start = clock.now();
  const timeline: TimelineEvent[] = [];
  const note = (kind: EventKind, text: string) => void timeline.push({ at: clock.now() - start, kind, text });
  const byCharger = (cp: string, text: string) => note('ocpp', count > 1 ? `${cp} ${text}` : text);
  const link = { offline: false };
  const closers: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const c of closers.splice(0).reverse()) await c().catch(() => undefined);
  };

  try {
    let csms: CsmsView;
    let url: string;
    if (env.csms.kind === 'embedded') {
      const embedded = new EmbeddedCsms({ now: () => clock.now(), logger: log, pingIntervalMs: 0, auth: () => !link.offline, ...(options.cards && { authorization: options.cards }) });
      embedded.setBootPolicy(options.boot ?? { interval: 3600 });
      url = (await embedded.start({ host: '127.0.0.1', port: 0 })).url;
      closers.push(() => embedded.stop());
      if (options.tariff) {
        const tariff = new CsmsTariff(embedded, options.tariff, () => clock.now());
        tariff.attach();
        closers.push(async () => tariff.detach());
      }
      csms = embeddedView(embedded, byCharger);
    } else {
      url = env.csms.url;
      csms = externalView(url);
    }

    // Ventilation and firmware are the agent's capabilities, the rest describes the simulated hardware.
    const { ventilation = false, firmware: firmwareVersion, ...simulated } = options.charger ?? {};
    if (firmwareVersion !== undefined && env.hal.kind !== 'sim') throw new ScenarioUsageError(`charger.firmware: firmware updates in scenarios use the simulator's installer; run the scenario with --hal sim`);
    const chargers: ChargerUnderTest[] = [];
    const restarts = new Set<Promise<void>>();
    for (let i = 0; i < count; i++) {
      const id = ids[i]!;
      const prefix = count > 1 ? `${id} ` : '';
      let hardware: ChargerHardware;
      let rig: Rig;
      if (env.hal.kind === 'sim') {
        const sim = createSimulatedCharger({ connectors: 1, ...simulated, clock, ...(count > 1 && { idPrefix: `${id}/` }) });
        hardware = sim.hardware;
        rig = simRig(sim);
        closers.push(() => rig.close());
      } else {
        ({ hardware, rig } = await env.hal.bench(clock));
        // Closed in reverse: the drivers release their ports before the rig removes the devices.
        closers.push(() => rig.close(), () => hardware.close());
      }
      const chargerLog = log.child({ chargePointId: id });
      const firmwareDir = firmwareVersion === undefined ? undefined : await mkdtemp(join(tmpdir(), 'evse-scenario-fw-'));
      if (firmwareDir) closers.push(() => rm(firmwareDir, { recursive: true, force: true }));
      const config = await OcppConfiguration.open({
        file: null,
        initial: { MeterValueSampleInterval: 0, WebSocketPingInterval: 0, ...options.ocpp },
        readonlyValues: { NumberOfConnectors: hardware.connectors.length, SupportedFeatureProfiles: `Core,${firmwareDir ? 'FirmwareManagement,' : ''}Reservation,SmartCharging,RemoteTrigger` },
        log,
      });
      // What a charger keeps across its restarts: the journal, the security services, the firmware's state.
      const kept = await keptAcrossRestarts({ id, clock, log: chargerLog, firmwareDir, firmwareVersion });
      let current: Agent;
      let bootedVersion: string | undefined;
      // The driver display and prices of a scenario with a tariff follow the charger across its restarts.
      let screens: ReturnType<typeof pricedDisplay> | undefined;
      const boot = async (bootReason: 'PowerUp' | 'RemoteReset'): Promise<Agent> => {
        bootedVersion = kept.firmware ? ((await kept.firmware.installer.activate()) ?? firmwareVersion) : undefined;
        const agent = new Agent({
          chargePointId: id,
          ocppVersion,
          bootReason,
          boot: { chargePointVendor: 'evse-agent', chargePointModel: 'scenario', ...(bootedVersion !== undefined && { firmwareVersion: bootedVersion }) },
          csms: { url, callTimeoutMs: CALL_TIMEOUT_MS },
          hardware,
          config,
          clock,
          log: chargerLog,
          journal: kept.journal,
          random: seededRandom(env.seed + i),
          ventilation,
          securityEvents: kept.events,
          certificates: kept.certificates,
          ...(kept.firmware && { firmware: kept.firmware.options }),
          // GetDiagnostics / GetLog upload what the scenario's timeline recorded so far, and the security log.
          diagnostics: { sources: { DiagnosticsLog: { lines: () => timeline.map((e) => JSON.stringify({ time: start + e.at, kind: e.kind, msg: e.text })) }, SecurityLog: kept.securityLog } },
        });
        agent.on('status', (s) => note('status', `${prefix}connector ${s.connectorId}: ${s.status}${s.errorCode !== 'NoError' ? ` (${s.errorCode})` : ''}`));
        agent.on('card', (card, result) => note('card', `${prefix}card ${card.uid}: ${result.status} (${result.source})`));
        agent.on('cardRefused', (card, refusal) => note('card', `${prefix}card ${card.uid} refused: ${refusal.message}`));
        // A Reset (or a firmware update's reboot) restarts the charger as its owner would: a new Agent.
        agent.on('reset', (type) => {
          const restart = (async () => {
            note('note', `${prefix}charger restarts (${type} reset)`);
            await agent.stop({ reason: type === 'Soft' ? 'SoftReset' : 'HardReset', flushMs: 0 });
            // Raised once the old connection is closed: sent once, by the charger that boots.
            kept.events.raise('ResetOrReboot', `${type} reset requested by the CSMS`);
            current = await boot('RemoteReset');
            current.start();
            await untilBooted(current, virtual);
          })();
          restarts.add(restart);
          void restart.finally(() => restarts.delete(restart));
        });
        csms.attach(agent, byCharger);
        screens?.stop();
        screens = options.tariff ? pricedDisplay(agent, clock, log, options.tariff.currency, (text) => note('display', `${prefix}display: ${text}`)) : undefined;
        return agent;
      };
      current = await boot('PowerUp');
      closers.push(() => current.stop({ flushMs: 500 }));
      closers.push(async () => screens?.stop());
      chargers.push({
        index: i + 1,
        id,
        get agent() {
          return current;
        },
        get firmwareVersion() {
          return bootedVersion;
        },
        firmware: kept.firmware && { installer: kept.firmware.installer },
        config,
        rig,
        connectorCount: hardware.connectors.length,
        async energyWh(n) {
          const meter = hardware.connectors[n - 1]!.meter;
          try {
            return (await meter.read()).energyWh;
          } catch {
            return meter.lastReading?.energyWh ?? 0;
          }
        },
        screen: (n) => screens?.display.screenOf(n)?.lines.map((l) => l.variants[0] ?? ''),
      });
    }

    /** Per charger: the virtual time until which a call of it stays unanswered on purpose. */
    const quietUntil = new Map<string, number>();
    const callsSettleMs = (id: string) => ((quietUntil.get(id) ?? -Infinity) > clock.now() ? 20 : CALLS_SETTLE_MS);
    const settle = async () => {
      // Bounded: each round waits for real I/O that was under way; a round without any ends it.
      for (let round = 0; round < 1000; round++) {
        while (restarts.size > 0) await Promise.all(restarts);
        // A transfer or an installer is real I/O: waited for as long as it takes, not for
        // CALLS_SETTLE_MS only (under load it can take longer, and virtual time must not move past it).
        await Promise.all(chargers.map((c) => withinRealTime(maintenanceSettled(c.agent), REAL_IO_LIMIT_MS)));
        await Promise.all(chargers.map((c) => c.agent.whenIdle(callsSettleMs(c.id))));
        // Settling the calls may have started more (the next stage of an update, a restart).
        if (restarts.size === 0 && !(await Promise.all(chargers.map((c) => maintenanceBusy(c.agent)))).some(Boolean)) return;
      }
    };
    const files = new SiteFiles();
    closers.push(() => files.close());
    const sleep = (ms: number) => new Promise<void>((resolve) => clock.setTimeout(resolve, ms));
    const harness: Harness = {
      clock,
      ocppVersion,
      virtual,
      start,
      maxRealWaitMs: env.maxRealWaitMs ?? 600_000,
      csms,
      chargers,
      timeline,
      files,
      get offline() {
        return link.offline;
      },
      set offline(value: boolean) {
        link.offline = value;
      },
      note,
      unanswered: (id) => void quietUntil.set(id, clock.now() + CALL_TIMEOUT_MS),
      settle,
      advance: virtual ? (ms) => (clock as SimulatedClock).advanceAsync(ms, settle, 1000) : (ms) => sleep(ms).then(settle),
      close,
    };
    for (const c of chargers) c.agent.start();
    if (options.waitForBoot ?? true) await waitForBoot(harness);
    return harness;
  } catch (err) {
    await close();
    throw err;
  }
}

/**
 * Every charger booted and reported its last connector's status: real I/O (the connection, the boot,
 * the StatusNotifications), waited for in real time while virtual time stands still, up to 60 s (a
 * loaded machine may need more than a few seconds); on real time (an external CSMS, a bench) 20 s. A
 * charger that cannot boot fails the run.
 */
async function waitForBoot(h: Harness): Promise<void> {
  const limitMs = h.virtual ? 60_000 : 20_000;
  for (const c of h.chargers) {
    const wallStart = performance.now();
    // 1.6 reports connectorId (and 0), 2.0.1 its EVSEs by evseId
    const last = (p: { connectorId?: number; evseId?: number }) => (h.ocppVersion === '2.0.1' ? p.evseId : p.connectorId) === c.connectorCount;
    while (!h.csms.calls(c.id, 'StatusNotification', 0).some((r) => last(r.payload as { connectorId?: number; evseId?: number }))) {
      if (performance.now() - wallStart > limitMs) {
        throw new Error(`${c.id} did not boot and report its connectors within ${limitMs / 1000} s at the CSMS ${h.csms.label}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 10)); // real time: the socket, not the clock
    }
  }
  await h.advance(0);
}

interface Kept {
  journal: MemoryJournal;
  securityLog: SecurityLog;
  events: SecurityEventService;
  certificates: CertificateService;
  firmware: { installer: VersionFileInstaller; options: NonNullable<ConstructorParameters<typeof Agent>[0]['firmware']> } | undefined;
}

/** What one charger keeps across its restarts, in memory (the firmware's files in a temporary directory). */
async function keptAcrossRestarts(o: { id: string; clock: Clock; log: Logger; firmwareDir: string | undefined; firmwareVersion: string | undefined }): Promise<Kept> {
  const securityLog = await SecurityLog.open({ file: null, log: o.log });
  const events = new SecurityEventService({ clock: o.clock, log: o.log, securityLog, queue: new MemoryJournal<QueuedSecurityEvent>() });
  const store = await CertificateStore.open({ file: null, log: o.log, maxCertificates: 20 });
  const certificates = new CertificateService({ store, events, clock: o.clock, log: o.log, subject: () => ({ commonName: o.id }), needsInstalledRoots: () => false });
  let firmware: Kept['firmware'];
  if (o.firmwareDir !== undefined) {
    const installer = new VersionFileInstaller(o.firmwareDir);
    await installer.setRunningVersion(o.firmwareVersion!);
    firmware = {
      installer,
      // Signing certificates chain to the ManufacturerRootCertificates the CSMS installed (InstallCertificate).
      options: { installer, store: FirmwareStore.inDirectory(o.firmwareDir, o.log), manufacturerRoots: installedManufacturerRoots(store), stallTimeoutMs: 10_000 },
    };
  }
  return { journal: new MemoryJournal(), securityLog, events, certificates, firmware };
}

/**
 * After a restart: the new agent's connection attempt is real I/O, waited for in real time (virtual
 * time stands still) until its BootNotification is answered, or until it waits on the clock (its
 * connection failed and a reconnect is scheduled, e.g. while the CSMS is offline), bounded by
 * {@link REAL_IO_LIMIT_MS}; on real time up to 20 s.
 */
async function untilBooted(agent: Agent, virtual: boolean): Promise<void> {
  const done = (state: OcppLinkState) => state === 'accepted' || state === 'pending' || state === 'rejected' || state === 'stopped';
  if (done(agent.link.state)) return;
  let onState: ((state: OcppLinkState) => void) | undefined;
  let onReconnecting: (() => void) | undefined;
  const answered = new Promise<void>((resolve) => {
    onState = (state) => done(state) && resolve();
    onReconnecting = () => resolve();
    agent.link.on('state', onState);
    agent.link.on('reconnecting', onReconnecting);
  });
  try {
    await withinRealTime(answered, virtual ? REAL_IO_LIMIT_MS : 20_000);
  } finally {
    agent.link.off('state', onState!);
    agent.link.off('reconnecting', onReconnecting!);
  }
}

/** Resolves once the charger's remote maintenance has no real I/O under way (a transfer, an installer, an upload). */
async function maintenanceSettled(agent: Agent): Promise<void> {
  await agent.firmware?.settled();
  await agent.diagnostics?.settled();
}

/** Whether the charger's remote maintenance has real I/O under way now (its settled() does not resolve at once). */
async function maintenanceBusy(agent: Agent): Promise<boolean> {
  let settled = false;
  void maintenanceSettled(agent).then(() => (settled = true));
  await new Promise((resolve) => setImmediate(resolve));
  return !settled;
}

/**
 * A simulated 20x4 driver display with the pricing service. Each connector's new screen is told to
 * `say` (whole, not page by page), once per screen: a screen whose figures change (kW, cost) is the same one.
 */
function pricedDisplay(agent: Agent, clock: Clock, log: Logger, currency: string, say: (text: string) => void): { display: DisplayService; stop(): void } {
  const sim = new SimDisplay({ id: 'display:0', width: 20, height: 4 });
  const display = new DisplayService({ agent, displays: [sim], clock, log, settings: { ...DISPLAY_DEFAULTS, language: 'en', support: {}, qrUrl: '' } });
  const pricing = new PricingService({ agent, display, clock, log, currency });
  const last = new Map<number, string>();
  const onShow = (): void => {
    for (const c of agent.connectors) {
      const lines = display.screenOf(c.connectorId)?.lines.map((l) => l.variants[0] ?? '') ?? [];
      const key = lines.map((l) => l.replace(/[\d.,:]+/g, '#')).join('|');
      if (last.get(c.connectorId) === key) continue;
      last.set(c.connectorId, key);
      say(`${agent.connectors.length > 1 ? `connector ${c.connectorId}: ` : ''}${lines.join(' | ')}`);
    }
  };
  sim.on('shown', onShow);
  display.start();
  pricing.start();
  return {
    display,
    stop() {
      sim.off('shown', onShow);
      pricing.stop();
      display.stop();
    },
  };
}
