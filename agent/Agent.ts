/**
 * One charge point: its connectors (machine + controller each), the OCPP link to the CSMS, the
 * transaction journal and sender, and local authorization. Everything it needs is given to it
 * (hardware, clock, logger, OCPP configuration store, journal), so the same class runs on a board,
 * as one simulated charger, in scenarios and 10,000 times in a fleet.
 *
 * Per-agent cost is its own state only: the machine definition, validators and handler table are
 * module-level; timers live on the shared clock.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { CardEvent, ChargerHardware, Clock } from '../hal/index.js';
import { ConnectorController, type ConnectorControllerOptions, type StatusChange } from './charging/ConnectorController.js';
import { connectorInput, connectorSettings, isConnectorSetting } from './charging/connectorSettings.js';
import { AuthorizationCache, type IdTagInfo } from './auth/AuthorizationCache.js';
import type { IdTokenKind } from './auth/idToken.js';
import { Authorizer, type AuthorizationResult } from './auth/Authorizer.js';
import { LocalAuthList } from './auth/LocalAuthList.js';
import { OcppLink, type OcppLinkOptions, type TrafficRecord } from './ocpp/OcppLink.js';
import type { LinkSecurity } from './ocpp/OcppLinkTypes.js';
import type { BootNotificationRequest, DataTransferResponse } from './ocpp16/messages.js';
import type { OcppConfiguration } from './store/OcppConfiguration.js';
import { JournalHealth, type JournalHealthOptions } from './charging/JournalHealth.js';
import { MemoryJournal, type TransactionJournal } from './store/TransactionJournal.js';
import { ConnectorAvailability } from './store/ConnectorAvailability.js';
import { TransactionSeqNos } from './store/TransactionSeqNos.js';
import { VariableMonitorStore } from './store/VariableMonitorStore.js';
import type { QueuedNotifyEvent } from './ocpp/v201/NotifyEvents.js';
import { TransactionManager, type TransactionEvent, type TransactionManagerOptions } from './transactions/TransactionManager.js';
import { TransactionSender, type TransactionSenderOptions } from './transactions/TransactionSender.js';
import { MessageOrder } from './transactions/MessageOrder.js';
import { measurandsUnavailableOn } from './transactions/meterValues.js';
import { resumeAfterPowerLoss } from './sessions/resumeAfterPowerLoss.js';
import { RemoteControl, type RemoteControlParts } from './RemoteControl.js';
import { DataTransferVendors } from './DataTransferVendors.js';
import { DriverPorts } from './ocpp/DriverPorts.js';
import { listenToReader } from './CardHandling.js';
import { SessionService, type Refusal } from './sessions/SessionService.js';
import { StatusReporter } from './StatusReporter.js';
import { withinRealTime } from './withinRealTime.js';
import { ChargingLimits, type ConnectorLimit } from './chargingLimits/ChargingLimits.js';
import type { DriverUsageRecords } from './sessions/customerData.js';
import { DEFAULT_DERATING, type ThermalDerating } from './chargingLimits/thermalDerating.js';
import { ChargingProfileStore } from './chargingLimits/ChargingProfileStore.js';
import type { OcppVersion } from './ocpp/ProtocolFace.js';
import { NetworkProfiles } from './ocpp/NetworkProfiles.js';
import { versionFace, type StationParts, type VersionFace } from './ocpp/versionFace.js';
import type { SecurityEventSink } from './security/securityEvents.js';
import { RemoteMaintenance, type DiagnosticsOptions, type FirmwareOptions } from './RemoteMaintenance.js';
import type { FirmwareChargerPort, FirmwareService } from './firmware/FirmwareService.js';
import type { DiagnosticsService } from './diagnostics/DiagnosticsService.js';
import { TamperGuard, type TamperState } from './tamper/TamperGuard.js';
import { registerMaintenanceMode } from './tamper/maintenanceVendor.js';
import type { OcppCaller, TokenAnswer } from './ocpp/OcppCaller.js';
import type { CertificateService } from './security/CertificateService.js';
import { compactListeners } from '../hal/compactListeners.js';

/** `fields` with `hooks` as its prototype: a part's options object (see Agent.senderHooks). */
function hooked<H extends object, F extends object>(hooks: H, fields: F): H & F {
  return Object.setPrototypeOf(fields, hooks) as H & F;
}

/** A part's options with the hooks' Agent (see Agent.senderHooks). */
type SenderOptions = TransactionSenderOptions & { agent: Agent };
type ConnectorOptions = ConnectorControllerOptions & { agent: Agent };
type JournalOptions = JournalHealthOptions & { agent: Agent };
type ControlParts = RemoteControlParts & { agent: Agent };
type TransactionOptions = TransactionManagerOptions & { agent: Agent };

