/**
 * An energy meter read over Modbus RTU from a register map (SDM630, SDM120, or any map of the
 * same shape). Implements the {@link EnergyMeter} contract of hal/index.ts.
 */
import { EventEmitter } from 'node:events';
import type { Clock, TimerId } from '../../clock.js';
import { HalError, type HalErrorCode } from '../../errors.js';
import type { EnergyMeter, MeterEvents, MeterReading } from '../../index.js';
import { FaultLatch } from '../../FaultLatch.js';
import { ModbusRequestError, type ModbusBus } from '../modbus/ModbusBus.js';
import { floatAt, planBlocks, type MeterRegisterMap, type RegisterBlock } from './RegisterMap.js';

export interface SdmMeterOptions {
  /** Device name, e.g. `meter:1`. */
  id: string;
  clock: Clock;
  /** The bus the meter hangs on (shared with other devices on the same RS-485 line). */
  bus: ModbusBus;
  map: MeterRegisterMap;
  /** Modbus slave address, 1..247 (default 1). */
  address?: number;
  /** Clock time between background polls, ms; 0 = only on `read()` (default 1000). */
  pollIntervalMs?: number;
  /** Consecutive unanswered requests before METER_TIMEOUT is raised (default 3). */
  missedPollsForFault?: number;
  /** How long the meter may take to answer one request, ms (default: the bus's). */
  responseTimeoutMs?: number;
}

/**
 * Modbus RTU energy meter. Every `read()` and every background poll reads the map's registers
 * in as few requests as the map allows, through the bus queue.
 *
 * Faults: `missedPollsForFault` consecutive unanswered polls → METER_TIMEOUT (each unanswered
 * `read()` rejects METER_TIMEOUT; the fault is emitted once the threshold is reached). A reply
 * that fails its CRC is counted and retried once. NaN/∞, out-of-range values or an energy
 * register that went backwards → METER_INVALID. The bus losing its port → PORT_LOST, cleared
 * when the bus has reopened it. A good reading clears METER_TIMEOUT and METER_INVALID.
 */
export class SdmMeter extends EventEmitter<MeterEvents> implements EnergyMeter {
  readonly id: string;
  readonly phases: 1 | 3;
  readonly address: number;
  /** Polls attempted, unanswered, CRC errors seen, implausible readings. */
  readonly stats = { polls: 0, missed: 0, crcErrors: 0, invalid: 0 };
  private readonly clock: Clock;
  private readonly bus: ModbusBus;
  private readonly map: MeterRegisterMap;
  private readonly blocks: RegisterBlock[];
  private readonly faults: FaultLatch;
  private readonly pollIntervalMs: number;
  private readonly missedPollsForFault: number;
  private readonly responseTimeoutMs: number | undefined;
  private last: MeterReading | undefined;
  private consecutiveMisses = 0;
  private pollTimer: TimerId | undefined;
  private released = false;
  private readonly onLost = (error: HalError): void => void this.faults.raise('PORT_LOST', error.message);
  private readonly onRestored = (): void => this.faults.clear('PORT_LOST');

  constructor(options: SdmMeterOptions) {
    super();
    const { id, clock, bus, map, address = 1, pollIntervalMs = 1000, missedPollsForFault = 3 } = options;
    if (!Number.isInteger(address) || address < 1 || address > 247) throw new RangeError(`${id}: Modbus address must be 1..247 (got ${address})`);
    if (!(pollIntervalMs >= 0)) throw new RangeError(`${id}: pollIntervalMs must be >= 0 (got ${pollIntervalMs})`);
    if (!Number.isInteger(missedPollsForFault) || missedPollsForFault < 1) throw new RangeError(`${id}: missedPollsForFault must be an integer >= 1`);
    this.id = id;
    this.clock = clock;
    this.bus = bus.retain();
    this.map = map;
    this.phases = map.phases;
    this.address = address;
    this.blocks = planBlocks(map);
    this.pollIntervalMs = pollIntervalMs;
    this.missedPollsForFault = missedPollsForFault;
    this.responseTimeoutMs = options.responseTimeoutMs;
    this.faults = new FaultLatch(id, (e) => this.emit('fault', e), (c) => this.emit('faultCleared', c));
    bus.on('lost', this.onLost);
    bus.on('restored', this.onRestored);
    if (bus.state === 'lost') this.faults.raise('PORT_LOST');
    this.schedulePoll();
  }

  get activeFaults(): ReadonlySet<HalErrorCode> {
    return this.faults.active;
  }

