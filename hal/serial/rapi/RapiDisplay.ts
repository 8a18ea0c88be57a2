/**
 * The 16x2 LCD of an OpenEVSE controller as a {@link Display}, written over RAPI on the
 * controller's link (one port, one request queue with the pilot and contactor views).
 *
 * - Each row is one `$FP 0 <row> <text>` with the text padded to 16 characters (so the old text is
 *   overwritten) and every space sent as 0xEF: the firmware splits commands at spaces (at most 10
 *   tokens) and its LCD code turns 0xEF back into a space. `$`, `^` and `*` would end or corrupt the
 *   command on the board and are sent as `?`. A full row with sequence id and checksum is 31
 *   characters: exactly what the firmware's 32-byte command buffer takes (a longer line is dropped
 *   without an answer). Only rows that changed are written.
 * - The tone sets the backlight (`$FB`): fault red, warning yellow, charging teal, action green,
 *   info white; a monochrome board answers `$NK`, which is ignored.
 * - At the first write the board's own screen updates are switched off (`$F0 0`), so its status
 *   screen does not overwrite ours. Firmware without `$F0` answers `$NK`: then the rows are written
 *   again after every state change the board reports (it redraws its own screen then).
 * - A lost port is PORT_LOST; a write the board does not answer (or refuses: no LCD compiled in) is
 *   DISPLAY_FAULT. Once the port is back, or the board answers its next poll, or after it announced
 *   a reboot (`$AB`), the last content is written again, and the fault clears once it is confirmed.
 */
import { EventEmitter } from 'node:events';
import { HalError, type HalErrorCode } from '../../errors.js';
import { FaultLatch } from '../../FaultLatch.js';
import { displayMisfit, type Display, type DisplayContent, type DisplayEvents, type DisplayTone } from '../../index.js';
import type { RapiController } from './RapiController.js';

/** What the firmware's LCD code turns back into a space. */
export const RAPI_LCD_SPACE = 0xef;
export const RAPI_LCD_WIDTH = 16;
export const RAPI_LCD_HEIGHT = 2;

/** `$FB` backlight colours (RGB LCD) per tone. */
export const RAPI_BACKLIGHT: Readonly<Record<DisplayTone, number>> = { fault: 1, warning: 3, charging: 6, action: 2, info: 7 };

/** One row as the `$FP` text parameter: padded to the width, spaces as 0xEF, command characters replaced. */
export function encodeLcdRow(text: string): string {
  return [...text.padEnd(RAPI_LCD_WIDTH)].map((c) => (c === ' ' ? String.fromCharCode(RAPI_LCD_SPACE) : '$^*'.includes(c) ? '?' : c)).join('');
}

export interface RapiDisplayOptions {
  /** Device name, e.g. `display:1`. */
  id: string;
  controller: RapiController;
  /** Connectors this board's LCD stands at (default: the whole charger). */
  connectors?: readonly number[];
}

export class RapiDisplay extends EventEmitter<DisplayEvents> implements Display {
  readonly id: string;
  readonly width = RAPI_LCD_WIDTH;
  readonly height = RAPI_LCD_HEIGHT;
  readonly charset = 'ascii' as const;
  readonly showsQr = false;
  readonly connectors: readonly number[];
  private readonly controller: RapiController;
  private readonly faults: FaultLatch;
  private wanted: DisplayContent | undefined;
  /** The rows and backlight the board confirmed (undefined: unknown, e.g. after a reboot). */
  private rows: (string | undefined)[] = [undefined, undefined];
  private backlight: number | undefined;
  /** Whether the board stopped drawing its own screen (`$F0 0`); undefined: not asked yet. */
  private ownScreenOff: boolean | undefined;
  private drawing: Promise<void> = Promise.resolve();
  private released = false;

  private readonly onLost = (e: HalError): void => {
    this.forget();
    this.faults.raise('PORT_LOST', e.message);
  };
  private readonly onRestored = (): void => void this.redraw();
  private readonly onBoot = (): void => {
    this.forget();
    this.ownScreenOff = undefined;
    void this.redraw();
  };
  private readonly onStatus = (): void => {
    // Firmware that kept drawing its own screen may have drawn over ours (at a state change, and
    // every second while charging): what the rows show is unknown, write them again.
    if (this.ownScreenOff === false) {
      this.forget();
      void this.redraw();
    } else if (this.faults.active.has('DISPLAY_FAULT')) void this.redraw(); // the board answers again
  };

  constructor(options: RapiDisplayOptions) {
    super();
    this.id = options.id;
    this.controller = options.controller;
    this.connectors = options.connectors ?? [];
    this.faults = new FaultLatch(this.id, this);
    this.controller.on('lost', this.onLost);
    this.controller.on('restored', this.onRestored);
    this.controller.on('boot', this.onBoot);
    this.controller.on('status', this.onStatus);
  }

  get activeFaults(): ReadonlySet<HalErrorCode> {
    return this.faults.active;
  }

  get content(): DisplayContent | undefined {
    return this.wanted;
  }

  show(content: DisplayContent): Promise<void> {
    if (this.released) return Promise.reject(new HalError('DEVICE_CLOSED', this.id));
    const misfit = displayMisfit(this, content);
    if (misfit) return Promise.reject(new HalError('INVALID_ARGUMENT', this.id, misfit));
    this.wanted = content;
    if (!this.controller.link.isOpen) return Promise.reject(new HalError('PORT_LOST', this.id, 'shown once the port is back'));
    return this.redraw(true);
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.controller.off('lost', this.onLost);
    this.controller.off('restored', this.onRestored);
    this.controller.off('boot', this.onBoot);
    this.controller.off('status', this.onStatus);
  }

  private forget(): void {
    this.rows = [undefined, undefined];
    this.backlight = undefined;
  }

  /** Writes the wanted content (one draw at a time); `report`: reject with the failure instead of only raising it. */
  private redraw(report = false): Promise<void> {
    const run = this.drawing.then(() => this.draw());
    this.drawing = run.catch(() => undefined);
    return report ? run : this.drawing;
  }

  private async draw(): Promise<void> {
    const content = this.wanted;
    if (!content || this.released) return;
    try {
      if (this.ownScreenOff === undefined) this.ownScreenOff = (await this.controller.request('F0', [0])).ok;
      for (let row = 0; row < this.height; row++) {
        const text = encodeLcdRow(content.lines[row] ?? '');
        if (this.rows[row] === text) continue;
        const reply = await this.controller.request('FP', [0, row, text]);
        if (!reply.ok) throw new HalError('DISPLAY_FAULT', this.id, 'the controller refused $FP (firmware without LCD?)');
        this.rows[row] = text;
      }
      const colour = RAPI_BACKLIGHT[content.tone];
      if (this.backlight !== colour) {
        await this.controller.request('FB', [colour]); // $NK: a monochrome backlight, nothing to do
        this.backlight = colour;
      }
    } catch (err) {
      // A lost port is reported by onLost; a write without an answer is the display's own fault.
      const lost = err instanceof HalError && (err.code === 'PORT_LOST' || err.code === 'DEVICE_CLOSED');
      if (lost) throw err;
      this.forget();
      const detail = err instanceof HalError && err.code === 'DISPLAY_FAULT' ? err.message : `the controller did not answer (${String(err instanceof Error ? err.message : err)})`;
      throw this.faults.raise('DISPLAY_FAULT', detail);
    }
    if (this.wanted !== content) return; // a newer content is queued behind this draw
    this.emit('shown', content);
    this.faults.clear('DISPLAY_FAULT');
    this.faults.clear('PORT_LOST');
  }
}
