/**
 * OpenEVSE heartbeat supervision (`$SY`), so that the board protects itself when the agent dies.
 *
 * Armed with `$SY seconds amps`, the board expects a pulse (`$SY`) at least every `seconds`; when
 * one is late it lowers its current offer to `amps` on its own, whatever happened to the process
 * or the serial line, and answers the next pulse with `$NK` until the missed pulse is acknowledged
 * with `$SY 165` (which restores its maximum current). The firmware cannot switch itself off this
 * way: its fallback is a current, and values below its minimum (6 A) are raised to it.
 */
import type { Clock, TimerId } from '../../clock.js';
import type { RapiController } from './RapiController.js';

/** The cookie the firmware wants to acknowledge a missed pulse (0xA5). */
export const RAPI_HEARTBEAT_ACK = 165;

export interface RapiHeartbeatSettings {
  /** Clock time between pulses, ms; 0 switches supervision off (the board is told `$SY 0 0`). */
  intervalMs: number;
  /** How much longer than one interval the board waits for a pulse before it falls back, ms. */
  graceMs: number;
  /** Current the board falls back to, A. */
  fallbackA: number;
}

export type RapiHeartbeatStatus = 'unarmed' | 'armed' | 'unsupported' | 'off';

export interface RapiHeartbeatOptions extends RapiHeartbeatSettings {
  clock: Clock;
  controller: RapiController;
  /**
   * Called once a missed pulse the board reported is acknowledged: the board now offers its
   * maximum, so the offer the agent wants must be set again (at once: this runs before the next
   * command is queued).
   */
  onMissedPulse: () => Promise<void>;
}

/**
 * Arms the board's supervision and pulses it on the clock.
 *
 * - `start()` arms it (`$SY s a` with s = ceil((intervalMs + graceMs) / 1000)); a board that
 *   answers `$NK` has no supervision compiled in: `unsupported`, nothing more is sent.
 * - Every `intervalMs` a pulse; a pulse answered `$NK` means the board fell back: it is
 *   acknowledged (`$SY 165`) and `onMissedPulse` re-applies the offer.
 * - A lost port makes it `unarmed`; it is armed again once the board answers (the board may have
 *   rebooted meanwhile). `stop()` stops pulsing but leaves the board armed: a stopped agent
 *   cannot enforce limits, so the board falls back — that is the point.
 */
export class RapiHeartbeat {
  /** Pulses sent, pulses the board reported missed, times it was armed. */
  readonly stats = { pulses: 0, missed: 0, armed: 0 };
  private readonly options: RapiHeartbeatOptions;
  private current: RapiHeartbeatStatus = 'unarmed';
  private timer: TimerId | undefined;
  private running = false;
  private readonly onLost = (): void => {
    if (this.current === 'armed') this.current = 'unarmed';
  };
  /** Armed again as soon as the port is back, not an interval later. */
  private readonly onRestored = (): void => {
    if (this.running && this.current === 'unarmed') void this.tick();
  };

  constructor(options: RapiHeartbeatOptions) {
    this.options = options;
    options.controller.on('lost', this.onLost);
    options.controller.on('restored', this.onRestored);
  }

  get status(): RapiHeartbeatStatus {
    return this.current;
  }

  /** The supervision time the board is given, whole seconds. */
  get boardIntervalS(): number {
    const { intervalMs, graceMs } = this.options;
    return intervalMs === 0 ? 0 : Math.min(65535, Math.ceil((intervalMs + graceMs) / 1000));
  }

  /** Arms the board (or disarms it, interval 0) and starts pulsing. Never throws. */
  async start(): Promise<void> {
    this.running = true;
    await this.arm();
    this.schedule();
  }

  stop(): void {
    this.running = false;
    this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.options.controller.off('lost', this.onLost);
    this.options.controller.off('restored', this.onRestored);
  }

  private schedule(): void {
    this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.running || this.current === 'off' || this.current === 'unsupported') return;
    this.timer = this.options.clock.setTimeout(() => void this.tick(), this.options.intervalMs);
  }

  private async tick(): Promise<void> {
    if (this.current === 'unarmed') await this.arm();
    else await this.pulse();
    this.schedule();
  }

  private async arm(): Promise<void> {
    const { controller, fallbackA, intervalMs } = this.options;
    if (!controller.link.isOpen) return;
    try {
      const reply = await controller.request('SY', [this.boardIntervalS, intervalMs === 0 ? 0 : fallbackA]);
      if (!reply.ok) this.current = 'unsupported';
      else if (intervalMs === 0) this.current = 'off';
      else {
        this.current = 'armed';
        this.stats.armed++;
      }
    } catch {
      // no answer: still unarmed, tried again at the next tick
    }
  }

  private async pulse(): Promise<void> {
    const { controller, onMissedPulse } = this.options;
    if (!controller.link.isOpen) return;
    try {
      this.stats.pulses++;
      const reply = await controller.request('SY');
      if (reply.ok) return;
      this.stats.missed++;
      await controller.request('SY', [RAPI_HEARTBEAT_ACK]);
      await onMissedPulse();
    } catch {
      // a pulse without an answer: the next one follows on time; the board's grace covers a few
    }
  }
}
