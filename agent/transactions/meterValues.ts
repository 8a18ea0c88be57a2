/**
 * Turns a HAL meter reading, and what the charger knows beside it (its current offer, the EV's
 * SoC, the energy since the previous sample), into OCPP 1.6 sampled values for the configured
 * measurands (MeterValuesSampledData, MeterValuesAlignedData, StopTxnSampledData, …).
 */
import type { ChargerHardware, MeterReading } from '../../hal/index.js';
import type { MeterValuesRequest } from '../ocpp16/messages.js';

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

/** What a sample knows beside the meter reading. */
export interface SampleExtras {
  /** Current offered to the EV over the pilot, A per phase (0: none). */
  offeredA: number;
  /** The EV's state of charge, percent, where the hardware hears it. */
  socPercent: number | undefined;
  /** Energy since the previous sample of the same kind, Wh; undefined when there is none. */
  intervalWh: number | undefined;
  /** The EVSE's temperature, °C, where a sensor reads it (its last reading). */
  temperatureC?: number | undefined;
}

/** The sets {@link measurandsUnavailableOn} answers, shared by every charger: [SoC missing][Temperature missing]. */
const UNAVAILABLE: readonly (readonly ReadonlySet<string>[])[] = [
  [new Set(), new Set(['Temperature'])],
  [new Set(['SoC']), new Set(['SoC', 'Temperature'])],
];

/**
 * Measurands this charger's hardware cannot supply: SoC unless every connector hears it from the
 * vehicle, Temperature unless every connector has a temperature sensor — and never under OCPP
 * 2.0.1, whose measurands have no Temperature (the device model's TemperatureSensor.Temperature
 * stands for it there). (Meter values, the offer and the interval energy every charger has.) A shared set.
 */
export function measurandsUnavailableOn(hardware: ChargerHardware, ocppVersion: string = '1.6'): ReadonlySet<string> {
  const noSoc = !hardware.connectors.every((c) => c.vehicle !== undefined);
  const noTemperature = ocppVersion === '2.0.1' || !hardware.connectors.every((c) => c.temperature !== undefined);
  return UNAVAILABLE[Number(noSoc)]![Number(noTemperature)]!;
}

/** OCPP renders numbers as strings; keep a fixed, readable precision per unit. */
function fmt(value: number, decimals: number): string {
  return value.toFixed(decimals);
}

/**
 * Sampled values of `reading` for each measurand in `measurands`. Per-phase measurands produce one
 * value per wired phase. A measurand that cannot be supplied now (no `extras`, no SoC reported, no
 * previous sample for an interval) is left out: the result may be empty, and callers then send nothing.
 */
export function sampledValues(reading: MeterReading, measurands: readonly string[], context: ReadingContext, extras?: SampleExtras): SampledValue[] {
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
      case 'Energy.Active.Import.Interval':
        if (extras?.intervalWh !== undefined) out.push({ value: fmt(extras.intervalWh, 0), context, measurand: m, location: 'Outlet', unit: 'Wh' });
        break;
      case 'Current.Offered':
        if (extras) out.push({ value: fmt(extras.offeredA, 1), context, measurand: m, location: 'Outlet', unit: 'A' });
        break;
      case 'Power.Offered':
        // The offer applies per phase: the power it allows is that current at each phase's voltage.
        if (extras) out.push({ value: fmt(extras.offeredA * reading.voltageV.reduce((a, v) => a + v, 0), 0), context, measurand: m, location: 'Outlet', unit: 'W' });
        break;
      case 'Temperature':
        // Inside the charger's enclosure (the EVSE's sensor, its last reading).
        if (extras?.temperatureC !== undefined) out.push({ value: fmt(extras.temperatureC, 1), context, measurand: m, location: 'Body', unit: 'Celsius' });
        break;
      case 'SoC':
        if (extras?.socPercent !== undefined) out.push({ value: fmt(extras.socPercent, 1), context, measurand: m, location: 'EV', unit: 'Percent' });
        break;
      default:
        break;
    }
  }
  return out;
}

/** One MeterValue element, stamped with the reading's own clock time; undefined when it would carry no value. */
export function meterValue(reading: MeterReading, measurands: readonly string[], context: ReadingContext, extras?: SampleExtras): MeterValue | undefined {
  const sampledValue = sampledValues(reading, measurands, context, extras);
  return sampledValue.length > 0 ? { timestamp: new Date(reading.timestamp).toISOString(), sampledValue } : undefined;
}

/** Integer Wh for meterStart/meterStop (the register never goes backwards, so round down). */
export function meterRegisterWh(reading: MeterReading): number {
  return Math.floor(reading.energyWh);
}

/** The energy register alone, as a sampled value (what survives a restart of a transaction's begin sample). */
export function registerValue(wh: number, context: ReadingContext): SampledValue {
  return { value: fmt(wh, 0), context, measurand: 'Energy.Active.Import.Register', location: 'Outlet', unit: 'Wh' };
}
