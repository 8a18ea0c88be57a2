import type { MeterRegisterMap } from './RegisterMap.js';

/** Eastron SDM630 (three-phase), input registers, float32 high word first. */
export const SDM630: MeterRegisterMap = Object.freeze({
  model: 'sdm630',
  phases: 3,
  voltageV: [0x00, 0x02, 0x04],
  currentA: [0x06, 0x08, 0x0a],
  powerW: 0x34,
  frequencyHz: 0x46,
  importEnergyKWh: 0x48,
  maxRegistersPerRead: 40,
  defaultBaudRate: 9600,
});