export interface AgentOptions {
  /** OCPP identity: the agent connects to `${csms.url}/${chargePointId}`. */
  chargePointId: string;
  /** The OCPP version spoken (default 1.6): the same charger, its messages in that version's words (docs/ocpp201.md). */
  ocppVersion?: OcppVersion;
  /** OCPP 2.0.1: each open transaction's next TransactionEvent seqNo, persisted across restarts (default: in memory). */
  transactionSeqNos?: TransactionSeqNos;
  /**
   * OCPP 2.0.1: the variable monitors and monitoring settings the CSMS set, and the NotifyEvents
   * waiting for it, persisted across restarts (default: in memory).
   */
  monitoring?: { store?: VariableMonitorStore; queue?: TransactionJournal<QueuedNotifyEvent> };
  /** Why this start (OCPP 2.0.1 BootNotification reason; default PowerUp): the owner knows a restart after a Reset. */
  bootReason?: 'PowerUp' | 'RemoteReset' | 'FirmwareUpdate';
  boot: Omit<BootNotificationRequest, never>;
  /** WebSocket pings follow the OCPP key WebSocketPingInterval (0 turns them off). */
  csms: Pick<OcppLinkOptions, 'url' | 'fallbackUrls' | 'password' | 'callTimeoutMs' | 'localAddress' | 'perMessageDeflate' | 'networkProfiles' | 'preferredProbeIntervalMs'>;
  hardware: ChargerHardware;
  config: OcppConfiguration;
  clock: Clock;
  log: Logger;
  journal?: TransactionJournal;
  /** Connector availability set by the CSMS, persisted across restarts (default: in memory). */
  availability?: ConnectorAvailability;
  /** Authorization cache, persisted across restarts (default: in memory). */
  authCache?: AuthorizationCache;
  /** Local Authorization List installed by the CSMS, persisted across restarts (default: in memory). */
  localAuthList?: LocalAuthList;
  /** Charging profiles installed by the CSMS, persisted across restarts (default: in memory). */
  chargingProfiles?: ChargingProfileStore;
  /** Nominal phase-to-neutral voltage, V, for charging limits in W (default 230). */
  nominalVoltageV?: number;
  /**
   * IANA time zone (e.g. Europe/Berlin) recurring charging schedules repeat in (default UTC); a
   * TimeZone the CSMS stored (OCPP key / ClockCtrlr.TimeZone) takes its place from the next start.
   */
  timeZone?: string;
  /** Random source for the reconnect back-off's random part (seedable in fleets and scenarios). */
  random?: () => number;
  /** vendorId of the DataTransfers this charger sends (default: `boot.chargePointVendor`). */
  vendorId?: string;
  /** The charger can ventilate (IEC 61851 pilot state D charges); default false: D is refused. */
  ventilation?: boolean;
  /**
   * Thermal derating of EVSEs with a temperature sensor (agent/chargingLimits/thermalDerating.ts):
   * default from 60 °C, no power from 80 °C; false: none (the board's own cut-off only).
   */
  thermalDerating?: ThermalDerating | false;
  /** Usage records that name drivers by a hash of their identifier (`evse run`'s session history): CustomerInformation reports and erases them. */
  usageRecords?: DriverUsageRecords;
  /**
   * A board without a trusted clock: set from the CSMS's currentTime (BootNotification and Heartbeat
   * answers); normally the OffsetClock that is also `clock`. Default: the clock is trusted as it is.
   */
  timeFromCsms?: { setTime(epochMs: number): void };
  /**
   * Where security events go (agent/security/SecurityEventService.ts: a local log, the critical ones
   * sent through this charger's link once attached); default: logged only.
   */
  securityEvents?: SecurityEventSink & { attach?(link: OcppCaller): void; resume?(): void; stop?(): Promise<void> };
  /**
   * Firmware updates (UpdateFirmware, SignedUpdateFirmware; agent/firmware). Absent: not supported.
   * The running version is `boot.firmwareVersion` (after the installer's activate(), by the owner).
   */
  firmware?: FirmwareOptions;
  /** Log uploads (GetDiagnostics, GetLog; agent/diagnostics): the logs this charger keeps. Absent: not supported. */
  diagnostics?: DiagnosticsOptions;
  /** Security profiles (agent/security/ConnectionSecurity.ts): URL, password and TLS per connection. Default: `csms` as given. */
  linkSecurity?: LinkSecurity;
  /** Certificate management (InstallCertificate, SignCertificate, …); absent: those messages are NotSupported. */
  certificates?: CertificateService;
}

export interface AgentEvents {
  /** A connector's OCPP status changed (connectorId 0 = the charge point itself). */
  status: [change: StatusChange];
  /** Every OCPP frame in or out, for timelines and external-CSMS scenario checks. */
  traffic: [record: TrafficRecord];
  /** A card was presented and decided. */
  card: [card: CardEvent, result: AuthorizationResult];
  /** A card could not start a session, and why (reserved for another driver, no free connector, …). */
  cardRefused: [card: CardEvent, refusal: Refusal];
  /** The CSMS asked for a reset; the owner restarts the agent (it has already ended transactions). */
  reset: [type: 'Soft' | 'Hard'];
  /** A transaction started or stopped here (journaled, CSMS reachable or not), or the CSMS confirmed a start. */
  transaction: [event: TransactionEvent];
  /** A connector's arbitrated current limit or its binding source changed (agent/chargingLimits/). */
  limit: [limit: ConnectorLimit];
  /** The cabinet switch or MaintenanceMode changed (hardware with a TamperSensor only). */
  tamper: [state: TamperState];
}

