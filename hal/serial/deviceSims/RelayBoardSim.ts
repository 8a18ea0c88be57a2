/**
 * A Modbus relay board with a contactor behind it, as one {@link ModbusUnit} of a
 * {@link ModbusSlaveSim}: coils drive contactors, discrete input `n` is contactor `n`'s mirror
 * contact, which follows its coil after `actuationDelayMs` of clock time. Input `readyInput`
 * is the contactor driver's "ready" output (off while a defect is injected with {@link stick}).
 * Test support; written without the driver's code.
 */
import type { Clock, TimerId } from '../../clock.js';
import type { ModbusUnit } from './ModbusSlaveSim.js';

export class RelayBoardSim implements ModbusUnit {
  mode: 'answer' | 'silent' | 'bad-crc' = 'answer';
  readonly coilStates: boolean[];
  readonly contacts: boolean[];
  /** Coil writes received, in order: [coil, on]. */
  readonly writes: [number, boolean][] = [];
  private stuck = false;
  private welded = false;
  private readonly timers = new Map<number, TimerId>();

  constructor(
    private readonly clock: Clock,
    private readonly options: { channels?: number; actuationDelayMs?: number; readyInput?: number } = {},
  ) {
    const n = options.channels ?? 4;
    this.coilStates = new Array<boolean>(n).fill(false);
    this.contacts = new Array<boolean>(n).fill(false);
  }

  coils(address: number, count: number): boolean[] {
    return this.range(this.coilStates, address, count);
  }

  discreteInputs(address: number, count: number): boolean[] {
    const inputs = [...this.contacts];
    const ready = this.options.readyInput;
    if (ready !== undefined) inputs[ready] = !this.stuck;
    return this.range(inputs, address, count);
  }

  writeCoil(address: number, on: boolean): void {
    this.writes.push([address, on]);
    this.coilStates[address] = on;
    this.clock.clearTimeout(this.timers.get(address));
    this.timers.set(
      address,
      this.clock.setTimeout(() => this.follow(address), this.options.actuationDelayMs ?? 30),
    );
  }

  /** The contacts weld: closed contacts stay closed whatever the coil does. */
  weld(): void {
    this.welded = true;
  }

  /** The contacts no longer close, and the driver's ready output goes off. */
  stick(): void {
    this.stuck = true;
  }

  /** Someone else drives coil `address` on (a manual override, a second master, a shorted driver). */
  energize(address: number): void {
    this.coilStates[address] = true;
    this.clock.clearTimeout(this.timers.get(address));
    this.timers.set(
      address,
      this.clock.setTimeout(() => this.follow(address), this.options.actuationDelayMs ?? 30),
    );
  }

  /** The defects are fixed; contacts follow their coils again. */
  repair(): void {
    this.stuck = false;
    this.welded = false;
    this.coilStates.forEach((_, i) => this.follow(i));
  }

  private follow(address: number): void {
    const on = this.coilStates[address] === true;
    if (on && this.stuck) return;
    if (!on && this.welded && this.contacts[address]) return;
    this.contacts[address] = on;
  }

  private range(bits: boolean[], address: number, count: number): boolean[] {
    return Array.from({ length: count }, (_, i) => bits[address + i] === true);
  }
}
