/**
 * `evse run`: the on-device agent. Loads and validates the settings (exit 78 when invalid), opens
 * the OCPP configuration store, the transaction journal (`journal.log`), the authorization cache and
 * the Local Authorization List and the session history (`sessions.log`, bin/usageRecording.ts) in the
 * data directory, builds the configured hardware and runs one Agent on the wall clock until SIGTERM/SIGINT, which
 * shut it down cleanly within 5 s.
 * A Reset from the CSMS restarts the agent in-process (Hard: the transaction journal is opened again
 * and the hardware re-initialised, as a reboot would). A restart that fails is retried ResetRetries
 * times with a back-off, then the process exits 70 for the service manager.
 */
import { chooseOcppVersion } from './ocppVersionChoice.js';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { OffsetClock, systemClock, type Clock } from '../hal/clock.js';
import type { DisplayContent } from '../hal/index.js';
import { Agent, type AgentOptions } from '../agent/Agent.js';
import { NetworkProfiles, SLOT_COUNT } from '../agent/ocpp/NetworkProfiles.js';
import { OcppConfiguration } from '../agent/store/OcppConfiguration.js';
import { ConnectorAvailability } from '../agent/store/ConnectorAvailability.js';
import { TransactionSeqNos } from '../agent/store/TransactionSeqNos.js';
import { FileJournal } from '../agent/store/FileJournal.js';
import { VariableMonitorStore } from '../agent/store/VariableMonitorStore.js';
import type { QueuedNotifyEvent } from '../agent/ocpp/v201/NotifyEvents.js';
import { AuthorizationCache } from '../agent/auth/AuthorizationCache.js';
import { LocalAuthList } from '../agent/auth/LocalAuthList.js';
import { createHardware, type Hardware } from './createHardware.js';
import type { TelemetryPublisher } from '../agent/telemetry/TelemetryPublisher.js';
import type { TelemetryTlsSettings } from '../agent/telemetry/mqttClient.js';
import { CurrentLimits } from '../agent/store/CurrentLimits.js';
import { ChargingProfileStore } from '../agent/chargingLimits/ChargingProfileStore.js';
import { withinRealTime } from '../agent/withinRealTime.js';
import { telemetryTlsOf } from './telemetryTls.js';
import { loadSettings } from './settings/loadSettings.js';
import { createLogger } from './logger.js';
import { LogRing } from '../agent/diagnostics/LogRing.js';
import { exitOnInvalidSettings, type Settings } from './settings/settings.js';
import { bootNotificationOf, SUPPORTED_FEATURE_PROFILES, SUPPORTED_FEATURE_PROFILES_WITH_FIRMWARE } from './agentIdentity.js';
import { activateFirmware, firmwareOptionsOf } from './firmwareSetup.js';
import { anyManufacturerRoots, installedManufacturerRoots } from '../agent/firmware/ManufacturerRoots.js';
import { ocppInitialValues } from './ocppInitialValues.js';
import { backoffWindow, type BackoffWindow } from '../agent/ocpp/backoff.js';
import type { SessionHistory } from '../agent/store/SessionHistory.js';
import type { UsageTracker } from '../agent/sessions/UsageTracker.js';
import { driverUsageRecords, openSessionHistory, trackUsage } from './usageRecording.js';
import { openCsmsSecurity, type CsmsSecurity } from './csmsSecurity.js';
import { SystemdNotifier } from './systemdNotify.js';
import { DISPLAY_DEFAULTS, DisplayService } from '../agent/display/DisplayService.js';
import { OperatorMessages } from '../agent/display/OperatorMessages.js';
import { PricingService } from '../agent/pricing/PricingService.js';
import { startDashboard, type Dashboard } from './dashboard/startDashboard.js';