export class Agent extends EventEmitter<AgentEvents> {
  readonly chargePointId: string;
  /** The time zone this run uses (TimeZone key, else `timeZone`; undefined: UTC), read once at start. */
  readonly timeZone: string | undefined;
  readonly log: Logger;
  readonly link: OcppLink;
  readonly connectors: readonly ConnectorController[];
  readonly transactions: TransactionManager;
  readonly authCache: AuthorizationCache;
  readonly localAuthList: LocalAuthList;
  readonly config: OcppConfiguration;
  readonly availability: ConnectorAvailability;
  /** Who may start a session and where, stops and availability: the one way into a session. */
  readonly sessions: SessionService;
  /** The one owner of the connectors' current limits: charging profiles, local limits, cable, hardware. */
  readonly chargingLimits: ChargingLimits;
  /** Firmware updates and log uploads, when the charger has an installer or keeps logs. */
  private readonly maintenance: RemoteMaintenance | undefined;
  /** Tamper detection, on hardware with a cabinet switch. */
  private readonly tamperGuard: TamperGuard | undefined;
  private vendorRegistry: DataTransferVendors | undefined;
  /** Where the display and pricing services plug into a face that has messages for them (OCPP 2.0.1 display messages, tariff and cost). */
  readonly driver = new DriverPorts();
  private readonly sender: TransactionSender;
  private readonly authorizer: Authorizer;
  private readonly control: RemoteControl;
  /** What start() attached, undone by stop(): made at its length (a pushed-to array keeps room for 17). */
  private detach: readonly (() => void)[] = [];
  private readonly statusReporter: StatusReporter;
  /** The OCPP version's binding (ocpp/versionFace.ts): what it attached to this charger (2.0.1: its station) ends with detach(). */
  private readonly version: VersionFace;
  /** Per-connector causal order of statuses and transaction messages (DESIGN.md §11). */
  private readonly order = new MessageOrder();
  private started = false;
  /** The power-loss recovery at start has decided every interrupted transaction (resumed or ended). */
  private recovered = false;
  /** Whether the journal takes writes; while it does not, every connector carries STORAGE_FAULT. */
  private readonly journalHealth: JournalHealth;

  /*
   * What the Agent's parts call back, as methods of one prototype per kind rather than closures
   * made for every charger (≈ 56 B each, 10,000 times in a fleet): each part's options object has
   * the hooks as its prototype and `agent` as a field, and the part calls them as its options'
   * methods (`this.o.onJournalError(err)`), so `this` is that options object.
   */
  private static readonly senderHooks: ThisType<SenderOptions> & Pick<TransactionSenderOptions, 'retryPolicy' | 'onJournalError' | 'onJournalWrite' | 'onStartConfirmed' | 'onStopConfirmed' | 'onAuthorizationAnswered'> = {
    retryPolicy() {
      const { config } = this.agent;
      return { attempts: config.getInt('TransactionMessageAttempts'), intervalS: config.getInt('TransactionMessageRetryInterval') };
    },
    onJournalError(err) {
      this.agent.journalHealth.failed(err);
    },
    onJournalWrite() {
      this.agent.journalHealth.wrote();
    },
    onStartConfirmed(localId, connectorId, response, request) {
      const { agent } = this;
      // The cache learns the idTag of *that* StartTransaction (the connector may be on to
      // another session by now).
      agent.learnIdTag(request.idTag, response, request.idTokenType);
      // 2.0.1: the idTokenInfo status as said (NoCredit, NotAtThisTime …), which the session and the display act on; 1.6: idTagInfo's.
      const idTagStatus = (response as TokenAnswer).tokenInfo?.status ?? response.idTagInfo.status;
      agent.emit('transaction', { event: 'confirmed', localId, connectorId, transactionId: response.transactionId, idTagStatus, timestamp: agent.options.clock.now() });
      // The answer binds only the transaction it started: it arrives late when the start was
      // journaled offline, and a newer transaction on the connector awaits its own answer.
      if (agent.transactions.get(connectorId)?.localId !== localId) return;
      agent.connector(connectorId)?.send({ type: 'TRANSACTION_CONFIRMED', transactionId: response.transactionId, idTagStatus });
    },
    // A transaction begun without an idTag (OCPP 2.0.1 TxStartPoint EVConnected), authorized since:
    // the answer to that authorization binds it as a start's answer does (a refused idToken
    // deauthorizes it: StopTxOnInvalidId, MaxEnergyOnInvalidId).
    onAuthorizationAnswered(localId, connectorId, transactionId, idTag, idTokenType, answer) {
      const { agent } = this;
      agent.learnIdTag(idTag, answer, idTokenType);
      if (agent.transactions.get(connectorId)?.localId !== localId) return;
      agent.connector(connectorId)?.send({ type: 'TRANSACTION_CONFIRMED', transactionId, idTagStatus: answer.tokenInfo?.status ?? 'Accepted' });
    },
    // OCPP 1.6 §3.5.2: a StopTransaction.conf idTagInfo updates the cache like an Authorize.conf.
    onStopConfirmed(_localId, _connectorId, response, request) {
      if (request.idTag !== undefined) this.agent.learnIdTag(request.idTag, response, request.idTokenType);
    },
  };

  private static readonly connectorHooks: ThisType<ConnectorOptions> & Pick<ConnectorControllerOptions, 'onStatus' | 'onCommandError'> = {
    onStatus(change) {
      const { agent } = this;
      agent.statusReporter.connectorChanged(change);
      agent.sessions.statusChanged();
      agent.transactions.chargingStateChanged(change.connectorId);
      // An authorization that lapsed before its session began takes its RemoteStart TxProfile along.
      if (change.status !== 'Preparing' && !agent.connector(change.connectorId)?.hasTransaction) agent.chargingLimits.sessionEnded(change.connectorId);
    },
    onCommandError(_command, err) {
      this.agent.journalHealth.failed(err);
    },
  };

  private static readonly journalHooks: ThisType<JournalOptions> & Pick<JournalHealthOptions, 'report'> = {
    report(fault) {
      const { agent } = this;
      for (const c of agent.connectors) c.send(fault ? { type: 'FAULT', fault } : { type: 'FAULT_CLEARED', code: 'STORAGE_FAULT' });
      // Whitepaper: "Flash writes or memory exhausted" is the critical event MemoryExhaustion.
      if (fault?.info?.startsWith('data disk full')) agent.securityEvents.raise('MemoryExhaustion', fault.info);
    },
  };

