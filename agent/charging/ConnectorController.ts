/**
 * Runs one connector: feeds device events into its connector machine and carries out the
 * machine's commands on the HAL and the transaction manager. This is the only place where the
 * machine's decisions touch hardware, so the data flow stays one way:
 * device event → machine → command → device / OCPP.
 */
import { createActor, type Actor } from 'xstate';
import type { Logger } from 'pino';
import { HalError, type Clock, type ConnectorHardware, type ConnectorLock, type ControlPilot, type EnergyMeter, type HalErrorCode, type MeterReading, type PilotState, type Relay, type TimerId } from '../../hal/index.js';
import { connectorMachine } from './connectorMachine.js';
import { connectorActorOptions, stopConnectorActor } from './connectorSystem.js';
import { activeFaults, awaitsAuthorization, chargingStateOf, errorCodeOf, faultInfoOf, hasTransaction, limitInfoOf, reservationId, statusOf, stopsTransaction, type ConnectorErrorCode } from './connectorSelectors.js';
import { sameTag, type Tagged } from './connectorGuards.js';
import type { ActiveFault, ActiveReservation, ConnectorCommand, ConnectorEvent, ConnectorInput } from './connectorTypes.js';
import type { ConnectorStatus } from '../ocpp16/vocabulary.js';
import type { ChargingState } from '../store/TransactionJournal.js';
import type { TransactionManager } from '../transactions/TransactionManager.js';
import { EnergyAllowance } from './EnergyAllowance.js';
import { LockDriver } from './LockDriver.js';
import { PowerWatch } from './PowerWatch.js';

export interface StatusChange {
  connectorId: number;
  status: ConnectorStatus;
  errorCode: ConnectorErrorCode;
  info?: string;
  timestamp: number;
}

export interface ConnectorControllerOptions {
  hardware: ConnectorHardware;
  /** The lock capability and position come from `hardware.lock`. */
  /** The machine's input (connectorInput() in ./connectorSettings.ts: complete, so the machine keeps it as its settings). */
  input: ConnectorInput;
  clock: Clock;
  /** The charger's logger; the controller adds `connector` to what it logs (no child logger per connector). */
  log: Logger;
  transactions: TransactionManager;
  onStatus: (change: StatusChange) => void;
  /** A command the machine asked for failed (the fault itself arrives as a device event). */
  onCommandError?: (command: ConnectorCommand, err: unknown) => void;
}

/**
 * How often a meter in fault is read again. A meter fault clears only on a successful read, and
 * with periodic samples off (or no transaction) nothing else reads it: without this probe a
 * recoverable fault would hold the connector Faulted for good.
 */
const METER_PROBE_MS = 10_000;

function toFault(err: HalError): ActiveFault {
  return { code: err.code, ocppErrorCode: err.ocppErrorCode, recoverable: err.recoverable, info: err.message.slice(0, 50) };
}

export class ConnectorController {
  readonly connectorId: number;
  /** Replaced only by {@link restart} (a Reset of this EVSE). */
  private actor: Actor<typeof connectorMachine>;
  private lastStatus: ConnectorStatus | undefined;
  private lastErrorCode: ConnectorErrorCode = 'NoError';
  /** Listening to the devices (between start() and dispose()). */
  private listening = false;
  private meterProbe: TimerId | undefined;
  /** ConnectionTimeOut of a transaction begun incomplete (before the cable or an authorization). */
  private incomplete: TimerId | undefined;
  /** MaxEnergyOnInvalidId being measured (only while a rejected idTag may still draw power). */
  private allowance: EnergyAllowance | undefined;
  private disposed = false;
  /** Power that flows with the contactor commanded open (./PowerWatch.ts). */
  private readonly power: PowerWatch;
  /** The lock's commands, when this connector has one (./LockDriver.ts). */
  private readonly lock: LockDriver | undefined;
  /** The last open command's confirmation, which a release of the lock waits for. */
  private relayOpening: Promise<void> | undefined;

  constructor(private readonly o: ConnectorControllerOptions) {
    this.connectorId = o.hardware.connectorId;
    this.power = new PowerWatch(this, o.hardware, o.clock, o.log);
    if (o.hardware.lock) this.lock = new LockDriver(this.connectorId, o.hardware.lock, o.hardware.relay, o.clock, o.log);
    this.actor = this.machine(o.input);
  }