/** SIGTERM must be done within 5 s; keep a margin for closing the socket and the store. */
const SHUTDOWN_FLUSH_MS = 2500;
const SHUTDOWN_HARD_LIMIT_MS = 4500;
const EX_CANTCREAT = 73;
const TELEMETRY_STOP_MS = 500;
/** A Reset whose restart failed ResetRetries more times: exit so the service manager starts the process again. */
const EX_SOFTWARE = 70;
/** Back-off between restart attempts after a Reset: 2 s, 4 s, 8 s, … at most 60 s (wall clock). */
const RESTART_RETRY: BackoffWindow = { initialDelayMs: 2000, maxDelayMs: 60_000 };

export interface RunAgentOptions {
  /** Human-readable logs (`--pretty`/`--no-pretty`); undefined: when stderr is a terminal. */
  pretty?: boolean | undefined;
}

export async function runAgent(options: RunAgentOptions = {}): Promise<number> {
  let settings: Settings;
  let telemetryTls: TelemetryTlsSettings | undefined;
  try {
    settings = loadSettings();
    if (settings.telemetry.url) telemetryTls = telemetryTlsOf(settings.telemetry);
  } catch (err) {
    return exitOnInvalidSettings(err);
  }
  // The recent log, for GetDiagnostics / GetLog (DiagnosticsLog).
  const recentLog = new LogRing();
  const log = createLogger(settings.log.level, { pretty: options.pretty, ring: recentLog });
  const dataDir = resolve(settings.dataDir);
  try {
    await mkdir(dataDir, { recursive: true });
  } catch (err) {
    log.fatal({ err, dataDir }, 'cannot create the data directory (dataDir / EVSE_DATA_DIR)');
    process.stderr.write(`evse: cannot create the data directory ${dataDir}: ${(err as Error).message}\n`);
    return EX_CANTCREAT;
  }
  const firmware = firmwareOptionsOf(settings, dataDir, log);
  const config = await OcppConfiguration.open({
    file: join(dataDir, 'ocpp-configuration.json'),
    initial: ocppInitialValues(settings),
    readonlyValues: {
      NumberOfConnectors: settings.chargePoint.connectors,
      // Connection profile 1 is csms.url, 2… csms.fallbackUrls (NetworkConfigurationPriority names them);
      // under OCPP 2.0.1 a CSMS may set any of the slots 1…9 (SetNetworkProfile; ConnectionProfiles checks the list).
      NetworkConnectionProfiles: settings.ocppVersions.includes('2.0.1') ? SLOT_COUNT : 1 + settings.csms.fallbackUrls.length,
      SupportedFeatureProfiles: firmware ? SUPPORTED_FEATURE_PROFILES_WITH_FIRMWARE : SUPPORTED_FEATURE_PROFILES,
      // Prices and costs (OCA California Pricing) are shown only where a display shows them.
      CustomDisplayCostAndPrice: settings.display.type !== 'none',
      // ... and the CSMS's texts in the driver's language (priceTextExtra) with them.
      CustomMultiLanguageMessages: settings.display.type !== 'none',
    },
    log,
  });
  const availability = await ConnectorAvailability.open(join(dataDir, 'connector-availability.json'), log);
  // OCPP 2.0.1 numbers each transaction's events: the count survives a restart (docs/ocpp201.md).
  const seqNos = settings.ocppVersions.includes('2.0.1') ? await TransactionSeqNos.open(join(dataDir, 'transaction-seqnos.json'), log) : undefined;
  const auth: LocalAuthorization = {
    cache: await AuthorizationCache.open(join(dataDir, 'authorization-cache.json'), log),
    localList: await LocalAuthList.open(join(dataDir, 'local-auth-list.json'), log),
  };
  // Without a durable journal a session could not be billed after a power cut: refuse to run.
  const openJournal = () => FileJournal.open({ file: join(dataDir, 'journal.log'), log });
  let journal: FileJournal;
  try {
    journal = await openJournal();
  } catch (err) {
    log.fatal({ err, dataDir }, 'cannot open the transaction journal');
    process.stderr.write(`evse: cannot open the transaction journal in ${dataDir}: ${(err as Error).message}\n`);
    return EX_CANTCREAT;
  }
  // OCPP 2.0.1 also keeps the variable monitors the CSMS set and the NotifyEvents it has not received yet.
  let monitoring: Awaited<ReturnType<typeof openMonitoring>> | undefined;
  try {
    monitoring = settings.ocppVersions.includes('2.0.1') ? await openMonitoring(dataDir, log) : undefined;
  } catch (err) {
    await journal.close().catch(() => undefined);
    process.stderr.write(`evse: cannot open the NotifyEvent queue in ${dataDir}: ${(err as Error).message}\n`);
    return EX_CANTCREAT;
  }
  // Limits set over MQTT survive restarts; only MQTT commands set (and so apply) them.
  const telemetry: TelemetryResources = {
    ...(telemetryTls && { tls: telemetryTls }),
    ...(settings.telemetry.url && settings.telemetry.commands && { currentLimits: await CurrentLimits.open(join(dataDir, 'mqtt-current-limits.json'), log) }),
  };
  const clock = settings.clock.source === 'csms' ? new OffsetClock(systemClock) : systemClock;
  let security: CsmsSecurity;
  try {
    security = await openCsmsSecurity(settings, dataDir, config, clock, log);
  } catch (err) {
    await journal.close().catch(() => undefined);
    await monitoring?.queue.close().catch(() => undefined);
    return exitOnInvalidSettings(err);
  }
  security.events.raise('StartupOfTheDevice', `evse-agent ${settings.chargePoint.firmwareVersion}, security profile ${security.connection.profile}`);
  const history = await openSessionHistory(settings, dataDir, clock, log);
  const profiles = await ChargingProfileStore.open(join(dataDir, 'charging-profiles.json'), log);
  // The recent log and the security log, for GetDiagnostics / GetLog.
  // Signing certificates may chain to a root the CSMS installed (InstallCertificate) or one in firmware.manufacturerRootsDir.
  const trustedFirmware = firmware && { ...firmware, manufacturerRoots: anyManufacturerRoots(firmware.manufacturerRoots, installedManufacturerRoots(security.certificates)) };
  const maintenance: Maintenance = { firmware: trustedFirmware, diagnostics: { sources: { DiagnosticsLog: { lines: () => recentLog.snapshot() }, SecurityLog: security.securityLog } } };
  // The operator's display messages survive restarts (docs/display.md); kept only with a display.
  const displayMessages = settings.display.type === 'none' ? undefined : await OperatorMessages.open(join(dataDir, 'display-messages.json'), log);
  // The dashboard outlives resets; the display and prices it shows are those of the agent running now.
  let runner: AgentRunner | undefined = undefined;
  const dashboard = settings.dashboard.enabled
    ? await startDashboard({
        settings,
        clock,
        log,
        ocppConfig: config,
        currentScreen: (connectorId) => runner?.screenAt(connectorId),
        transactionCost: (tx) => (tx.transactionId === undefined ? undefined : runner?.costOf(tx.transactionId)),
      })
    : undefined;
  const notifier = SystemdNotifier.fromEnvironment(process.env, log);
  runner = new AgentRunner(settings, config, availability, { current: journal, open: openJournal }, log, auth, telemetry, clock, history, profiles, seqNos, maintenance, security, notifier, displayMessages, dashboard, monitoring);
  return runner.run().finally(() => notifier?.close());
}

