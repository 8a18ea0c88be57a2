/**
 * The lost-and-reopened cycle every serial port of the HAL goes through (SerialLink for the
 * character-stream devices, ModbusBus for a Modbus line): a port that fails to open, closes or
 * vanishes is `lost` (reported once, however often reopening fails), reopened every
 * `reopenIntervalMs` of clock time, and `restored` once it opens again. `close()` ends the
 * cycle for good. The owner opens and drops the port itself; this holds the state and the timer.
 */
import type { Clock, TimerId } from '../clock.js';
import type { HalError } from '../errors.js';

export type PortState = 'opening' | 'open' | 'lost' | 'closed';

export interface PortRecoveryOptions {
  clock: Clock;
  /** Clock time between attempts to reopen a lost port, ms. */
  reopenIntervalMs: number;
  /** Lets go of the lost port (called before `lost` is reported). */
  drop: () => void;
  /** Tries to open the port again; it calls {@link PortRecovery.opened} or {@link PortRecovery.lose}. */
  reopen: () => void;
  /** The port went away (or could not be opened at first): once per loss. */
  lost: (error: HalError) => void;
  /** The port is open again after a loss. */
  restored: () => void;
}

export class PortRecovery {
  private current: PortState = 'opening';
  private reopenTimer: TimerId | undefined;

  constructor(private readonly o: PortRecoveryOptions) {}

  /** `opening` until the first open attempt has ended. */
  get state(): PortState {
    return this.current;
  }

  /** An open attempt succeeded (the owner checked that the cycle is not closed): `restored` if it had been lost. */
  opened(): void {
    const wasLost = this.current === 'lost';
    this.current = 'open';
    if (wasLost) this.o.restored();
  }

  /** The port failed to open, closed or vanished: drop it, report it (once), and try again later. */
  lose(error: HalError): void {
    if (this.current === 'closed') return;
    const wasUp = this.current !== 'lost';
    this.current = 'lost';
    this.o.drop();
    if (wasUp) this.o.lost(error);
    this.o.clock.clearTimeout(this.reopenTimer);
    this.reopenTimer = this.o.clock.setTimeout(() => {
      this.reopenTimer = undefined;
      this.o.reopen();
    }, this.o.reopenIntervalMs);
  }

  /** Ends the cycle: no more reopening. */
  close(): void {
    this.current = 'closed';
    this.o.clock.clearTimeout(this.reopenTimer);
    this.reopenTimer = undefined;
  }
}