  private machine(input: ConnectorInput): Actor<typeof connectorMachine> {
    // The actor lives in the shared system of its clock (./connectorSystem.ts): ≈ 1.7 KB less per connector.
    const actor = createActor(connectorMachine, { ...connectorActorOptions(this.o.clock), input });
    // One wildcard listener rather than one per command type: xstate keeps a Set per type, and
    // 10,000 connectors × 7 types of them is measurable (docs/fleet.md, Memory and scale). Neither
    // subscription is kept: once disposed (or replaced by restart()), both ignore the machine, and
    // stopping it drops them.
    actor.on('*', (cmd) => {
      if (!this.disposed && this.actor === actor) this.execute(cmd as ConnectorCommand);
    });
    actor.subscribe(() => {
      if (!this.disposed && this.actor === actor) this.publishStatus();
    });
    return actor;
  }

  // Device listeners: one function each for every connector, which finds its controller through the
  // device that emits (an emitter calls its listeners with itself as `this`); per-instance arrow
  // functions cost ≈ 0.3 KB per connector (docs/fleet.md, Memory and scale). The same two fault
  // listeners serve every device.
  /** The controller each device reports to (devices of connectors being listened to). */
  private static readonly byDevice = new WeakMap<object, ConnectorController>();
  private static onFault(this: object, err: HalError): void {
    ConnectorController.byDevice.get(this)?.send({ type: 'FAULT', fault: toFault(err) });
  }
  private static onCleared(this: object, code: HalErrorCode): void {
    ConnectorController.byDevice.get(this)?.send({ type: 'FAULT_CLEARED', code });
  }
  private static onMeterFault(this: object): void {
    ConnectorController.byDevice.get(this)?.probeMeter();
  }
  private static onReading(this: object, r: MeterReading): void {
    ConnectorController.byDevice.get(this)?.power.check(r);
  }
  private static onPilot(this: object, state: PilotState): void {
    ConnectorController.byDevice.get(this)?.send({ type: 'PILOT', state });
  }
  private static onLock(this: object, locked: boolean): void {
    ConnectorController.byDevice.get(this)?.send({ type: 'LOCK_STATE', locked });
  }

  /** Every device of the connector (the lock only where there is one). */
  private devices(): (Relay | EnergyMeter | ControlPilot | ConnectorLock)[] {
    const { relay, meter, pilot, lock } = this.o.hardware;
    return lock ? [relay, meter, pilot, lock] : [relay, meter, pilot];
  }

  /** Starts the machine and listens to the devices; faults already active are fed in first. */
  start(): void {
    this.actor.start();
    const { meter, pilot, lock } = this.o.hardware;
    const devices = this.devices();
    this.listening = true;
    const { onFault, onCleared, onMeterFault, onReading } = ConnectorController;
    // A device reports to one controller: the last one started on it (a restarted agent's).
    const fresh = devices.filter((device) => ConnectorController.claim(device, this));
    for (const device of fresh) {
      device.on('fault', onFault);
      device.on('faultCleared', onCleared);
    }
    if (fresh.includes(meter)) {
      meter.on('fault', onMeterFault);
      meter.on('reading', onReading);
    }
    this.power.opened();
    // Faults latched before this controller existed (e.g. a welded contactor across an in-process
    // restart): the devices will not report them again.
    for (const device of devices) {
      for (const code of device.activeFaults) this.send({ type: 'FAULT', fault: toFault(new HalError(code, device.id, 'active at start')) });
    }
    if (meter.activeFaults.size > 0) this.probeMeter();
    if (fresh.includes(pilot)) pilot.on('state', ConnectorController.onPilot);
    if (lock && fresh.includes(lock)) lock.on('state', ConnectorController.onLock);
    this.publishStatus();
  }

  /**
   * Starts the machine again from the devices' state (an OCPP 2.0.1 Reset of this EVSE), as a
   * restart of the charger would, but for this connector only: `input` is read afresh (settings,
   * availability, pilot, lock), the faults the devices hold are fed in again, and what the rest of
   * the charger told the old machine and will not repeat is carried over (the charging limit in
   * force, a reservation held, where transactions begin and end). Refused (false) while a transaction runs: end it first.
   */
  restart(input: ConnectorInput): boolean {
    if (this.disposed || this.hasTransaction) return false;
    const { limitA, limitSource, reservation, settings } = this.actor.getSnapshot().context;
    const old = this.actor;
    this.allowance?.cancel();
    this.allowance = undefined;
    this.actor = this.machine(input);
    stopConnectorActor(old);
    this.actor.start();
    // The version's transaction points are told once, not read from the input.
    if (settings.transactionPoints) this.send({ type: 'CONFIGURE', settings: { transactionPoints: settings.transactionPoints } });
    if (limitA !== input.maxCurrentA || limitSource !== 'hardware') this.send({ type: 'SET_LIMIT', amps: limitA, source: limitSource });
    if (reservation) {
      const { reservationId: id, idTag, parentIdTag, expiresAt } = reservation;
      this.send({ type: 'RESERVE', reservationId: id, idTag, expiresAt, now: this.o.clock.now(), ...(parentIdTag !== undefined && { parentIdTag }) });
    }
    for (const device of this.devices()) {
      for (const code of device.activeFaults) this.send({ type: 'FAULT', fault: toFault(new HalError(code, device.id, 'active at reset')) });
    }
    this.publishStatus();
    return true;
  }