/** What telemetry needs beyond the settings, prepared once (shared by the agents a Reset creates). */
interface TelemetryResources {
  tls?: TelemetryTlsSettings;
  currentLimits?: CurrentLimits;
}

/**
 * The transaction journal, shared by the agents a Reset creates one after the other: what one
 * journaled, the next delivers. A Hard reset opens it again, so a data directory that became
 * unusable fails the restart (retried) instead of leaving an agent on a file it cannot reopen.
 */
interface JournalSlot {
  current: FileJournal;
  open(): Promise<FileJournal>;
}

/** Remote maintenance, shared by the agents a Reset creates one after the other. */
interface Maintenance {
  firmware: AgentOptions['firmware'];
  diagnostics: NonNullable<AgentOptions['diagnostics']>;
}

/** Local authorization state, shared by the agents a Reset creates one after the other. */
interface LocalAuthorization {
  cache: AuthorizationCache;
  localList: LocalAuthList;
}

class AgentRunner {
  private hw: Hardware | undefined;
  private agent: Agent | undefined;
  private telemetry: TelemetryPublisher | undefined;
  private usage: UsageTracker | undefined;
  private display: DisplayService | undefined;
  private pricing: PricingService | undefined;

  /** What the display at a connector shows now (none without a display). */
  screenAt(connectorId: number): DisplayContent | undefined {
    return this.display?.contentAt(connectorId);
  }

