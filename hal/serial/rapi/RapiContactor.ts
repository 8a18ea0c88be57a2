/**
 * The contactor of an OpenEVSE controller as a {@link Relay}. The board switches its relay itself:
 * closed only while it is enabled (`$FE`) and the vehicle asks for power (state C/D). So
 * `close()` is "allow power" (`$FE`) and is confirmed when the board reports EVSE state 03/04;
 * `open()` is `$FS` (sleep: relay open, PWM off), confirmed when the board leaves 03/04.
 */
import type { Clock } from '../../clock.js';
import { HalError } from '../../errors.js';
import type { RelayState } from '../../index.js';
import { FaultLatch } from '../../FaultLatch.js';
import { CommandedRelay, ContactorCommands } from '../../ContactorCommands.js';
import type { RapiController, RapiStatus } from './RapiController.js';

/** EVSE states in which the OpenEVSE relay is closed: charging (C), vent required (D), stuck relay. */
const RELAY_CLOSED_STATES = new Set([0x03, 0x04, 0x08]);

export interface RapiContactorOptions {
  /** Device name, e.g. `relay:1`. */
  id: string;
  clock: Clock;
  controller: RapiController;
  /** Confirmation deadline, ms of clock time (default 1000: the board closes at a zero crossing). */
  deadlineMs?: number;
}

/**
 * Relay view of an OpenEVSE board.
 *
 * - Board state 08 (stuck relay: closed while it should be open) → RELAY_WELDED (latched).
 * - Board state 0E (relay closure fault) → RELAY_STUCK, cleared when the board leaves 0E.
 * - A command not confirmed within `deadlineMs` rejects with RELAY_STUCK (close; `$FS` is sent
 *   again) or RELAY_WELDED (open) ({@link ContactorCommands}).
 * - The board closing its relay without being enabled (the controller disables it at once):
 *   UNCOMMANDED_POWER until it reports a state without power. `release()` detaches the view; the
 *   port belongs to the {@link RapiController}.
 */
export class RapiContactor extends CommandedRelay {
  readonly id: string;
  readonly deadlineMs: number;
  private readonly controller: RapiController;
  protected readonly faults: FaultLatch;
  protected readonly commands: ContactorCommands;
  private released = false;
  private readonly onStatus = (s: RapiStatus): void => this.observe(s);
  private readonly onUncommanded = (active: boolean, s: RapiStatus): void => {
    if (active) this.faults.raise('UNCOMMANDED_POWER', `OpenEVSE in state 0${s.evseState.toString(16)} without $FE: disabled ($FD)`);
    else this.faults.clear('UNCOMMANDED_POWER');
  };

  constructor(options: RapiContactorOptions) {
    super();
    this.id = options.id;
    this.controller = options.controller;
    this.deadlineMs = options.deadlineMs ?? 1000;
    this.faults = new FaultLatch(this.id, (e) => this.emit('fault', e), (c) => this.emit('faultCleared', c));
    this.commands = new ContactorCommands({
      id: this.id,
      clock: options.clock,
      faults: this.faults,
      deadlineMs: this.deadlineMs,
      send: (target) => this.send(target),
      withdraw: () => this.controller.request('FS'),
      openCommand: '$FS',
    });
    this.controller.on('status', this.onStatus);
    this.controller.on('uncommanded', this.onUncommanded);
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.controller.off('status', this.onStatus);
    this.controller.off('uncommanded', this.onUncommanded);
    this.commands.release();
  }

  private async send(target: RelayState): Promise<void> {
    const reply = await this.controller.request(target === 'closed' ? 'FE' : 'FS');
    if (!reply.ok) throw new HalError('FRAME_ERROR', this.id, 'controller refused the command');
    if (this.commands.pendingTarget) await this.controller.poll(); // read the outcome now, not at the next poll
  }

  private observe({ evseState }: RapiStatus): void {
    if (this.released) return;
    if (evseState === 0x08) this.faults.raise('RELAY_WELDED', 'OpenEVSE reports a stuck relay (state 08)');
    if (evseState === 0x0e) this.faults.raise('RELAY_STUCK', 'OpenEVSE reports a relay closure fault (state 0E)');
    else this.faults.clear('RELAY_STUCK');
    const now: RelayState = RELAY_CLOSED_STATES.has(evseState) ? 'closed' : 'open';
    if (now !== this.confirmed) {
      this.confirmed = now;
      this.emit('state', now);
    }
    this.commands.confirm(now);
  }
}
