/**
 * The HAL error catalogue. Every failure a device reports carries one of these codes, so the agent
 * can decide what to do (open the contactor, report an OCPP errorCode, retry) without parsing
 * messages. `recoverable` says whether the fault can clear by itself (the device answers again)
 * or needs a technician (a welded contactor).
 */
export const HAL_ERRORS = {
  RELAY_WELDED: { recoverable: false, ocpp: 'PowerSwitchFailure', text: 'contactor welded: still closed after an open command' },
  RELAY_STUCK: { recoverable: true, ocpp: 'PowerSwitchFailure', text: 'contactor did not confirm closing within its deadline' },
  // Commanded off again at once by whoever saw it; clears once the output is confirmed off.
  UNCOMMANDED_POWER: { recoverable: true, ocpp: 'PowerSwitchFailure', text: 'power flows that the agent did not command' },
  RELAY_FEEDBACK_LOST: { recoverable: true, ocpp: 'PowerSwitchFailure', text: 'contactor feedback contact does not answer' },
  METER_TIMEOUT: { recoverable: true, ocpp: 'PowerMeterFailure', text: 'energy meter does not answer' },
  METER_INVALID: { recoverable: true, ocpp: 'PowerMeterFailure', text: 'energy meter returned implausible values' },
  RFID_FAULT: { recoverable: true, ocpp: 'ReaderFailure', text: 'RFID reader does not answer or sends garbage' },
  PILOT_FAULT: { recoverable: true, ocpp: 'OtherError', text: 'control pilot in error state (E/F) or invalid reading' },
  PILOT_DIODE: { recoverable: true, ocpp: 'OtherError', text: 'vehicle diode check failed' },
  GROUND_FAULT: { recoverable: true, ocpp: 'GroundFailure', text: 'ground fault / residual current detected' },
  OVER_CURRENT: { recoverable: true, ocpp: 'OverCurrentFailure', text: 'vehicle draws more current than offered' },
  OVER_VOLTAGE: { recoverable: true, ocpp: 'OverVoltage', text: 'supply voltage above limit' },
  UNDER_VOLTAGE: { recoverable: true, ocpp: 'UnderVoltage', text: 'supply voltage below limit' },
  HIGH_TEMPERATURE: { recoverable: true, ocpp: 'HighTemperature', text: 'over-temperature' },
  // A TemperatureSensor's read() that got no value; not a fault of the connector (the board keeps its own cut-off).
  TEMPERATURE_UNAVAILABLE: { recoverable: true, ocpp: 'OtherError', text: 'no temperature reading (sensor not fitted or not answering)' },
  LOCK_FAILURE: { recoverable: true, ocpp: 'ConnectorLockFailure', text: 'connector lock did not reach the commanded position' },
  // Raised by the agent on every connector while the cabinet is open or the charger moved (TamperSensor).
  TAMPER_DETECTED: { recoverable: true, ocpp: 'OtherError', text: 'cabinet opened or charger moved (tamper switch)' },
  TAMPER_SENSOR_LOST: { recoverable: true, ocpp: 'OtherError', text: 'tamper switch input does not answer' },
  DISPLAY_FAULT: { recoverable: true, ocpp: 'OtherError', text: 'display does not answer or cannot show text' },
  STORAGE_FAULT: { recoverable: true, ocpp: 'OtherError', text: 'data storage full, read-only or failing' },
  PORT_LOST: { recoverable: true, ocpp: 'OtherError', text: 'serial port closed or vanished' },
  PORT_OPEN_FAILED: { recoverable: true, ocpp: 'OtherError', text: 'serial port could not be opened' },
  FRAME_ERROR: { recoverable: true, ocpp: 'OtherError', text: 'malformed frame from device' },
  DEVICE_CLOSED: { recoverable: false, ocpp: 'OtherError', text: 'device used after close()' },
  INVALID_ARGUMENT: { recoverable: false, ocpp: 'InternalError', text: 'invalid argument to a device command' },
} as const;

export type HalErrorCode = keyof typeof HAL_ERRORS;

/** The `activeFaults` of a device without faults, shared: a device costs no Set of its own until a fault. */
export const NO_FAULTS: ReadonlySet<HalErrorCode> = new Set();

/** OCPP 1.6 ChargePointErrorCode values a HAL fault maps to. */
export type OcppFaultCode = (typeof HAL_ERRORS)[HalErrorCode]['ocpp'];

/** An error raised or emitted by a HAL device. */
export class HalError extends Error {
  readonly code: HalErrorCode;
  readonly recoverable: boolean;
  /** Which device reported it, e.g. `relay:1`, `meter:1`, `rfid:0`. */
  readonly device: string;

  constructor(code: HalErrorCode, device: string, detail?: string, options?: { cause?: unknown }) {
    const base = HAL_ERRORS[code].text;
    super(detail ? `${device}: ${base} (${detail})` : `${device}: ${base}`, options);
    this.name = 'HalError';
    this.code = code;
    this.recoverable = HAL_ERRORS[code].recoverable;
    this.device = device;
  }

  /** The OCPP 1.6 StatusNotification errorCode for this fault. */
  get ocppErrorCode(): OcppFaultCode {
    return HAL_ERRORS[this.code].ocpp;
  }
}

export function isHalError(err: unknown): err is HalError {
  return err instanceof HalError;
}