  /** The latest cost the CSMS told of a transaction (OCA California Pricing). */
  costOf(transactionId: number): { amount: number; currency: string } | undefined {
    return this.pricing?.costOf(transactionId);
  }
  private stopping = false;
  /** Why the next agent starts (its OCPP 2.0.1 BootNotification says so): after a Reset, RemoteReset; after a firmware update's reboot, FirmwareUpdate. */
  private bootReason: 'PowerUp' | 'RemoteReset' | 'FirmwareUpdate' = 'PowerUp';
  /** The back-off timer between restart attempts, and how to end its wait early (SIGTERM). */
  private retryTimer: ReturnType<typeof globalThis.setTimeout> | undefined;
  private endRetryWait: (() => void) | undefined;
  /** Ends run() with an exit code. */
  private exit: ((code: number) => void) | undefined;

  constructor(
    private readonly settings: Settings,
    private readonly config: OcppConfiguration,
    private readonly availability: ConnectorAvailability,
    private readonly journal: JournalSlot,
    private readonly log: Logger,
    private readonly auth: LocalAuthorization,
    private readonly telemetryResources: TelemetryResources,
    /** The host clock, or (clock.source: csms) the host clock set by the CSMS's time; kept across resets. */
    private readonly clock: Clock,
    /** Usage data for `evse sessions`, kept across resets (absent: not kept). */
    private readonly history: SessionHistory | undefined,
    /** Charging profiles the CSMS installed (SmartCharging), kept across resets and restarts. */
    private readonly profiles: ChargingProfileStore,
    /** OCPP 2.0.1 TransactionEvent seqNos, kept across resets (absent: 1.6). */
    private readonly seqNos: TransactionSeqNos | undefined,
    /** Firmware updates (absent: not offered; a staged image is activated before every agent starts) and log uploads. */
    private readonly maintenance: Maintenance,
    /** Security profiles, certificates and events, kept across resets. */
    private readonly security: CsmsSecurity,
    /** systemd Type=notify (READY, WATCHDOG, STOPPING), when run under it. */
    private readonly notifier: SystemdNotifier | undefined,
    /** The operator's display messages, kept across resets (absent: no display). */
    private readonly displayMessages: OperatorMessages | undefined,
    /** The local web dashboard (dashboard.enabled), kept across resets. */
    private readonly dashboard: Dashboard | undefined,
    /** OCPP 2.0.1 variable monitors and the NotifyEvent queue, kept across resets and restarts (absent: 1.6). */
    private readonly monitoring?: Awaited<ReturnType<typeof openMonitoring>>,
  ) {}