  get lastReading(): MeterReading | undefined {
    return this.last;
  }

  async read(): Promise<MeterReading> {
    if (this.released) throw new HalError('DEVICE_CLOSED', this.id);
    this.stats.polls++;
    let data: { start: number; data: Buffer }[];
    try {
      data = await this.readBlocks();
    } catch (err) {
      throw this.failure(err);
    }
    if (this.released) throw new HalError('DEVICE_CLOSED', this.id);
    this.consecutiveMisses = 0;
    this.faults.clear('METER_TIMEOUT');
    const reading = this.decode(data);
    const problem = this.implausible(reading);
    if (problem) {
      this.stats.invalid++;
      throw this.faults.raise('METER_INVALID', problem);
    }
    this.faults.clear('METER_INVALID');
    this.last = reading;
    this.emit('reading', reading);
    return reading;
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.clock.clearTimeout(this.pollTimer);
    this.bus.off('lost', this.onLost);
    this.bus.off('restored', this.onRestored);
    await this.bus.release();
  }

  private async readBlocks(): Promise<{ start: number; data: Buffer }[]> {
    const out: { start: number; data: Buffer }[] = [];
    for (const block of this.blocks) {
      let data: Buffer;
      try {
        data = await this.bus.readInputRegisters(this.address, block.start, block.count, this.responseTimeoutMs);
      } catch (err) {
        if (!(err instanceof ModbusRequestError && err.kind === 'crc')) throw err;
        this.stats.crcErrors++;
        data = await this.bus.readInputRegisters(this.address, block.start, block.count, this.responseTimeoutMs); // one retry
      }
      out.push({ start: block.start, data });
    }
    return out;
  }

  private failure(err: unknown): HalError {
    if (this.released) return new HalError('DEVICE_CLOSED', this.id);
    if (err instanceof HalError) return err.code === 'PORT_LOST' ? new HalError('PORT_LOST', this.id, err.message) : err;
    if (err instanceof ModbusRequestError && err.kind === 'crc') this.stats.crcErrors++;
    this.stats.missed++;
    this.consecutiveMisses++;
    const detail = `${err instanceof Error ? err.message : String(err)}; ${this.consecutiveMisses} unanswered in a row`;
    if (err instanceof ModbusRequestError && err.kind === 'exception') return this.faults.raise('METER_INVALID', detail);
    if (this.consecutiveMisses >= this.missedPollsForFault) return this.faults.raise('METER_TIMEOUT', detail);
    return new HalError('METER_TIMEOUT', this.id, detail, { cause: err });
  }

  private decode(blocks: { start: number; data: Buffer }[]): MeterReading {
    const m = this.map;
    return {
      timestamp: this.clock.now(),
      energyWh: floatAt(blocks, m.importEnergyKWh) * 1000,
      powerW: floatAt(blocks, m.powerW),
      currentA: m.currentA.map((a) => floatAt(blocks, a)),
      voltageV: m.voltageV.map((a) => floatAt(blocks, a)),
      frequencyHz: floatAt(blocks, m.frequencyHz),
    };
  }

  /** Why a reading cannot be true, or undefined if it can. */
  private implausible(r: MeterReading): string | undefined {
    const all = [r.energyWh, r.powerW, r.frequencyHz, ...r.currentA, ...r.voltageV];
    if (!all.every(Number.isFinite)) return 'non-finite register value';
    if (r.voltageV.some((v) => v < 0 || v > 500)) return `voltage out of range: ${r.voltageV.join('/')} V`;
    if (r.frequencyHz !== 0 && (r.frequencyHz < 40 || r.frequencyHz > 70)) return `frequency out of range: ${r.frequencyHz} Hz`;
    if (r.energyWh < 0) return `negative energy register: ${r.energyWh} Wh`;
    // float32 keeps ~7 digits: allow the register to read a rounding step lower than before.
    if (this.last && r.energyWh < this.last.energyWh - Math.max(1, this.last.energyWh * 1e-6)) {
      return `energy register went backwards: ${this.last.energyWh} → ${r.energyWh} Wh`;
    }
    return undefined;
  }

  private schedulePoll(): void {
    if (this.pollIntervalMs <= 0 || this.released) return;
    this.pollTimer = this.clock.setTimeout(() => {
      this.pollTimer = undefined;
      this.read().then(
        () => this.schedulePoll(),
        () => this.schedulePoll(),
      );
    }, this.pollIntervalMs);
  }
}
