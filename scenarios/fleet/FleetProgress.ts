/**
 * Live progress of `evse fleet` on stderr: a cli-progress bar (chargers started of planned, with
 * connected, accepted, transactions, messages/s, CallErrors, reconnects) redrawn every second on a
 * TTY, or one plain line every `intervalS` seconds otherwise (logs, CI).
 */
import { SingleBar } from 'cli-progress';
import type { FleetReport } from './FleetMetrics.js';
import { progressFigures, progressLine } from './formatReport.js';

export interface FleetProgressOptions {
  report: () => FleetReport;
  /** Seconds between plain lines (the bar redraws every second). */
  intervalS: number;
  stream?: NodeJS.WriteStream;
  /** Force the bar (true) or plain lines (false); default: the stream is a TTY. */
  tty?: boolean;
}

export class FleetProgress {
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly bar: SingleBar | undefined;
  private previous = { at: Date.now(), messages: 0 };

  constructor(private readonly o: FleetProgressOptions) {
    const stream = o.stream ?? process.stderr;
    if (o.tty ?? stream.isTTY === true) {
      this.bar = new SingleBar({
        stream,
        format: 'fleet |{bar}| {value}/{total} started  connected {connected}  accepted {accepted}  tx {tx}  msg/s {rate}  callErrors {errors}  reconnects {reconnects}',
        barsize: 24,
        hideCursor: true,
        clearOnComplete: false,
        stopOnComplete: false,
        noTTYOutput: false,
      });
      const r = o.report();
      this.bar.start(Math.max(1, r.chargers.planned), r.chargers.started, this.payload());
    }
    this.timer = setInterval(() => this.tick(), (this.bar ? 1 : o.intervalS) * 1000);
  }

  private payload(r?: FleetReport) {
    if (!r) return { connected: 0, accepted: 0, tx: '0/0', rate: 0, errors: 0, reconnects: 0 };
    const { rate, callErrors, messages } = progressFigures(r, this.previous);
    this.previous = { at: Date.parse(r.endedAt), messages };
    return { connected: r.chargers.connected, accepted: r.chargers.accepted, tx: `${r.transactions.started}/${r.transactions.stopped}`, rate: rate.toFixed(0), errors: callErrors, reconnects: r.reconnects };
  }

  private tick(): void {
    const r = this.o.report();
    if (this.bar) {
      this.bar.setTotal(Math.max(1, r.chargers.planned));
      this.bar.update(r.chargers.started, this.payload(r));
    } else {
      (this.o.stream ?? process.stderr).write(`${progressLine(r, this.previous)}\n`);
      this.previous = { at: Date.parse(r.endedAt), messages: r.messages.out + r.messages.in };
    }
  }

  /** Stops redrawing (the bar stays on screen with its last figures). */
  stop(): void {
    clearInterval(this.timer);
    this.bar?.stop();
  }
}