  run(): Promise<number> {
    return new Promise((done) => {
      this.exit = done;
      const shutdown = (signal: string) => {
        if (this.stopping) return;
        this.stopping = true;
        this.log.info({ signal }, 'shutting down');
        this.notifier?.stopping();
        const hardLimit = globalThis.setTimeout(() => {
          this.log.error('shutdown took too long; exiting');
          done(1);
        }, SHUTDOWN_HARD_LIMIT_MS);
        void this.stop().then(() => {
          globalThis.clearTimeout(hardLimit);
          done(0);
        });
      };
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      process.once('SIGINT', () => shutdown('SIGINT'));
      process.on('unhandledRejection', (err) => this.log.error({ err }, 'unhandled rejection (agent keeps running)'));
      // Without an agent the process serves no purpose: exit non-zero for the service manager to start it again.
      this.startAgent(true).catch(async (err: unknown) => {
        this.log.fatal({ err }, 'the agent could not start: exiting for the service manager to start it again');
        this.stopping = true;
        this.notifier?.stopping();
        await this.stop().catch(() => undefined);
        done(EX_SOFTWARE);
      });
    });
  }

  private async startAgent(newHardware: boolean): Promise<void> {
    const { settings, config, log } = this;
    if (newHardware || !this.hw) this.hw = await createHardware(settings, this.clock, log);
    // mqtt.js is loaded only when telemetry is configured (a board without it saves the memory).
    const telemetryModule = settings.telemetry.url ? await import('../agent/telemetry/TelemetryPublisher.js') : undefined;
    // A restart after a firmware update runs the new image: BootNotification reports its version.
    const { firmware, diagnostics } = this.maintenance;
    const runningFirmware = firmware && (await activateFirmware(firmware.installer, log));
    if (this.stopping) {
      await this.hw.hardware.close(); // a signal came while the drivers and modules were loading
      return;
    }
    // With several versions offered (ocpp.version: auto), the CSMS chooses at each start.
    const ocppVersion = await chooseOcppVersion(settings, () => this.security.connection.connection(), log);
    if (this.stopping) {
      await this.hw.hardware.close();
      return;
    }
    // The connection profiles a CSMS set (SetNetworkProfile) and the last one that worked, read again at each start.
    const networkProfiles = await NetworkProfiles.open({ file: join(resolve(settings.dataDir), 'network-profiles.json'), url: settings.csms.url, fallbackUrls: settings.csms.fallbackUrls, log });
    const agent = new Agent({
      chargePointId: settings.chargePoint.id,
      ocppVersion,
      ...(this.seqNos && { transactionSeqNos: this.seqNos }),
      ...(this.monitoring && { monitoring: this.monitoring }),
      bootReason: this.bootReason,
      boot: bootNotificationOf(settings, runningFirmware),
      ...(firmware && { firmware }),
      diagnostics,
      ...(settings.chargePoint.vendorId !== undefined && { vendorId: settings.chargePoint.vendorId }),
      csms: { ...settings.csms, networkProfiles },
      hardware: this.hw.hardware,
      config,
      availability: this.availability,
      authCache: this.auth.cache,
      localAuthList: this.auth.localList,
      chargingProfiles: this.profiles,
      nominalVoltageV: settings.chargePoint.voltageV,
      ...(settings.chargePoint.timeZone !== undefined && { timeZone: settings.chargePoint.timeZone }),
      journal: this.journal.current,
      clock: this.clock,
      log,
      ventilation: settings.chargePoint.ventilation,
      thermalDerating: { startC: settings.chargePoint.thermal.deratingStartC, cutoffC: settings.chargePoint.thermal.cutoffC },
      ...(this.history && { usageRecords: driverUsageRecords(this.history, settings) }),
      ...(this.clock instanceof OffsetClock && { timeFromCsms: this.timeFromCsms }),
      securityEvents: this.security.events,
      linkSecurity: this.security.connection,
      certificates: this.security.certificateService,
    });
    agent.on('reset', (type) => void this.restart(type));
    this.agent = agent;
    if (telemetryModule) this.telemetry = this.startTelemetry(agent, telemetryModule.TelemetryPublisher);
    this.stopUsage(); // one left by a failed restart attempt
    if (this.history) this.usage = trackUsage(agent, this.history, settings, this.clock, log);
    this.dashboard?.feed.attach(agent, this.hw.sim);
    agent.start();
    this.startDisplay(agent);
    log.info({ csms: `${settings.csms.url}/${settings.chargePoint.id}`, hal: settings.hal.driver }, 'agent started');
    this.notifier?.ready(`charging agent ${settings.chargePoint.id} running (security profile ${this.security.connection.profile})`);
  }

