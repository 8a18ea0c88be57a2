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
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { OffsetClock, systemClock, type Clock } from '../hal/clock.js';
import { Agent } from '../agent/Agent.js';
import { OcppConfiguration } from '../agent/store/OcppConfiguration.js';
import { ConnectorAvailability } from '../agent/store/ConnectorAvailability.js';
import { FileJournal } from '../agent/store/FileJournal.js';
import { AuthorizationCache } from '../agent/auth/AuthorizationCache.js';
import { LocalAuthList } from '../agent/auth/LocalAuthList.js';
import { createHardware, type Hardware } from './createHardware.js';
import type { TelemetryPublisher } from '../agent/telemetry/TelemetryPublisher.js';
import type { TelemetryTlsSettings } from '../agent/telemetry/mqttClient.js';
import { CurrentLimits } from '../agent/store/CurrentLimits.js';
import { withinRealTime } from '../agent/withinRealTime.js';
import { telemetryTlsOf } from './telemetryTls.js';
import { loadSettings } from './loadSettings.js';
import { createLogger } from './logger.js';
import { exitOnInvalidSettings, type Settings } from './settings.js';
import { bootNotificationOf, SUPPORTED_FEATURE_PROFILES } from './agentIdentity.js';
import { ocppInitialValues } from './ocppInitialValues.js';
import { backoffWindow, type BackoffWindow } from '../agent/ocpp/backoff.js';
import type { SessionHistory } from '../agent/store/SessionHistory.js';
import type { UsageTracker } from '../agent/sessions/UsageTracker.js';
import { openSessionHistory, trackUsage } from './usageRecording.js';
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
  const log = createLogger(settings.log.level, { pretty: options.pretty });
  const dataDir = resolve(settings.dataDir);
  try {
    await mkdir(dataDir, { recursive: true });
  } catch (err) {
    log.fatal({ err, dataDir }, 'cannot create the data directory (dataDir / EVSE_DATA_DIR)');
    process.stderr.write(`evse: cannot create the data directory ${dataDir}: ${(err as Error).message}\n`);
    return EX_CANTCREAT;
  }
  const config = await OcppConfiguration.open({
    file: join(dataDir, 'ocpp-configuration.json'),
    initial: ocppInitialValues(settings),
    readonlyValues: { NumberOfConnectors: settings.chargePoint.connectors, SupportedFeatureProfiles: SUPPORTED_FEATURE_PROFILES },
    log,
  });
  const availability = await ConnectorAvailability.open(join(dataDir, 'connector-availability.json'), log);
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
  // Limits set over MQTT survive restarts; only MQTT commands set (and so apply) them.
  const telemetry: TelemetryResources = {
    ...(telemetryTls && { tls: telemetryTls }),
    ...(settings.telemetry.url && settings.telemetry.commands && { currentLimits: await CurrentLimits.open(join(dataDir, 'mqtt-current-limits.json'), log) }),
  };
  const clock = settings.clock.source === 'csms' ? new OffsetClock(systemClock) : systemClock;
  const history = await openSessionHistory(settings, dataDir, clock, log);
  const dashboard = settings.dashboard.enabled ? await startDashboard({ settings, clock, log, ocppConfig: config }) : undefined;
  return new AgentRunner(settings, config, availability, { current: journal, open: openJournal }, log, auth, telemetry, clock, history, dashboard).run();
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
  private stopping = false;
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
    /** The local web dashboard (dashboard.enabled), kept across resets. */
    private readonly dashboard: Dashboard | undefined,
  ) {}

  run(): Promise<number> {
    return new Promise((done) => {
      this.exit = done;
      const shutdown = (signal: string) => {
        if (this.stopping) return;
        this.stopping = true;
        this.log.info({ signal }, 'shutting down');
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
      void this.startAgent(true);
    });
  }

  private async startAgent(newHardware: boolean): Promise<void> {
    const { settings, config, log } = this;
    if (newHardware || !this.hw) this.hw = await createHardware(settings, this.clock, log);
    // mqtt.js is loaded only when telemetry is configured (a board without it saves the memory).
    const telemetryModule = settings.telemetry.url ? await import('../agent/telemetry/TelemetryPublisher.js') : undefined;
    if (this.stopping) {
      await this.hw.hardware.close(); // a signal came while the drivers and modules were loading
      return;
    }
    const agent = new Agent({
      chargePointId: settings.chargePoint.id,
      boot: bootNotificationOf(settings),
      ...(settings.chargePoint.vendorId !== undefined && { vendorId: settings.chargePoint.vendorId }),
      csms: settings.csms,
      hardware: this.hw.hardware,
      config,
      availability: this.availability,
      authCache: this.auth.cache,
      localAuthList: this.auth.localList,
      journal: this.journal.current,
      clock: this.clock,
      log,
      ventilation: settings.chargePoint.ventilation,
      ...(this.clock instanceof OffsetClock && { timeFromCsms: this.clock }),
    });
    agent.on('reset', (type) => void this.restart(type));
    this.agent = agent;
    if (telemetryModule) this.telemetry = this.startTelemetry(agent, telemetryModule.TelemetryPublisher);
    this.stopUsage(); // one left by a failed restart attempt
    if (this.history) this.usage = trackUsage(agent, this.history, settings, this.clock, log);
    this.dashboard?.feed.attach(agent, this.hw.sim);
    agent.start();
    log.info({ csms: `${settings.csms.url}/${settings.chargePoint.id}`, hal: settings.hal.driver }, 'agent started');
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
    await this.stopTelemetry();
    await this.agent?.stop({ reason: type === 'Soft' ? 'SoftReset' : 'HardReset', flushMs: 0 });
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
    this.stopUsage();
    await this.dashboard?.stop();
    await this.stopTelemetry();
    await this.closeHardware();
    await this.config.flush();
    await this.auth.cache.flush();
    await this.journal.current.close().catch((err: unknown) => this.log.error({ err }, 'closing the transaction journal failed'));
    await this.history?.close();
  }

  /** After the agent stopped (its transactions ended): what is still open waits for the next tracker. */
  private stopUsage(): void {
    this.usage?.stop();
    this.usage = undefined;
  }
}