  send(event: ConnectorEvent): void {
    this.actor.send(event);
  }

  get status(): ConnectorStatus {
    return statusOf(this.actor.getSnapshot());
  }

  get errorCode(): ConnectorErrorCode {
    return errorCodeOf(this.actor.getSnapshot());
  }

  /** The faults active on the connector, oldest first (what its display explains). */
  get faults(): readonly ActiveFault[] {
    return activeFaults(this.actor.getSnapshot());
  }

  /**
   * True from the machine's startTransaction command until its stopTransaction: also while the
   * transaction manager is still reading meterStart (it knows the transaction only after that).
   */
  get hasTransaction(): boolean {
    return hasTransaction(this.actor.getSnapshot());
  }

  /** What the connector does for the EV during its transaction (connectorSelectors.chargingStateOf). */
  get chargingState(): ChargingState | undefined {
    return chargingStateOf(this.actor.getSnapshot());
  }

  /** A transaction begun at the plug-in runs here and no driver is authorized for it yet: a card authorizes it. */
  get awaitsAuthorization(): boolean {
    return awaitsAuthorization(this.actor.getSnapshot());
  }

  /** Id of the reservation this connector holds, if any (expired or used ones are gone). */
  get reservationId(): number | undefined {
    return reservationId(this.actor.getSnapshot());
  }

  /** The current status as a change record (for StatusNotification after (re)boot or a trigger). */
  currentStatus(): StatusChange {
    return this.statusRecord(this.status, this.errorCode);
  }

  private armConnectionTimeout(): void {
    this.clearConnectionTimeout();
    const ms = this.actor.getSnapshot().context.settings.connectionTimeoutMs;
    this.incomplete = this.o.clock.setTimeout(() => {
      this.incomplete = undefined;
      if (!this.disposed) this.send({ type: 'CONNECTION_TIMEOUT' });
    }, ms);
  }

  private clearConnectionTimeout(): void {
    this.o.clock.clearTimeout(this.incomplete);
    this.incomplete = undefined;
  }

  /** Stops listening and stops the machine. Does not touch the hardware. */
  dispose(): void {
    this.disposed = true;
    this.clearConnectionTimeout();
    this.o.clock.clearTimeout(this.meterProbe);
    this.meterProbe = undefined;
    this.allowance?.cancel();
    this.power.dispose();
    this.lock?.dispose();
    if (this.listening) this.stopListening();
    stopConnectorActor(this.actor);
  }

  /** Makes `controller` the one `device` reports to; false when the device was listened to already (by another). */
  private static claim(device: object, controller: ConnectorController): boolean {
    const before = ConnectorController.byDevice.get(device);
    ConnectorController.byDevice.set(device, controller);
    return before === undefined;
  }

  private stopListening(): void {
    this.listening = false;
    const { meter, pilot, lock } = this.o.hardware;
    const { byDevice, onFault, onCleared, onMeterFault, onReading, onPilot, onLock } = ConnectorController;
    // Devices another controller took over since keep their listeners (they report to it now).
    const own = this.devices().filter((device) => byDevice.get(device) === this);
    for (const device of own) {
      byDevice.delete(device);
      device.off('fault', onFault);
      device.off('faultCleared', onCleared);
    }
    if (own.includes(meter)) {
      meter.off('fault', onMeterFault);
      meter.off('reading', onReading);
    }
    if (own.includes(pilot)) pilot.off('state', onPilot);
    if (lock && own.includes(lock)) lock.off('state', onLock);
  }

  /** Reads the meter every METER_PROBE_MS while it is faulted or shows uncommanded power. */
  probeMeter(): void {
    if (this.disposed || this.meterProbe !== undefined) return;
    const { meter } = this.o.hardware;
    this.meterProbe = this.o.clock.setTimeout(() => {
      this.meterProbe = undefined;
      if (this.disposed) return;
      meter.read().then(
        () => undefined,
        () => undefined, // still faulted: the fault is known already
      ).finally(() => {
        if (meter.activeFaults.size > 0 || this.power.reporting) this.probeMeter();
      });
    }, METER_PROBE_MS);
  }