  /**
   * clock.source csms: the CSMS's time sets the agent's clock; a step of more than a minute (the
   * first one after start, a CSMS or an attacker moving the time) is the security event
   * SettingSystemTime. The small corrections of every Heartbeat are not.
   */
  private readonly timeFromCsms = {
    setTime: (epochMs: number): void => {
      const clock = this.clock as OffsetClock;
      const step = epochMs - clock.now();
      clock.setTime(epochMs);
      if (Math.abs(step) > 60_000) this.security.events.raise('SettingSystemTime', `clock set from the CSMS: ${step > 0 ? '+' : ''}${Math.round(step / 1000)} s`);
    },
  };
  /** The driver displays of this agent, when the hardware has any (display.type). */
  private startDisplay(agent: Agent): void {
    this.stopDisplay(); // one left by a failed restart attempt
    const displays = this.hw?.hardware.displays ?? [];
    if (displays.length === 0) return;
    const { language, support, qrUrl, pageMs, currency } = this.settings.display;
    this.display = new DisplayService({
      agent,
      displays,
      clock: this.clock,
      log: this.log,
      settings: { ...DISPLAY_DEFAULTS, language, support, qrUrl, pageMs },
      ...(this.displayMessages && { messages: this.displayMessages }),
    });
    this.display.start();
    this.pricing = new PricingService({ agent, display: this.display, clock: this.clock, log: this.log, currency });
    this.pricing.start();
  }

  private stopDisplay(): void {
    this.pricing?.stop();
    this.pricing = undefined;
    this.display?.stop();
    this.display = undefined;
  }

  /** MQTT telemetry for this agent, when `telemetry.url` is set; its failures never touch charging. */
  private startTelemetry(agent: Agent, Publisher: typeof TelemetryPublisher): TelemetryPublisher {
    const t = this.settings.telemetry;
    const { tls, currentLimits } = this.telemetryResources;
    const publisher = new Publisher({
      agent,
      mqtt: {
        url: t.url,
        ...(t.username !== undefined && { username: t.username }),
        ...(t.password !== undefined && { password: t.password }),
        ...(tls && { tls }),
      },
      clock: this.clock,
      prefix: t.prefix,
      intervalMs: t.intervalS * 1000,
      queueLimit: t.queueLimit,
      idTag: t.idTag,
      ...(t.idTagSalt !== undefined && { idTagSalt: t.idTagSalt }),
      commands: t.commands,
      ...(currentLimits && { currentLimits }),
      ...(t.homeAssistant.enabled !== undefined && { homeAssistant: { enabled: t.homeAssistant.enabled, discoveryPrefix: t.homeAssistant.discoveryPrefix } }),
    });
    publisher.start();
    return publisher;
  }

  /** A broker that does not answer must not hold up a shutdown or a reset: bounded in real time. */
  private async stopTelemetry(): Promise<void> {
    const stopping = this.telemetry?.stop().catch((err: unknown) => this.log.warn({ err }, 'telemetry stop failed'));
    this.telemetry = undefined;
    await withinRealTime(stopping ?? Promise.resolve(), TELEMETRY_STOP_MS);
  }

