/**
 * The device side of an Eastron SDM630 / SDM120 for the Modbus slave simulator: input registers
 * as IEEE-754 float32, high word first. Addresses are written out here from the datasheet on
 * purpose, not imported from the driver's register maps, so a wrong map fails the tests.
 * Energy is power integrated over the given clock (shared with the driver in tests).
 */
import type { Clock } from '../../clock.js';
import type { ModbusUnit } from './ModbusSlaveSim.js';

const NOMINAL_V = 230;

export class SdmMeterSim implements ModbusUnit {
  mode: ModbusUnit['mode'] = 'answer';
  corruptReplies = 0;
  /** When true, every float register reads NaN (a meter in a bad state, a wrong map). */
  invalid = false;
  private powerW = 0;
  private phasesUsed = 1;
  private energyKWh: number;
  private since: number;

  constructor(
    private readonly model: 'sdm630' | 'sdm120',
    private readonly clock: Clock,
    initialEnergyKWh = 1234.5,
  ) {
    this.energyKWh = initialEnergyKWh;
    this.since = clock.now();
  }

  /** `powerW` flows from now on, split evenly over `phasesUsed` phases. */
  setPower(powerW: number, phasesUsed = 1): void {
    this.integrate();
    this.powerW = powerW;
    this.phasesUsed = this.model === 'sdm120' ? 1 : Math.min(3, Math.max(1, phasesUsed));
  }

  inputRegisters(address: number, count: number): number[] {
    this.integrate();
    const values = this.values();
    const words: number[] = [];
    for (let a = address; a < address + count; a++) {
      const base = a - (a % 2);
      const f = values.get(base);
      const buf = Buffer.alloc(4);
      buf.writeFloatBE(this.invalid ? NaN : (f ?? 0));
      words.push(a % 2 === 0 ? buf.readUInt16BE(0) : buf.readUInt16BE(2));
    }
    return words;
  }

  private integrate(): void {
    const now = this.clock.now();
    this.energyKWh += (this.powerW * (now - this.since)) / 3_600_000 / 1000;
    this.since = now;
  }

  private values(): Map<number, number> {
    const phases = this.model === 'sdm630' ? 3 : 1;
    const perPhase = (i: number): number => (i < this.phasesUsed ? this.powerW / this.phasesUsed : 0);
    const m = new Map<number, number>();
    for (let i = 0; i < phases; i++) {
      m.set(0x00 + 2 * i, NOMINAL_V);
      m.set(0x06 + 2 * i, perPhase(i) / NOMINAL_V);
      m.set(0x0c + 2 * i, perPhase(i));
    }
    if (this.model === 'sdm630') m.set(0x34, this.powerW);
    m.set(0x46, 50);
    m.set(0x48, this.energyKWh);
    m.set(0x156, this.energyKWh);
    return m;
  }
}
