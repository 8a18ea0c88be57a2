/**
 * Turns a HAL meter reading into OCPP 1.6 sampled values for the configured measurands
 * (MeterValuesSampledData, MeterValuesAlignedData, StopTxnSampledData, …).
 */
import type { MeterReading } from '../../hal/index.js';
import type { MeterValuesRequest } from '../ocpp/v16/messages.js';

export type MeterValue = MeterValuesRequest['meterValue'][number];
export type SampledValue = MeterValue['sampledValue'][number];
export type ReadingContext = NonNullable<SampledValue['context']>;
export type Measurand = NonNullable<SampledValue['measurand']>;

const PHASES = ['L1', 'L2', 'L3'] as const;
const PHASES_TO_NEUTRAL = ['L1-N', 'L2-N', 'L3-N'] as const;

/** Measurands this agent can take from a HAL energy meter. */
export const METER_MEASURANDS: readonly Measurand[] = [
  'Energy.Active.Import.Register',
  'Power.Active.Import',
  'Current.Import',
  'Voltage',
  'Frequency',
];

/** OCPP renders numbers as strings; keep a fixed, readable precision per unit. */
function fmt(value: number, decimals: number): string {
  return value.toFixed(decimals);
}

/**
 * Sampled values of `reading` for each measurand in `measurands` (unknown ones are skipped:
 * the configuration store only accepts supported measurands). Per-phase measurands produce one
 * value per wired phase.
 */
export function sampledValues(reading: MeterReading, measurands: readonly string[], context: ReadingContext): SampledValue[] {
  const out: SampledValue[] = [];
  for (const m of measurands) {
    switch (m) {
      case 'Energy.Active.Import.Register':
        out.push({ value: fmt(reading.energyWh, 0), context, measurand: m, location: 'Outlet', unit: 'Wh' });
        break;
      case 'Power.Active.Import':
        out.push({ value: fmt(reading.powerW, 0), context, measurand: m, location: 'Outlet', unit: 'W' });
        break;
      case 'Current.Import':
        reading.currentA.forEach((a, i) =>
          out.push({ value: fmt(a, 2), context, measurand: m, phase: PHASES[i], location: 'Outlet', unit: 'A' }),
        );
        break;
      case 'Voltage':
        reading.voltageV.forEach((v, i) =>
          out.push({ value: fmt(v, 1), context, measurand: m, phase: PHASES_TO_NEUTRAL[i], location: 'Outlet', unit: 'V' }),
        );
        break;
      case 'Frequency':
        out.push({ value: fmt(reading.frequencyHz, 2), context, measurand: m, location: 'Outlet' });
        break;
      default:
        break;
    }
  }
  return out;
}

/** One MeterValue element, stamped with the reading's own clock time. */
export function meterValue(reading: MeterReading, measurands: readonly string[], context: ReadingContext): MeterValue {
  return { timestamp: new Date(reading.timestamp).toISOString(), sampledValue: sampledValues(reading, measurands, context) };
}

/** Integer Wh for meterStart/meterStop (the register never goes backwards, so round down). */
export function meterRegisterWh(reading: MeterReading): number {
  return Math.floor(reading.energyWh);
}

/** The energy register alone, as a sampled value (what survives a restart of a transaction's begin sample). */
export function registerValue(wh: number, context: ReadingContext): SampledValue {
  return { value: fmt(wh, 0), context, measurand: 'Energy.Active.Import.Register', location: 'Outlet', unit: 'Wh' };
}