  private static readonly controlHooks: ThisType<ControlParts> & Pick<RemoteControlParts, 'reset' | 'dataTransfer'> = {
    reset(type) {
      return this.agent.performReset(type);
    },
    dataTransfer(req) {
      return this.agent.vendors.answer(req, this.agent.log);
    },
  };

  private static readonly transactionHooks: ThisType<TransactionOptions> & Pick<TransactionManagerOptions, 'onEvent'> = {
    onEvent(event) {
      const { agent } = this;
      if (event.event === 'started') agent.chargingLimits.sessionStarted(event.connectorId);
      else if (event.event === 'stopped') agent.chargingLimits.sessionEnded(event.connectorId);
      agent.emit('transaction', event);
    },
  };

  private static readonly transactionHooks201: ThisType<TransactionOptions> & Pick<TransactionManagerOptions, 'onEvent' | 'chargingState' | 'rateLimit'> = {
    onEvent: Agent.transactionHooks.onEvent,
    chargingState(connectorId) {
      return this.agent.connector(connectorId)?.chargingState;
    },
    rateLimit(connectorId) {
      return this.agent.chargingLimits.limitOf(connectorId)?.amps;
    },
  };

  /**
   * What a 2.0.1 charger's station reads (ocpp/v201/attachStation.ts), as getters over the Agent:
   * one field per charger instead of an object of sixteen plus a time object (read, not copied).
   */
  private static readonly StationSources = class implements StationParts {
    constructor(private readonly agent: Agent) {}

    get log(): Logger {
      return this.agent.log;
    }

    get clock(): Clock {
      return this.agent.options.clock;
    }

    get config(): OcppConfiguration {
      return this.agent.config;
    }

    get control(): RemoteControl {
      return this.agent.control;
    }

    get transactions(): TransactionManager {
      return this.agent.transactions;
    }

    get events(): Agent {
      return this.agent;
    }

    get link(): OcppLink {
      return this.agent.link;
    }

    get identity(): string {
      return this.agent.chargePointId;
    }

    get boot(): AgentOptions['boot'] {
      return this.agent.options.boot;
    }

    get csms(): AgentOptions['csms'] {
      return this.agent.options.csms;
    }

    get hardware(): AgentOptions['hardware']['connectors'] {
      return this.agent.options.hardware.connectors;
    }

    get voltageV(): number {
      return this.agent.options.nominalVoltageV ?? 230;
    }

    get time(): StationParts['time'] {
      const { options } = this.agent;
      return { settingsTimeZone: options.timeZone, fromCsms: options.timeFromCsms !== undefined };
    }

    get driver(): DriverPorts {
      return this.agent.driver;
    }

    /** The version's start and stop points (OCPP 2.0.1 TxStartPoint / TxStopPoint), in effect at once. */
    setTransactionPoints(transactionPoints: Parameters<StationParts['setTransactionPoints']>[0]): void {
      // A cable already plugged in begins its transaction when the plug-in became a start point
      // (once the start-up recovery is done: until then it decides what the cables begin).
      const { recovered } = this.agent;
      for (const c of this.agent.connectors) {
        c.send({ type: 'CONFIGURE', settings: { transactionPoints } });
        if (recovered) c.send({ type: 'BEGIN_IF_PLUGGED_IN' });
      }
    }

    queued(): ReturnType<StationParts['queued']> {
      return this.agent.sender.pendingEntries();
    }

    statuses(): StatusChange[] {
      return this.agent.statusReporter.all();
    }

    localListSize(): number {
      return this.agent.localAuthList.size;
    }

    authCacheBytes(): number {
      return this.agent.authCache.storageBytes();
    }

    resetEvse(evseId: number): Promise<boolean> {
      return this.agent.resetConnector(evseId);
    }
  };

