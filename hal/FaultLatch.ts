import { HAL_ERRORS, HalError, NO_FAULTS, type HalErrorCode } from './errors.js';

/**
 * The active faults of one simulated device, enforcing the HAL rule that `fault` is emitted once
 * per code until a `faultCleared` for that code, and that only recoverable faults clear.
 *
 * The device passes itself in as the {@link FaultSink}; the Set of active codes exists only once a
 * fault was raised (10,000 simulated chargers have 50,000 latches, nearly all of them empty).
 */
/** What a latch reports to: the device itself (its typed `emit`). */
export interface FaultSink {
  emit(event: 'fault', error: HalError): boolean;
  emit(event: 'faultCleared', code: HalErrorCode): boolean;
}

export class FaultLatch {
  private codes: Set<HalErrorCode> | undefined;
  private readonly sink: FaultSink | undefined;
  private readonly onFault: ((error: HalError) => void) | undefined;
  private readonly onCleared: ((code: HalErrorCode) => void) | undefined;

  /** Reports to the device itself (no closures), or to two callbacks. */
  constructor(device: string, sink: FaultSink);
  constructor(device: string, onFault: (error: HalError) => void, onCleared: (code: HalErrorCode) => void);
  constructor(
    private readonly device: string,
    sinkOrOnFault: FaultSink | ((error: HalError) => void),
    onCleared?: (code: HalErrorCode) => void,
  ) {
    if (typeof sinkOrOnFault === 'function') {
      this.onFault = sinkOrOnFault;
      this.onCleared = onCleared;
    } else this.sink = sinkOrOnFault;
  }

  /** The active fault codes (a live view; read-only). */
  get active(): ReadonlySet<HalErrorCode> {
    return this.codes ?? NO_FAULTS;
  }

  /**
   * Makes `code` active and returns the error to reject a command with. `fault` is emitted only
   * when the code was not active yet, so a failing command repeated does not repeat the event.
   */
  raise(code: HalErrorCode, detail?: string): HalError {
    const error = new HalError(code, this.device, detail);
    this.codes ??= new Set();
    if (!this.codes.has(code)) {
      this.codes.add(code);
      if (this.sink) this.sink.emit('fault', error);
      else this.onFault?.(error);
    }
    return error;
  }

  /**
   * Clears `code` if it is active and recoverable, emitting `faultCleared`. A non-recoverable
   * fault (a welded contactor) stays latched: it needs a technician, i.e. a new device.
   */
  clear(code: HalErrorCode): void {
    if (!this.codes?.has(code) || !HAL_ERRORS[code].recoverable) return;
    this.codes.delete(code);
    if (this.sink) this.sink.emit('faultCleared', code);
    else this.onCleared?.(code);
  }

  /** The first active code, if any (the one a refused command reports). */
  first(): HalErrorCode | undefined {
    for (const code of this.active) return code;
    return undefined;
  }
}