  private publishStatus(): void {
    const status = this.status;
    const errorCode = this.errorCode;
    if (status === this.lastStatus && errorCode === this.lastErrorCode) return;
    this.lastStatus = status;
    this.lastErrorCode = errorCode;
    this.o.onStatus(this.statusRecord(status, errorCode));
  }

  /** The reservation held here, if any (expired or used ones are gone). */
  get reservation(): Readonly<ActiveReservation> | undefined {
    return this.reservationId === undefined ? undefined : this.actor.getSnapshot().context.reservation;
  }

  /** parentIdTag of the reservation held, when it names one (a card of that group may use it). */
  get reservationGroup(): string | undefined {
    return this.actor.getSnapshot().context.reservation?.parentIdTag;
  }

  /** Would this idTag use the reservation held here (same idTag, of the same kind where both are known, or same parentIdTag)? */
  isReservedFor(card: Tagged): boolean {
    const r = this.actor.getSnapshot().context.reservation;
    return r !== undefined && sameTag(card, r);
  }

  /** parentIdTag of the session here (running, or whose cable is still held), when it has one. */
  get sessionGroup(): string | undefined {
    const { transaction, lockHeldFor } = this.actor.getSnapshot().context;
    return (transaction ?? lockHeldFor)?.parentIdTag;
  }

  /** Would this card stop the session running here (same idTag or same parentIdTag)? */
  stopsTransaction(card: Tagged): boolean {
    return stopsTransaction(this.actor.getSnapshot(), card);
  }

  private statusRecord(status: ConnectorStatus, errorCode: ConnectorErrorCode): StatusChange {
    const snapshot = this.actor.getSnapshot();
    const info = faultInfoOf(snapshot) ?? limitInfoOf(snapshot);
    return {
      connectorId: this.connectorId,
      status,
      errorCode,
      timestamp: this.o.clock.now(),
      ...(info !== undefined && { info }),
    };
  }

  private execute(cmd: ConnectorCommand): void {
    const { relay, pilot } = this.o.hardware;
    const log = this.o.log;
    // On the way from card to contactor: no log record built unless it is written.
    if (log.isLevelEnabled('debug')) log.debug({ connector: this.connectorId, command: cmd }, 'connector command');
    const failed = (err: unknown) => {
      log.error({ err, connector: this.connectorId, command: cmd.type }, 'connector command failed');
      this.o.onCommandError?.(cmd, err);
    };
    switch (cmd.type) {
      case 'closeContactor':
        this.power.closed();
        relay.close().catch(failed);
        break;
      case 'openContactor':
        this.power.opened();
        this.relayOpening = relay.open();
        this.relayOpening.catch(failed);
        break;
      case 'offerCurrent':
        pilot.setCurrentOffer(Math.min(cmd.amps, pilot.maxCurrentA)).catch(failed);
        break;
      case 'pilotUnavailable':
        pilot.setUnavailable(cmd.unavailable).catch(failed);
        break;
      case 'lockConnector':
      case 'unlockConnector':
        this.lock?.command(cmd.type === 'lockConnector', this.relayOpening);
        break;
      case 'startTransaction':
        if (cmd.incomplete) this.armConnectionTimeout();
        this.o.transactions.start(this.connectorId, cmd.idTag, cmd.reservationId, cmd.idTokenType, cmd.cablePluggedLast).catch((err: unknown) => {
          // Without a meterStart the transaction cannot be recorded: end the session safely.
          failed(err);
          this.send({ type: 'STOP', reason: 'Other' });
        });
        break;
      case 'limitEnergy':
        this.allowance?.cancel();
        this.allowance = new EnergyAllowance(this.o.hardware.meter, this.o.clock, cmd.wh, () => this.send({ type: 'ENERGY_ALLOWANCE_SPENT' }));
        break;
      case 'stopTransaction':
        this.clearConnectionTimeout();
        this.allowance?.cancel();
        this.allowance = undefined;
        this.o.transactions.stop(this.connectorId, cmd.reason, cmd.idTag, cmd.idTokenType).catch(failed);
        break;
      case 'transactionAuthorized':
        this.o.transactions.authorized(this.connectorId, cmd.idTag, cmd.idTokenType);
        break;
      case 'authorizationEnded':
        this.o.transactions.authorizationEnded(this.connectorId, cmd.idTag, cmd.idTokenType);
        break;
      case 'authorizationIgnored':
        log.info({ connector: this.connectorId, idTag: cmd.idTag }, 'card ignored: it may not start or stop a session on this connector now');
        break;
    }
  }
}