  constructor(readonly options: AgentOptions) {
    super();
    const { clock, hardware, config } = options;
    this.chargePointId = options.chargePointId;
    this.timeZone = config.getString('TimeZone') || options.timeZone;
    this.config = config;
    // Accepted means measured: a measurand this hardware cannot supply is Rejected (SoC without an EV link, Temperature without sensors).
    config.restrictMeasurands(measurandsUnavailableOn(hardware, options.ocppVersion));
    this.log = options.log.child({ cp: options.chargePointId });
    this.availability = options.availability ?? ConnectorAvailability.inMemory(this.log);
    this.authCache = options.authCache ?? new AuthorizationCache();
    this.localAuthList = options.localAuthList ?? LocalAuthList.inMemory(this.log);
    // OCPP 2.0.1 tells identifiers apart by kind and value; 1.6 by value (auth/idToken.ts).
    this.authCache.distinguishKinds(options.ocppVersion === '2.0.1');
    this.localAuthList.distinguishKinds(options.ocppVersion === '2.0.1');
    // The cache's rules (AuthCacheLifeTime, AuthCachePolicy) are read when they apply, on the agent's clock.
    this.authCache.useRules(clock, config);
    this.control = new RemoteControl(this.log, config);
    const { csms } = options;
    // The version: the link offers its subprotocol and answers its calls, and the services' messages
    // are said in its words (`calls`); the services themselves are the same for both (ocpp/versionFace.ts).
    const version = versionFace(options.ocppVersion, {
      clock,
      log: this.log,
      bootReason: options.bootReason,
      seqNos: () => options.transactionSeqNos ?? TransactionSeqNos.inMemory(this.log),
      driver: this.driver,
      monitoring: () => ({ store: options.monitoring?.store ?? VariableMonitorStore.inMemory(this.log), queue: options.monitoring?.queue, config }),
    });
    // Key by key rather than spread: the link keeps this object, and V8 gives spread-built objects
    // a hidden class of their own (≈ 300 B per charger; docs/fleet.md, Memory and scale).
    this.link = new OcppLink({
      url: csms.url,
      password: csms.password,
      callTimeoutMs: csms.callTimeoutMs,
      fallbackUrls: csms.fallbackUrls,
      // OCPP 2.0.1: a CSMS may set connection profiles (SetNetworkProfile); kept in memory unless the owner gives a store.
      networkProfiles: csms.networkProfiles ?? (options.ocppVersion === '2.0.1' ? NetworkProfiles.inMemory({ url: csms.url, fallbackUrls: csms.fallbackUrls, log: this.log }) : undefined),
      preferredProbeIntervalMs: csms.preferredProbeIntervalMs,
      localAddress: csms.localAddress,
      perMessageDeflate: csms.perMessageDeflate,
      identity: options.chargePointId,
      clock,
      log: this.log,
      // A sibling of this.log, not its child (see OcppLinkOptions.linkLog).
      linkLog: options.log.child({ cp: options.chargePointId, component: 'ocpp' }),
      boot: options.boot,
      config,
      control: this.control,
      random: options.random,
      timeSource: options.timeFromCsms,
      security: options.linkSecurity,
    }, version.face);
    const calls = version.services(this.link);
    options.securityEvents?.attach?.(calls);
    options.certificates?.attach(calls);
    const journal = options.journal ?? new MemoryJournal();
    this.sender = new TransactionSender(hooked(Agent.senderHooks, {
      journal,
      link: calls,
      clock,
      log: this.log,
      order: this.order,
      agent: this,
    }));
    // chargingState and the rate limit only where the version reports them (2.0.1): a 1.6 fleet's chargers pay nothing for them.
    this.transactions = new TransactionManager(hooked(options.ocppVersion === '2.0.1' ? Agent.transactionHooks201 : Agent.transactionHooks, {
      connectors: hardware.connectors,
      clock,
      log: this.log,
      config,
      sender: this.sender,
      link: calls,
      order: this.order,
      agent: this,
    }));
    this.authorizer = new Authorizer({ link: calls, cache: this.authCache, localList: this.localAuthList, config, clock, log: this.log });
    this.connectors = hardware.connectors.map(
      (hw) =>
        new ConnectorController(hooked(Agent.connectorHooks, {
          hardware: hw,
          input: connectorInput(config, hw, this.availability.isOperative(hw.connectorId), options.ventilation ?? false),
          clock,
          log: this.log,
          transactions: this.transactions,
          agent: this,
        })),
    );
    this.chargingLimits = new ChargingLimits({
      connectors: this.connectors,
      hardware: hardware.connectors,
      store: options.chargingProfiles ?? ChargingProfileStore.inMemory(this.log),
      clock,
      log: this.log,
      voltageV: options.nominalVoltageV ?? 230,
      ...(this.timeZone !== undefined && { timeZone: this.timeZone }),
      config,
      transactions: this.transactions,
      events: this,
      ...(options.thermalDerating !== false && { derating: options.thermalDerating ?? DEFAULT_DERATING }),
    });
    // From here the version hears the charger's events first (emit, below).
    this.version = version;
    this.statusReporter = new StatusReporter({
      link: calls,
      connectors: this.connectors,
      order: this.order,
      sender: this.sender,
      config,
      clock,
      log: this.log,
      events: this,
    });
    this.journalHealth = new JournalHealth(hooked(Agent.journalHooks, {
      journal,
      clock,
      log: this.log,
      agent: this,
    }));
    this.sessions = new SessionService({
      connectors: this.connectors,
      transactions: this.transactions,
      availability: this.availability,
      config,
      authorizer: this.authorizer,
      journal: this.journalHealth,
      clock,
      log: this.log,
      events: this,
    });
    if (options.firmware || options.diagnostics) {
      this.maintenance = new RemoteMaintenance({
        chargePointId: this.chargePointId,
        firmware: options.firmware,
        diagnostics: options.diagnostics,
        securityEvents: options.securityEvents,
        runningVersion: options.boot.firmwareVersion,
        link: this.link,
        calls,
        charger: () => this.firmwareCharger(),
        clock,
        log: this.log,
      });
    }
    if (hardware.tamper) {
      this.tamperGuard = new TamperGuard({
        sensor: hardware.tamper,
        alarm: hardware.alarm,
        config,
        security: this.securityEvents,
        sessions: this.sessions,
        connectors: this.connectors,
        log: this.log,
        onChange: (state) => this.emit('tamper', state),
      });
      // MaintenanceMode also by DataTransfer, for a CSMS that sends no vendor configuration keys.
      registerMaintenanceMode(this.vendors, config, this.log);
    }
    this.control.attach(hooked(Agent.controlHooks, {
      firmware: this.firmware,
      diagnostics: this.diagnostics,
      sessions: this.sessions,
      hardware: hardware.connectors,
      transactions: this.transactions,
      link: calls,
      statuses: this.statusReporter,
      authCache: this.authCache,
      localAuthList: this.localAuthList,
      limits: this.chargingLimits,
      ...(options.usageRecords && { usageRecords: options.usageRecords }),
      ...(options.certificates && { certificates: options.certificates }),
      agent: this,
    }));
    // Getters over this Agent (no closures, no copies per charger): the station keeps it.
    version.attach(new Agent.StationSources(this));
    // The link builds traffic records only while someone listens to them: forward them only while
    // someone listens to ours, so chargers nobody watches (a fleet's) do not pay for them.
    (this as EventEmitter).on('newListener', watchTraffic);
    (this as EventEmitter).on('removeListener', unwatchTraffic);
  }