  private async restart(type: 'Soft' | 'Hard'): Promise<void> {
    if (this.stopping) return;
    const { log } = this;
    // Read before the restart: the store stays open, but the value must not depend on the attempt.
    const retries = this.config.getInt('ResetRetries');
    log.info({ type }, 'reset requested by the CSMS: restarting');
    // A firmware update's reboot boots with reason FirmwareUpdate (OCPP 2.0.1 L01), a CSMS Reset with RemoteReset.
    this.bootReason = this.agent?.restartReason ?? 'RemoteReset';
    this.security.events.raise('ResetOrReboot', `${type} reset requested by the CSMS`);
    this.notifier?.status(`restarting after a ${type} reset`);
    await this.stopTelemetry();
    await this.agent?.stop({ reason: type === 'Soft' ? 'SoftReset' : 'HardReset', flushMs: 0 });
    this.stopDisplay();
    this.dashboard?.feed.detach();
    this.stopUsage();
    this.agent = undefined;
    if (type === 'Hard') await this.closeHardware();
    for (let attempt = 1; !this.stopping; attempt++) {
      try {
        if (type === 'Hard') await this.reopenJournal();
        await this.startAgent(type === 'Hard');
        if (attempt > 1) log.warn({ type, attempt }, 'restart after the Reset succeeded');
        return;
      } catch (err) {
        // Devices a failed attempt opened are released before the next one opens them again.
        if (type === 'Hard') await this.closeHardware();
        if (attempt > retries) {
          // Not left running without an agent (and with devices in an unknown state): end the process.
          log.fatal({ err, type, attempt, resetRetries: retries }, 'restart after the Reset failed: retries used up, exiting for the service manager to start again');
          this.stopping = true;
          await this.stop().catch(() => undefined);
          this.exit?.(EX_SOFTWARE);
          return;
        }
        const retryInMs = backoffWindow(attempt - 1, RESTART_RETRY);
        log.error({ err, type, attempt, resetRetries: retries, retryInMs }, 'restart after the Reset failed: trying again');
        await this.retryWait(retryInMs);
      }
    }
  }

  /** A Hard reset opens the journal again, as a reboot would (the old one is closed first: one writer). */
  private async reopenJournal(): Promise<void> {
    await this.journal.current.close().catch((err: unknown) => this.log.error({ err }, 'closing the transaction journal failed'));
    this.journal.current = await this.journal.open();
  }

  private async closeHardware(): Promise<void> {
    await this.hw?.hardware.close().catch((err: unknown) => this.log.error({ err }, 'closing the hardware failed'));
    this.hw = undefined;
  }

  /** Waits `ms` of wall-clock time, or until a signal stops the process. */
  private retryWait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.endRetryWait = resolve;
      this.retryTimer = globalThis.setTimeout(resolve, ms);
    });
  }

  private async stop(): Promise<void> {
    globalThis.clearTimeout(this.retryTimer);
    this.endRetryWait?.();
    // Telemetry after the agent, so the final StopTransaction is still published.
    await this.agent?.stop({ reason: 'Reboot', flushMs: SHUTDOWN_FLUSH_MS }).catch((err: unknown) => this.log.error({ err }, 'agent stop failed'));
    this.stopDisplay();
    this.stopUsage();
    await this.dashboard?.stop();
    await this.stopTelemetry();
    await this.closeHardware();
    await this.config.flush();
    await this.auth.cache.flush();
    await this.journal.current.close().catch((err: unknown) => this.log.error({ err }, 'closing the transaction journal failed'));
    await this.history?.close();
    await this.security.securityLog.flush();
    await this.security.close().catch((err: unknown) => this.log.error({ err }, 'closing the security event queue failed'));
    await this.monitoring?.queue.close().catch((err: unknown) => this.log.error({ err }, 'closing the NotifyEvent queue failed'));
  }

  /** After the agent stopped (its transactions ended): what is still open waits for the next tracker. */
  private stopUsage(): void {
    this.usage?.stop();
    this.usage = undefined;
  }
}

/** OCPP 2.0.1: `<dataDir>/variable-monitors.json` and the NotifyEvent queue `<dataDir>/notify-events.log`. */
async function openMonitoring(dataDir: string, log: Logger): Promise<{ store: VariableMonitorStore; queue: FileJournal<QueuedNotifyEvent> }> {
  return {
    store: await VariableMonitorStore.open(join(dataDir, 'variable-monitors.json'), log),
    queue: await FileJournal.open<QueuedNotifyEvent>({ file: join(dataDir, 'notify-events.log'), log, name: 'NotifyEvent queue' }),
  };
}
