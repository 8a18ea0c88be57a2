import { HAL_ERRORS, HalError, type HalErrorCode } from './errors.js';

/**
 * The active faults of one simulated device, enforcing the HAL rule that `fault` is emitted once
 * per code until a `faultCleared` for that code, and that only recoverable faults clear.
 *
 * The device passes its own typed `emit` calls in, so the latch needs no access to the emitter's
 * event map (a generic base class over `EventEmitter<E>` cannot call `emit('fault')` type-safely).
 */
export class FaultLatch {
  readonly active = new Set<HalErrorCode>();

  constructor(
    private readonly device: string,
    private readonly onFault: (error: HalError) => void,
    private readonly onCleared: (code: HalErrorCode) => void,
  ) {}

  /**
   * Makes `code` active and returns the error to reject a command with. `fault` is emitted only
   * when the code was not active yet, so a failing command repeated does not repeat the event.
   */
  raise(code: HalErrorCode, detail?: string): HalError {
    const error = new HalError(code, this.device, detail);
    if (!this.active.has(code)) {
      this.active.add(code);
      this.onFault(error);
    }
    return error;
  }

  /**
   * Clears `code` if it is active and recoverable, emitting `faultCleared`. A non-recoverable
   * fault (a welded contactor) stays latched: it needs a technician, i.e. a new device.
   */
  clear(code: HalErrorCode): void {
    if (!this.active.has(code) || !HAL_ERRORS[code].recoverable) return;
    this.active.delete(code);
    this.onCleared(code);
  }

  /** The first active code, if any (the one a refused command reports). */
  first(): HalErrorCode | undefined {
    for (const code of this.active) return code;
    return undefined;
  }
}
