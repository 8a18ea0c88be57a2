/**
 * Runs one connector: feeds device events into its connector machine and carries out the
 * machine's commands on the HAL and the transaction manager. This is the only place where the
 * machine's decisions touch hardware, so the data flow stays one way:
 * device event → machine → command → device / OCPP.
 */
import { createActor, type Actor } from 'xstate';
import type { Logger } from 'pino';
import { HAL_ERRORS, HalError, type Clock, type ConnectorHardware, type HalErrorCode, type MeterReading, type PilotState, type TimerId } from '../../hal/index.js';
import { connectorMachine } from './connectorMachine.js';
import { errorCodeOf, faultInfoOf, hasTransaction, reservationId, statusOf, stopsTransaction, type ConnectorErrorCode } from './connectorSelectors.js';
import type { ActiveFault, ConnectorCommand, ConnectorEvent, ConnectorInput, ConnectorStatus } from './connectorTypes.js';
import type { TransactionManager } from '../transactions/TransactionManager.js';
import { EnergyAllowance } from './EnergyAllowance.js';

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
  input: Omit<ConnectorInput, 'connectorId' | 'pilot' | 'lock' | 'locked'>;
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

/**
 * The meter cross-check (works for every driver, including a contactor whose feedback cannot see
 * its contacts): power above these while the contactor has been commanded open for
 * UNCOMMANDED_GRACE_MS is power nobody commanded. The grace covers a reading taken just before
 * the contacts opened and the meter's own averaging.
 */
const UNCOMMANDED_W = 100;
const UNCOMMANDED_A = 0.5;
const UNCOMMANDED_GRACE_MS = 3_000;

/**
 * How often a lock command that failed (LOCK_FAILURE, or the contactor not confirmed open before
 * a release) is tried again while its position is still wanted: a jammed lock must not hold a
 * session Faulted, or a cable in the socket, for good once the obstruction is gone.
 */
const LOCK_RETRY_MS = 10_000;

const drawing = (r: MeterReading): boolean => r.powerW > UNCOMMANDED_W || r.currentA.some((a) => a > UNCOMMANDED_A);

function toFault(err: HalError): ActiveFault {
  return { code: err.code, ocppErrorCode: err.ocppErrorCode, recoverable: err.recoverable, info: err.message.slice(0, 50) };
}

export class ConnectorController {
  readonly connectorId: number;
  private readonly actor: Actor<typeof connectorMachine>;
  private lastStatus: ConnectorStatus | undefined;
  private lastErrorCode: ConnectorErrorCode = 'NoError';
  private readonly unsubscribers: (() => void)[] = [];
  private meterProbe: TimerId | undefined;
  /** MaxEnergyOnInvalidId being measured (only while a rejected idTag may still draw power). */
  private allowance: EnergyAllowance | undefined;
  private disposed = false;
  /** What the machine last commanded the contactor to be, and since when (start counts as open). */
  private contactorCommanded: 'open' | 'closed' = 'open';
  private openSince: number;
  /** One meter read UNCOMMANDED_GRACE_MS after an open command (or the start): did the power stop? */
  private verifyTimer: TimerId | undefined;
  private uncommanded = false;
  /** The lock position the machine last commanded; lock commands run one after the other. */
  private lockCommanded = false;
  private lockQueue: Promise<void> = Promise.resolve();
  private lockRetry: TimerId | undefined;
  /** The last open command's confirmation, which a release of the lock waits for. */
  private relayOpening: Promise<void> | undefined;

  constructor(private readonly o: ConnectorControllerOptions) {
    this.connectorId = o.hardware.connectorId;
    this.openSince = o.clock.now();
    this.actor = createActor(connectorMachine, {
      clock: o.clock,
      // A literal, not a spread: see the machine's context (hidden classes per object otherwise).
      input: {
        connectorId: this.connectorId,
        maxCurrentA: o.input.maxCurrentA,
        connectionTimeoutMs: o.input.connectionTimeoutMs,
        stopTransactionOnInvalidId: o.input.stopTransactionOnInvalidId,
        stopTransactionOnEVSideDisconnect: o.input.stopTransactionOnEVSideDisconnect,
        maxEnergyOnInvalidIdWh: o.input.maxEnergyOnInvalidIdWh,
        ventilation: o.input.ventilation,
        unlockConnectorOnEVSideDisconnect: o.input.unlockConnectorOnEVSideDisconnect ?? true,
        lock: o.hardware.lock !== undefined,
        locked: o.hardware.lock?.locked ?? false,
        operative: o.input.operative,
        pilot: o.hardware.pilot.state,
      },
    });
    // One wildcard listener rather than one per command type: xstate keeps a Set per type, and
    // 10,000 connectors × 7 types of them is measurable (docs/fleet.md, Memory and scale).
    const commands = this.actor.on('*', (cmd) => this.execute(cmd as ConnectorCommand));
    const snap = this.actor.subscribe(() => this.publishStatus());
    this.unsubscribers.push(() => {
      commands.unsubscribe();
      snap.unsubscribe();
    });
  }