  /**
   * The version's own parts hear the charger's `status`, `transaction` and `limit` events first,
   * called rather than subscribed (versionFace.ts, heard): a 2.0.1 charger keeps no listener array of
   * its own for them, 10,000 times in a fleet (docs/fleet.md, Memory).
   */
  override emit<K>(event: K | keyof AgentEvents, ...args: K extends keyof AgentEvents ? AgentEvents[K] : never): boolean {
    const version = this.version as VersionFace | undefined; // undefined while the constructor runs
    version?.heard?.(event as string, args[0]);
    return super.emit(event as 'status', ...(args as unknown as AgentEvents['status']));
  }

  /** Where this charger's security events go (AgentOptions.securityEvents; without it they are only logged). */
  get securityEvents(): SecurityEventSink {
    return this.options.securityEvents ?? { raise: (type, techInfo) => this.log.warn({ securityEvent: type, techInfo }, 'security event') };
  }

  /** The cabinet switch, MaintenanceMode and whether the charger is out of service after tampering (undefined: no switch). */
  get tamper(): TamperState | undefined {
    return this.tamperGuard?.state;
  }

  /** Why the restart asked of the owner (the `reset` event): the CSMS's Reset, or a firmware update's reboot. */
  private resetFor: 'RemoteReset' | 'FirmwareUpdate' = 'RemoteReset';

  /** Why the last `reset` event asks for a restart: what the next BootNotification's reason is (OCPP 2.0.1). */
  get restartReason(): 'RemoteReset' | 'FirmwareUpdate' {
    return this.resetFor;
  }

  /** Firmware updates, when the charger has an installer (AgentOptions.firmware). */
  get firmware(): FirmwareService | undefined {
    return this.maintenance?.firmware;
  }

  /** Log uploads, when the charger keeps logs (AgentOptions.diagnostics). */
  get diagnostics(): DiagnosticsService | undefined {
    return this.maintenance?.diagnostics;
  }

  /**
   * A firmware update reboots only once no transaction runs; meanwhile the connectors not in use are
   * Unavailable, unless AllowNewSessionsPendingFirmwareUpdate lets new sessions start.
   */
  private firmwareCharger(): FirmwareChargerPort {
    return {
      transactionsRunning: () => this.connectors.filter((c) => this.transactions.get(c.connectorId)).length,
      onTransactionEnded: (listener) => {
        const onTransaction = (e: TransactionEvent) => e.event === 'stopped' && listener();
        this.on('transaction', onTransaction);
        return () => this.off('transaction', onTransaction);
      },
      holdSessions: () => {
        if (!this.config.getBool('AllowNewSessionsPendingFirmwareUpdate')) this.sessions.holdForReboot();
      },
      reboot: () => {
        this.resetFor = 'FirmwareUpdate';
        return this.performReset('Hard');
      },
    };
  }

  /** What the link saw, passed on while someone listens to `traffic`. */
  private forwardTraffic: ((record: TrafficRecord) => void) | undefined;

  /** @internal Attaches or detaches the traffic forwarding (see the constructor). */
  followTraffic(on: boolean): void {
    if (on && !this.forwardTraffic) {
      this.forwardTraffic = (r) => this.emit('traffic', r);
      this.link.on('message', this.forwardTraffic);
    } else if (!on && this.forwardTraffic) {
      this.link.off('message', this.forwardTraffic);
      this.forwardTraffic = undefined;
    }
  }

  /** The cache learns an idTagInfo from the CSMS, only while enabled and not for idTags on the local list. */
  private learnIdTag(idTag: string, answer: { idTagInfo?: IdTagInfo } & TokenAnswer, type: IdTokenKind | undefined): void {
    // 2.0.1: the whole idTokenInfo, or nothing when the TransactionEvent answer had none; 1.6: idTagInfo.
    const info = answer.tokenInfo === undefined ? answer.idTagInfo : answer.tokenInfo;
    if (!info) return;
    if (this.config.getBool('AuthorizationCacheEnabled') && !this.localAuthList.get(idTag, type)) this.authCache.put(idTag, info, type);
  }

  /** Starts the connectors, listens to the card readers and connects to the CSMS. */
  start(): void {
    if (this.started) return;
    this.started = true;
    // Before the connectors run, so a new session on a connector queues behind the recovery stop.
    // With ResumeTransactionOnPowerLoss a transaction whose EV is still plugged in may go on instead.
    const resume = (tx: Parameters<typeof resumeAfterPowerLoss>[1]) =>
      resumeAfterPowerLoss({ config: this.config, connector: this.connector(tx.connectorId), authorize: (idTag, type) => this.authorize(idTag, type), transactionId: this.sender.transactionIdOf(tx.localId), log: this.log }, tx);
    // Their connectors' cables belong to the interrupted sessions: they begin nothing new at start.
    const interrupted = new Set(this.sender.openTransactions().map((tx) => tx.connectorId));
    this.transactions
      .recover(resume)
      .catch((err: unknown) => this.log.error({ err }, 'power-loss recovery failed: the interrupted transaction stays journaled'))
      .then(() => this.afterRecovery(interrupted));
    for (const c of this.connectors) c.start();
    // Before anything can start a session: stored profiles and limits bind from the first offer.
    this.chargingLimits.start();
    this.journalHealth.start();
    const readers = this.options.hardware.readers.map((reader) => listenToReader(reader, this.sessions, this.statusReporter));
    this.sessions.open();
    const onAccepted = () => this.onAccepted();
    const onConfig = (key: string) => {
      if (key === 'ClockAlignedDataInterval') this.transactions.startAligned();
      if (isConnectorSetting(key)) for (const c of this.connectors) c.send({ type: 'CONFIGURE', settings: connectorSettings(this.config) });
    };
    this.link.on('accepted', onAccepted);
    this.config.on('changed', onConfig);
    this.detach = readers.concat(() => {
      this.link.off('accepted', onAccepted);
      this.config.off('changed', onConfig);
    });
    this.transactions.startAligned();
    this.options.certificates?.start();
    this.maintenance?.start(this.log);
    this.tamperGuard?.start();
    // Once every part has attached its listeners.
    this.compactListenerTables();
    this.link.start();
  }

