/**
 * The meter cross-check of one connector (DESIGN.md §11, works for every driver, including a
 * contactor whose feedback cannot see its contacts): power while the contactor has been commanded
 * open for GRACE_MS is power nobody commanded. The contactor is commanded open again at once (the
 * machine thinks it is open and would not repeat the command) and UNCOMMANDED_POWER is reported,
 * which withdraws the offer and holds the connector Faulted; the first reading without power clears it.
 *
 * One meter read GRACE_MS after each open command (and after start) checks that the power stopped;
 * no interval of its own.
 */
import type { Logger } from 'pino';
import { HAL_ERRORS, type Clock, type ConnectorHardware, type MeterReading, type TimerId } from '../../hal/index.js';
import type { ConnectorEvent } from './connectorTypes.js';

/** Above these with the contactor commanded open, power flows that nobody commanded. */
const UNCOMMANDED_W = 100;
const UNCOMMANDED_A = 0.5;
/** Covers a reading taken just before the contacts opened and the meter's own averaging. */
const GRACE_MS = 3_000;

const drawing = (r: MeterReading): boolean => r.powerW > UNCOMMANDED_W || r.currentA.some((a) => a > UNCOMMANDED_A);

/** What the watch needs of its connector's controller. */
export interface PowerWatchHost {
  readonly connectorId: number;
  send(event: ConnectorEvent): void;
  /** Keeps reading the meter while {@link PowerWatch.reporting} (or a meter fault) lasts. */
  probeMeter(): void;
}

export class PowerWatch {
  private commandedOpen = true;
  private openSince: number;
  private verifyTimer: TimerId | undefined;
  /** UNCOMMANDED_POWER has been reported and not yet cleared. */
  reporting = false;

  constructor(
    private readonly host: PowerWatchHost,
    private readonly hardware: ConnectorHardware,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.openSince = clock.now();
  }

  /** The contactor was commanded open (or the connector starts, open): check the power stops. */
  opened(): void {
    this.commandedOpen = true;
    this.openSince = this.clock.now();
    this.clock.clearTimeout(this.verifyTimer);
    // A closure only while the read is pending (3 s), not one kept per connector.
    this.verifyTimer = this.clock.setTimeout(() => this.verify(), GRACE_MS);
  }

  /** The contactor was commanded closed: power is expected. */
  closed(): void {
    this.commandedOpen = false;
    this.clock.clearTimeout(this.verifyTimer);
    this.verifyTimer = undefined;
  }

  /** A meter reading (the meter's `reading` event). */
  check(r: MeterReading): void {
    if (!this.commandedOpen || r.timestamp - this.openSince < GRACE_MS) return;
    if (!drawing(r)) {
      if (!this.reporting) return;
      this.reporting = false;
      this.log.warn({ connector: this.host.connectorId, powerW: r.powerW }, 'uncommanded power stopped');
      this.host.send({ type: 'FAULT_CLEARED', code: 'UNCOMMANDED_POWER' });
      return;
    }
    const { relay } = this.hardware;
    this.log.error({ connector: this.host.connectorId, powerW: r.powerW, currentA: r.currentA, relay: relay.state }, 'power flows with the contactor commanded open: opening it again');
    relay.open().catch((err: unknown) => this.log.error({ err, connector: this.host.connectorId }, 'contactor did not confirm open'));
    if (this.reporting) return;
    this.reporting = true;
    const { recoverable, ocpp } = HAL_ERRORS.UNCOMMANDED_POWER;
    this.host.send({ type: 'FAULT', fault: { code: 'UNCOMMANDED_POWER', ocppErrorCode: ocpp, recoverable, info: `${Math.round(r.powerW)} W with the contactor commanded open` } });
    this.host.probeMeter();
  }

  dispose(): void {
    this.clock.clearTimeout(this.verifyTimer);
    this.verifyTimer = undefined;
    this.commandedOpen = false;
  }

  private verify(): void {
    this.verifyTimer = undefined;
    if (this.commandedOpen) this.hardware.meter.read().catch(() => undefined);
  }
}