  /** Starts the machine and listens to the devices; faults already active are fed in first. */
  start(): void {
    this.actor.start();
    const { relay, meter, pilot, lock } = this.o.hardware;
    const devices = [relay, meter, pilot, ...(lock ? [lock] : [])];
    // The same two listeners serve every device (fewer closures per connector).
    const onFault = (err: HalError) => this.send({ type: 'FAULT', fault: toFault(err) });
    const onCleared = (code: HalErrorCode) => this.send({ type: 'FAULT_CLEARED', code });
    const onMeterFault = () => this.probeMeter();
    const onReading = (r: MeterReading) => this.crossCheck(r);
    for (const device of devices) {
      device.on('fault', onFault);
      device.on('faultCleared', onCleared);
    }
    meter.on('fault', onMeterFault);
    meter.on('reading', onReading);
    this.unsubscribers.push(() => {
      for (const device of devices) {
        device.off('fault', onFault);
        device.off('faultCleared', onCleared);
      }
      meter.off('fault', onMeterFault);
      meter.off('reading', onReading);
    });
    this.verifyOpen();
    // Faults latched before this controller existed (e.g. a welded contactor across an in-process
    // restart): the devices will not report them again.
    for (const device of devices) {
      for (const code of device.activeFaults) this.send({ type: 'FAULT', fault: toFault(new HalError(code, device.id, 'active at start')) });
    }
    if (meter.activeFaults.size > 0) this.probeMeter();
    const onPilot = (state: PilotState) => this.send({ type: 'PILOT', state });
    pilot.on('state', onPilot);
    this.unsubscribers.push(() => pilot.off('state', onPilot));
    if (lock) {
      const onLock = (locked: boolean) => this.send({ type: 'LOCK_STATE', locked });
      lock.on('state', onLock);
      this.unsubscribers.push(() => lock.off('state', onLock));
    }
    this.publishStatus();
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

  /**
   * True from the machine's startTransaction command until its stopTransaction: also while the
   * transaction manager is still reading meterStart (it knows the transaction only after that).
   */
  get hasTransaction(): boolean {
    return hasTransaction(this.actor.getSnapshot());
  }

  /** Id of the reservation this connector holds, if any (expired or used ones are gone). */
  get reservationId(): number | undefined {
    return reservationId(this.actor.getSnapshot());
  }

  /** The current status as a change record (for StatusNotification after (re)boot or a trigger). */
  currentStatus(): StatusChange {
    return this.statusRecord(this.status, this.errorCode);
  }

  /** Stops listening and stops the machine. Does not touch the hardware. */
  dispose(): void {
    this.disposed = true;
    this.o.clock.clearTimeout(this.meterProbe);
    this.meterProbe = undefined;
    this.allowance?.cancel();
    this.o.clock.clearTimeout(this.verifyTimer);
    this.verifyTimer = undefined;
    this.o.clock.clearTimeout(this.lockRetry);
    this.lockRetry = undefined;
    for (const u of this.unsubscribers.splice(0)) u();
    this.actor.stop();
  }

  /** Arms the one read that checks the power stopped after the contactor was commanded open. */
  private verifyOpen(): void {
    this.o.clock.clearTimeout(this.verifyTimer);
    this.verifyTimer = this.o.clock.setTimeout(() => {
      this.verifyTimer = undefined;
      if (!this.disposed && this.contactorCommanded === 'open') this.o.hardware.meter.read().catch(() => undefined);
    }, UNCOMMANDED_GRACE_MS);
  }

  /**
   * Power with the contactor commanded open: commanded open again at once (the machine thinks it
   * is open and would not repeat the command) and reported as UNCOMMANDED_POWER, which withdraws
   * the offer and holds the connector Faulted; cleared by the first reading without power.
   */
  private crossCheck(r: MeterReading): void {
    if (this.disposed || this.contactorCommanded !== 'open' || r.timestamp - this.openSince < UNCOMMANDED_GRACE_MS) return;
    const { relay } = this.o.hardware;
    if (!drawing(r)) {
      if (!this.uncommanded) return;
      this.uncommanded = false;
      this.o.log.warn({ connector: this.connectorId, powerW: r.powerW }, 'uncommanded power stopped');
      this.send({ type: 'FAULT_CLEARED', code: 'UNCOMMANDED_POWER' });
      return;
    }
    this.o.log.error({ connector: this.connectorId, powerW: r.powerW, currentA: r.currentA, relay: relay.state }, 'power flows with the contactor commanded open: opening it again');
    relay.open().catch((err: unknown) => this.o.log.error({ err, connector: this.connectorId }, 'contactor did not confirm open'));
    if (this.uncommanded) return;
    this.uncommanded = true;
    const { recoverable, ocpp } = HAL_ERRORS.UNCOMMANDED_POWER;
    this.send({ type: 'FAULT', fault: { code: 'UNCOMMANDED_POWER', ocppErrorCode: ocpp, recoverable, info: `${Math.round(r.powerW)} W with the contactor commanded open` } });
    this.probeMeter();
  }

  /**
   * Moves the lock to the commanded position, after the commands before it. A release waits until
   * the contactor is confirmed open (never release the plug under load; a welded contactor keeps
   * the cable locked). A command overtaken by the opposite one is skipped. A failure is
   * already a device fault (LOCK_FAILURE, fed to the machine by the fault listener): retry later.
   */
  private moveLock(): void {
    const { lock, relay } = this.o.hardware;
    if (!lock) return;
    const engage = this.lockCommanded;
    this.lockQueue = this.lockQueue
      .then(async () => {
        if (this.disposed || engage !== this.lockCommanded) return;
        const isOpen = (): boolean => relay.state === 'open';
        if (!engage && !isOpen()) {
          await this.relayOpening;
          if (!isOpen()) throw new Error('contactor not confirmed open: the cable stays locked');
        }
        await (engage ? lock.lock() : lock.unlock());
      })
      .catch((err: unknown) => {
        this.o.log.warn({ err, connector: this.connectorId, lock: engage ? 'lock' : 'unlock' }, 'connector lock command failed: retrying');
        if (this.disposed || this.lockRetry !== undefined) return;
        this.lockRetry = this.o.clock.setTimeout(() => {
          this.lockRetry = undefined;
          if (!this.disposed && lock.locked !== this.lockCommanded) this.moveLock();
        }, LOCK_RETRY_MS);
      });
  }

  /** Reads the meter every METER_PROBE_MS while it is faulted or shows uncommanded power. */
  private probeMeter(): void {
    if (this.disposed || this.meterProbe !== undefined) return;
    const { meter } = this.o.hardware;
    this.meterProbe = this.o.clock.setTimeout(() => {
      this.meterProbe = undefined;
      if (this.disposed) return;
      meter.read().then(
        () => undefined,
        () => undefined, // still faulted: the fault is known already
      ).finally(() => {
        if (meter.activeFaults.size > 0 || this.uncommanded) this.probeMeter();
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

  /** parentIdTag of the reservation held, when it names one (a card of that group may use it). */
  get reservationGroup(): string | undefined {
    return this.actor.getSnapshot().context.reservation?.parentIdTag;
  }

  /** Would this idTag use the reservation held here (same idTag or same parentIdTag)? */
  isReservedFor(card: { idTag: string; parentIdTag?: string }): boolean {
    const r = this.actor.getSnapshot().context.reservation;
    return r !== undefined && (r.idTag === card.idTag || (r.parentIdTag !== undefined && r.parentIdTag === card.parentIdTag));
  }

  /** Would this card stop the session running here (same idTag or same parentIdTag)? */
  stopsTransaction(card: { idTag: string; parentIdTag?: string }): boolean {
    return stopsTransaction(this.actor.getSnapshot(), card);
  }

  private statusRecord(status: ConnectorStatus, errorCode: ConnectorErrorCode): StatusChange {
    const info = faultInfoOf(this.actor.getSnapshot());
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
    log.debug({ connector: this.connectorId, command: cmd }, 'connector command');
    const failed = (err: unknown) => {
      log.error({ err, connector: this.connectorId, command: cmd.type }, 'connector command failed');
      this.o.onCommandError?.(cmd, err);
    };
    switch (cmd.type) {
      case 'closeContactor':
        this.contactorCommanded = 'closed';
        this.o.clock.clearTimeout(this.verifyTimer);
        this.verifyTimer = undefined;
        relay.close().catch(failed);
        break;
      case 'openContactor':
        this.contactorCommanded = 'open';
        this.openSince = this.o.clock.now();
        this.verifyOpen();
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
        this.lockCommanded = cmd.type === 'lockConnector';
        this.moveLock();
        break;
      case 'startTransaction':
        this.o.transactions.start(this.connectorId, cmd.idTag, cmd.reservationId).catch((err: unknown) => {
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
        this.allowance?.cancel();
        this.allowance = undefined;
        this.o.transactions.stop(this.connectorId, cmd.reason, cmd.idTag).catch(failed);
        break;
      case 'authorizationIgnored':
        log.info({ connector: this.connectorId, idTag: cmd.idTag }, 'card ignored: it may not start or stop a session on this connector now');
        break;
    }
  }
}