  /**
   * The station runs: a cable plugged in before it started begins the transaction its start point
   * says (OCPP 2.0.1 TxStartPoint EVConnected; nothing under 1.6 or the default), except where a
   * power loss interrupted a journaled transaction (the recovery resumed or ended that one).
   */
  private afterRecovery(interrupted: ReadonlySet<number>): void {
    if (!this.started) return;
    this.recovered = true;
    for (const c of this.connectors) if (!interrupted.has(c.connectorId)) c.send({ type: 'BEGIN_IF_PLUGGED_IN' });
  }

  /** The long-lived emitters of this charger, their listeners attached: smaller tables (hal/compactListeners.ts). */
  private compactListenerTables(): void {
    compactListeners(this);
    compactListeners(this.link);
    compactListeners(this.config);
    for (const c of this.options.hardware.connectors) {
      compactListeners(c.relay);
      compactListeners(c.meter);
      compactListeners(c.pilot);
      compactListeners(c.lock);
    }
    for (const reader of this.options.hardware.readers) compactListeners(reader);
  }

  /**
   * Shuts down cleanly: ends running transactions (reason `Reboot` unless given), opens every
   * contactor, gives the journal up to `flushMs` to reach the CSMS, then closes the socket.
   */
  async stop(options: { reason?: 'Reboot' | 'SoftReset' | 'HardReset' | 'Other'; flushMs?: number } = {}): Promise<void> {
    if (!this.started) return;
    this.sessions.close();
    this.tamperGuard?.stop();
    await this.maintenance?.stop();
    await this.endAllTransactions(options.reason ?? 'Reboot', options.flushMs ?? 2000);
    // Journaled before a successor on the same journal (Reset) looks for interrupted transactions.
    await withinRealTime(this.transactions.settled(), 2000);
    this.started = false;
    this.recovered = false;
    this.journalHealth.stop();
    this.chargingLimits.stop();
    const detach = this.detach;
    this.detach = [];
    for (const d of detach) d();
    for (const c of this.connectors) c.dispose();
    this.statusReporter.dispose();
    this.version.detach();
    this.order.clear();
    // Each open() settles within its relay's deadline on the clock, but under virtual time nobody
    // advances the clock any more (a welded contactor would hang here): bound the wait by the
    // longest deadline in real time (not by flushMs, which may be 0).
    const relays = this.options.hardware.connectors.map((c) => c.relay);
    await withinRealTime(Promise.allSettled(relays.map((r) => r.open())), Math.max(0, ...relays.map((r) => r.deadlineMs)) + 100);
    this.transactions.dispose();
    this.sender.stop();
    this.maintenance?.dispose();
    await this.options.securityEvents?.stop?.();
    this.options.certificates?.stop();
    await this.link.stop();
  }

  /** Stops every running transaction with `reason` and waits (bounded, real time) for delivery. */
  async endAllTransactions(reason: 'Reboot' | 'SoftReset' | 'HardReset' | 'Other', flushMs: number): Promise<void> {
    this.sessions.stopAll(reason);
    await withinRealTime(this.settle(true), flushMs);
  }

  /** Resolves once no transaction message is waiting while the CSMS is reachable (or after `maxMs`). */
  async whenIdle(maxMs = 5000): Promise<void> {
    await withinRealTime(this.settle(), maxMs);
  }

  /**
   * Decides an idTag by the local authorization rules (cache, LocalPreAuthorize, offline keys) or the
   * CSMS. `type`: its kind (auth/idToken.ts), heeded under 2.0.1.
   */
  authorize(idTag: string, type?: IdTokenKind): Promise<AuthorizationResult> {
    return this.authorizer.authorize(idTag, type);
  }

  connector(connectorId: number): ConnectorController | undefined {
    return this.connectors.find((c) => c.connectorId === connectorId);
  }

  /** Current status of every connector plus the charge point (connectorId 0). */
  statuses(): StatusChange[] {
    return this.statusReporter.all();
  }

  /** The charge point's own status (connectorId 0): follows its connectors, carries reader faults. */
  chargePointStatus(): StatusChange {
    return this.statusReporter.chargePoint();
  }

  /** Used by RemoteControl: a reset was accepted. */
  async performReset(type: 'Soft' | 'Hard'): Promise<void> {
    await this.endAllTransactions(type === 'Soft' ? 'SoftReset' : 'HardReset', 3000);
    if (this.listenerCount('reset') > 0) {
      this.emit('reset', type);
      return;
    }
    // Nobody owns the process: restart the OCPP session in place (new connection, new boot); a
    // firmware update's hold ends with it.
    this.sessions.releaseHold();
    await this.link.stop();
    this.link.start();
  }

