import type { MeterRegisterMap } from './RegisterMap.js';

/**
 * Eastron SDM120 (single-phase), input registers, float32 high word first. Total power is the
 * one phase's active power (0x0C). Factory baud rate is 2400 on the SDM120-Modbus; set it to
 * match the meter's menu.
 */
export const SDM120: MeterRegisterMap = Object.freeze({
  model: 'sdm120',
  phases: 1,
  voltageV: [0x00],
  currentA: [0x06],
  powerW: 0x0c,
  frequencyHz: 0x46,
  importEnergyKWh: 0x48,
  maxRegistersPerRead: 40,
  defaultBaudRate: 2400,
});
