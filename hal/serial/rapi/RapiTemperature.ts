/**
 * The temperature sensors of an OpenEVSE controller as a {@link TemperatureSensor}, read over RAPI
 * on the controller's link (`$GP`, firmware v1.0.3 and later).
 *
 * - `$GP` answers `$OK ds3231 mcp9808 tmp007`: the RTC's, the ambient sensor's and the infrared
 *   sensor's temperature in tenths of °C. A sensor that is not fitted reads -2560; firmware before
 *   that convention reads 0 for it, so readings that are all 0 count as "none fitted" (a lone
 *   sensor at exactly 0.0 °C then reads as unknown). The value is the hottest fitted sensor's: the
 *   hottest spot is what an over-temperature watch is about.
 * - None fitted, `$NK` (firmware without `$GP`), no answer or a lost port: `read()` rejects
 *   (TEMPERATURE_UNAVAILABLE, FRAME_ERROR or PORT_LOST) and nothing is known until a good reading.
 *   Not a fault of its own: the board reports its own over-temperature cut-off (EVSE state 0A, the
 *   pilot's HIGH_TEMPERATURE) and a lost board through the pilot.
 * - It reads the board every `pollIntervalMs` of the controller's clock while the port is open
 *   (the OpenEVSE WiFi firmware reads temperatures every 30 s too), and at once when the port is back.
 */
import { EventEmitter } from 'node:events';
import type { TimerId } from '../../clock.js';
import { HalError, NO_FAULTS, type HalErrorCode } from '../../errors.js';
import type { TemperatureEvents, TemperatureSensor } from '../../index.js';
import type { RapiController } from './RapiController.js';

/** What `$GP` reports for a sensor that is not fitted, tenths of °C. */
export const RAPI_NO_SENSOR = -2560;

export interface RapiTemperatureOptions {
  /** Device name, e.g. `temperature:1`. */
  id: string;
  controller: RapiController;
  /** Clock time between reads, ms (default 30,000). */
  pollIntervalMs?: number;
}

/** °C of the hottest fitted sensor in a `$GP` reply's parameters; undefined when none is fitted or the reply is not one. */
export function hottestSensor(params: readonly string[]): number | undefined {
  const tenths = params.slice(0, 3).map((p) => (/^-?\d+$/.test(p) ? Number(p) : NaN));
  if (tenths.length === 0 || tenths.some((t) => Number.isNaN(t))) return undefined;
  const fitted = tenths.filter((t) => t !== RAPI_NO_SENSOR);
  if (fitted.length === 0 || fitted.every((t) => t === 0)) return undefined;
  return Math.max(...fitted) / 10;
}

export class RapiTemperature extends EventEmitter<TemperatureEvents> implements TemperatureSensor {
  readonly id: string;
  private readonly controller: RapiController;
  private readonly pollIntervalMs: number;
  private known: number | undefined;
  private timer: TimerId | undefined;
  private released = false;
  private readonly onLost = (): void => {
    this.known = undefined;
  };
  private readonly onRestored = (): void => {
    void this.poll();
  };

  constructor(options: RapiTemperatureOptions) {
    super();
    this.id = options.id;
    this.controller = options.controller;
    this.pollIntervalMs = options.pollIntervalMs ?? 30_000;
    this.controller.on('lost', this.onLost);
    this.controller.on('restored', this.onRestored);
    this.schedule(0);
  }

  get activeFaults(): ReadonlySet<HalErrorCode> {
    return NO_FAULTS;
  }

  get lastCelsius(): number | undefined {
    return this.known;
  }

  async read(): Promise<number> {
    if (this.released) throw new HalError('DEVICE_CLOSED', this.id);
    try {
      const reply = await this.controller.request('GP');
      const celsius = reply.ok ? hottestSensor(reply.params) : undefined;
      if (celsius === undefined) throw new HalError('TEMPERATURE_UNAVAILABLE', this.id, reply.ok ? `no sensor fitted ($GP ${reply.params.join(' ')})` : 'the board does not know $GP');
      if (this.released) throw new HalError('DEVICE_CLOSED', this.id);
      this.known = celsius;
      this.emit('reading', celsius);
      return celsius;
    } catch (err) {
      this.known = undefined;
      throw err instanceof HalError ? err : new HalError('TEMPERATURE_UNAVAILABLE', this.id, String(err));
    }
  }

  release(): Promise<void> {
    this.released = true;
    this.controller.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.controller.off('lost', this.onLost);
    this.controller.off('restored', this.onRestored);
    return Promise.resolve();
  }

  private schedule(delayMs: number): void {
    this.controller.clock.clearTimeout(this.timer);
    this.timer = this.released ? undefined : this.controller.clock.setTimeout(() => void this.poll(), delayMs);
  }

  private async poll(): Promise<void> {
    this.timer = undefined;
    if (this.released) return;
    const open = this.controller.link.isOpen;
    if (open) await this.read().catch(() => undefined); // unknown until the next good reading
    // A port not open yet (start-up): looked at again within a second, not a whole interval later.
    this.schedule(open ? this.pollIntervalMs : Math.min(1000, this.pollIntervalMs));
  }
}