  /**
   * An OCPP 2.0.1 Reset of one EVSE (connector): its transaction, if one runs, ends (HardReset:
   * stoppedReason ImmediateReset), its contactor is confirmed open and its machine starts again
   * from the devices' state (ConnectorController.restart); the other connectors, the link and the
   * registration are untouched. A cable still plugged in then begins a transaction where the
   * plug-in is a start point (TxStartPoint EVConnected), as at start-up. Resolves when the
   * connector runs again (false: no such connector, or its transaction did not end in time).
   */
  async resetConnector(connectorId: number): Promise<boolean> {
    const c = this.connector(connectorId);
    const hw = this.options.hardware.connectors.find((h) => h.connectorId === connectorId);
    if (!c || !hw) return false;
    if (c.hasTransaction) {
      let onTransaction: (() => void) | undefined;
      const ended = new Promise<void>((resolve) => {
        onTransaction = () => {
          if (!c.hasTransaction) resolve();
        };
        this.on('transaction', onTransaction);
      });
      this.sessions.stopOn(connectorId, 'HardReset');
      if (c.hasTransaction) await withinRealTime(ended, 3000);
      this.off('transaction', onTransaction!);
      if (c.hasTransaction) {
        this.log.warn({ connector: connectorId }, 'EVSE reset not carried out: its transaction did not end');
        return false;
      }
    }
    await withinRealTime(hw.relay.open().catch(() => undefined), hw.relay.deadlineMs + 100);
    this.log.info({ connector: connectorId }, 'EVSE reset: the connector starts again');
    const operative = this.availability.isOperative(connectorId) && !this.sessions.isHeldForReboot;
    const restarted = c.restart(connectorInput(this.config, hw, operative, this.options.ventilation ?? false));
    // As at start-up: a cable still plugged in begins the transaction its start point says (E01.FR.02).
    if (restarted && this.recovered) c.send({ type: 'BEGIN_IF_PLUGGED_IN' });
    return restarted;
  }

  /** Vendor extensions the CSMS can reach with DataTransfer: register handlers here (made on first use). */
  get vendors(): DataTransferVendors {
    return (this.vendorRegistry ??= new DataTransferVendors());
  }

  /**
   * Sends a DataTransfer to the CSMS under this charger's vendorId and resolves with its answer.
   * Rejects with an OcppLinkError when it cannot be delivered (not connected, not accepted, timeout).
   */
  sendDataTransfer(messageId: string | undefined, data?: string): Promise<DataTransferResponse> {
    return this.link.call('DataTransfer', {
      vendorId: this.options.vendorId ?? this.options.boot.chargePointVendor,
      ...(messageId !== undefined && { messageId }),
      ...(data !== undefined && { data }),
    });
  }

  /**
   * Journals an OCA ConnectorUnplugged for a transaction that ended here (agent/pricing/): queued
   * behind its StopTransaction and delivered like it, also after a reconnect or a restart.
   */
  journalConnectorUnplugged(u: { localId: string; connectorId: number; transactionId?: number; timestamp: number }): Promise<void> {
    const { localId, connectorId, transactionId, timestamp } = u;
    return this.sender.enqueue({ kind: 'unplugged', localId, connectorId, ...(transactionId !== undefined && { transactionId }), timestamp: new Date(timestamp).toISOString() });
  }

  /** Transaction messages (StartTransaction, MeterValues, StopTransaction) not yet confirmed by the CSMS. */
  get undelivered(): number {
    return this.sender.backlog;
  }

  /**
   * Transactions the CSMS has not confirmed as stopped (running ones included): what a charger
   * switched off now would leave open at the CSMS.
   */
  get unconfirmedTransactions(): number {
    return this.sender.unconfirmedTransactions;
  }

  /** False once stop() has begun (and before start()): no new session may begin. */
  get acceptsSessions(): boolean {
    return this.sessions.acceptsSessions;
  }

  /** A staged firmware waits for the running sessions to end before its reboot: the free connectors are held Unavailable. */
  get heldForReboot(): boolean {
    return this.sessions.isHeldForReboot;
  }

  /**
   * Accepted boot: the transaction messages not yet confirmed go out (again) first, and every
   * connector's current status follows those of its own connector (DESIGN.md §11).
   */
  private onAccepted(): void {
    // OCPP 2.0.1 boots once per run: a new connection is Accepted without a BootNotification, so
    // connection settings being tried (a new BasicAuthPassword, a raised SecurityProfile) are kept
    // here, once the CSMS took the connection. Under 1.6 the link did that at the boot (a no-op now).
    this.options.linkSecurity?.connected();
    // Status changes kept through the outage (QueueAllMessages) take their place before the sender's.
    const held = this.statusReporter.releaseHeld();
    this.sender.resume();
    this.statusReporter.reportAll(held);
    this.transactions.sendHeldSamples();
    this.options.securityEvents?.resume?.();
  }

  /**
   * Lets I/O settle: no transaction message waiting while the CSMS is reachable and no call pending,
   * or 1,000 event-loop turns (under virtual time a call may wait for a timeout on a clock nobody
   * advances meanwhile). `untilAnswered`: while a call is in flight, waits for its answer instead of
   * counting turns (the stop's flush: 250 chargers stopping at once spun the event loop, and the
   * count ran out before a slow CSMS had answered).
   */
  private async settle(untilAnswered = false): Promise<void> {
    for (let i = 0; i < 1000; i++) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      await this.journalHealth.probing;
      await this.sender.whenIdle();
      // A firmware transfer or log upload is real I/O too: virtual time waits for it (DESIGN.md §5).
      await this.maintenance?.settled();
      if (this.link.pendingCalls === 0) return;
      if (untilAnswered) await this.link.whenCallsSettled();
    }
  }

}

// Shared by every Agent (`this` is the Agent emitting): follow the link's traffic while anyone
// listens to the Agent's. 'newListener' comes before the listener is added, 'removeListener' after.
function watchTraffic(this: Agent, event: string | symbol): void {
  if (event === 'traffic') this.followTraffic(true);
}
function unwatchTraffic(this: Agent, event: string | symbol): void {
  if (event === 'traffic' && this.listenerCount('traffic') === 0) this.followTraffic(false);
}
