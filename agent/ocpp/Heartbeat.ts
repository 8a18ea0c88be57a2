/**
 * The heartbeat timer of one link: every HeartbeatInterval seconds of the injected clock while
 * registration is Accepted. A steady cadence: the next beat is armed when one is due, not when its
 * answer arrives. One clock timer per link, on the shared timer queue.
 */
import type { Clock, TimerId } from '../../hal/clock.js';
import type { OcppConfiguration } from '../store/OcppConfiguration.js';

export class Heartbeat {
  private timer: TimerId | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly config: OcppConfiguration,
    private readonly beat: () => void,
  ) {}

  get running(): boolean {
    return this.timer !== undefined;
  }

  /** (Re)arms from now, so a changed HeartbeatInterval takes effect at once; 0 turns it off. */
  start(): void {
    this.stop();
    const seconds = this.config.getInt('HeartbeatInterval');
    if (seconds > 0) this.timer = this.clock.setTimeout(this.due, seconds * 1000);
  }

  stop(): void {
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private readonly due = (): void => {
    this.timer = undefined;
    this.start();
    this.beat();
  };
}
