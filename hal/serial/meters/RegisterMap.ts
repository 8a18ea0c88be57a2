/**
 * A meter's Modbus register map as data: which input register (function 04) holds which
 * quantity, all IEEE-754 float32 spread over two registers, high word first (Eastron and most
 * DIN-rail meters). A new meter model is a new map, not new code.
 */
export interface MeterRegisterMap {
  /** Model name used in config (`sdm630`) and logs. */
  readonly model: string;
  readonly phases: 1 | 3;
  /** Line-to-neutral voltage per phase, V. */
  readonly voltageV: readonly number[];
  /** Current per phase, A. */
  readonly currentA: readonly number[];
  /** Total active power, W. */
  readonly powerW: number;
  /** Supply frequency, Hz. */
  readonly frequencyHz: number;
  /** Import active energy, kWh. */
  readonly importEnergyKWh: number;
  /** Most registers the meter returns in one request (Eastron: 80; we stay well below). */
  readonly maxRegistersPerRead: number;
  /** Factory baud rate, used when config gives none. */
  readonly defaultBaudRate: number;
}

export interface RegisterBlock {
  start: number;
  count: number;
}

/** Float32 quantities of a map, each two registers. */
function addresses(map: MeterRegisterMap): number[] {
  return [...map.voltageV, ...map.currentA, map.powerW, map.frequencyHz, map.importEnergyKWh];
}

/**
 * Groups the map's registers into as few read requests as possible, each at most
 * `maxRegistersPerRead` long (registers between two wanted values are read and ignored).
 */
export function planBlocks(map: MeterRegisterMap): RegisterBlock[] {
  const sorted = [...new Set(addresses(map))].sort((a, b) => a - b);
  const blocks: RegisterBlock[] = [];
  for (const address of sorted) {
    const last = blocks.at(-1);
    if (last && address + 2 - last.start <= map.maxRegistersPerRead) last.count = Math.max(last.count, address + 2 - last.start);
    else blocks.push({ start: address, count: 2 });
  }
  return blocks;
}

/** Reads the float32 at `address` out of blocks read from the meter. */
export function floatAt(blocks: readonly { start: number; data: Buffer }[], address: number): number {
  const block = blocks.find((b) => address >= b.start && (address - b.start) * 2 + 4 <= b.data.length);
  if (!block) throw new RangeError(`register ${address} was not read`);
  return block.data.readFloatBE((address - block.start) * 2);
}
