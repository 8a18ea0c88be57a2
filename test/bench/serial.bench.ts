/**
 * `npm run bench:serial`: the serial HAL over real socat pty pairs with the device simulators.
 *
 * 1. Modbus poll cycle of an SDM630 (`SdmMeter.read()`: every register the driver reads, in the
 *    blocks `planBlocks` makes) at 9600 and 115200 baud, alone on the bus and with a relay board
 *    on the same bus whose driver polls its feedback input in the background (serialized).
 * 2. Card-to-contactor latency: an RDM6300 frame written by the emitter → the reader's `card`
 *    event → `ModbusRelay.close()` resolved, i.e. the board simulator's mirror contact was read
 *    back as closed by the driver's feedback poll.
 *
 * Everything runs on the wall clock (systemClock), driver and simulators alike, in one process.
 * A pty does not pace bytes at the configured baud rate: the figures are driver + simulator +
 * kernel pty + event loop overhead. The wire time a real RS-485 line would add is printed next to
 * them (computed from the frame sizes). Counts: BENCH_SERIAL_READS (default 200),
 * BENCH_SERIAL_CARDS (default 100); every phase also has a wall-time bound.
 */
import { performance } from 'node:perf_hooks';
import { cpus, loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock } from '../../hal/clock.js';
import { ModbusBus } from '../../hal/serial/modbus/ModbusBus.js';
import { planBlocks } from '../../hal/serial/meters/RegisterMap.js';
import { SDM630 } from '../../hal/serial/meters/sdm630.js';
import { SdmMeter } from '../../hal/serial/meters/SdmMeter.js';
import { ModbusRelay } from '../../hal/serial/relays/ModbusRelay.js';
import { Rdm6300Reader } from '../../hal/serial/Rdm6300Reader.js';
import { ModbusSlaveSim } from '../../hal/serial/deviceSims/ModbusSlaveSim.js';
import { PtyPair } from '../../hal/serial/deviceSims/PtyPair.js';
import { Rdm6300Emitter } from '../../hal/serial/deviceSims/Rdm6300Emitter.js';
import { RelayBoardSim } from '../../hal/serial/deviceSims/RelayBoardSim.js';
import { SdmMeterSim } from '../../hal/serial/deviceSims/SdmMeterSim.js';

const READS = Number(process.env.BENCH_SERIAL_READS ?? 200);
const CARDS = Number(process.env.BENCH_SERIAL_CARDS ?? 100);
/** Wall-time bound of one phase (one table row), ms. */
const PHASE_BUDGET_MS = 30_000;
const RELAY_POLL_MS = 20;
const RELAY_ACTUATION_MS = 0;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function summary(samples: number[]): string {
  if (samples.length === 0) return 'no samples';
  const s = [...samples].sort((a, b) => a - b);
  const f = (v: number): string => v.toFixed(2).padStart(7);
  return `n=${String(s.length).padStart(3)}  min ${f(s[0]!)}  median ${f(percentile(s, 50))}  p95 ${f(percentile(s, 95))}  max ${f(s.at(-1)!)} ms`;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Time on a real line for one SDM630 read: per block an 8-byte FC04 request and a 5+2n byte reply, 10 bits a byte, plus 3.5 characters of silence after each frame. */
function wireMsPerRead(baud: number): { bytes: number; ms: number } {
  const blocks = planBlocks(SDM630);
  const bytes = blocks.reduce((sum, b) => sum + 8 + 5 + 2 * b.count, 0);
  const gaps = blocks.length * 2 * 3.5;
  return { bytes, ms: ((bytes + gaps) * 10 * 1000) / baud };
}

interface BusRig {
  pair: PtyPair;
  slave: ModbusSlaveSim;
  bus: ModbusBus;
  meter: SdmMeter;
  relay: ModbusRelay | undefined;
  dispose(): Promise<void>;
}

async function busRig(baudRate: number, withRelay: boolean): Promise<BusRig> {
  const pair = await PtyPair.create();
  const slave = new ModbusSlaveSim(pair.devicePath, baudRate);
  let bus: ModbusBus | undefined;
  let meter: SdmMeter | undefined;
  let relay: ModbusRelay | undefined;
  const dispose = async (): Promise<void> => {
    await relay?.release().catch(() => undefined);
    await meter?.release().catch(() => undefined);
    await bus?.close().catch(() => undefined);
    await slave.close().catch(() => undefined);
    await pair.dispose();
  };
  try {
    await slave.open();
    const sim = new SdmMeterSim('sdm630', systemClock, 1234.5);
    sim.setPower(11_000, 3);
    slave.units.set(1, sim);
    bus = new ModbusBus({ path: pair.driverPath, clock: systemClock, baudRate, responseTimeoutMs: 500 });
    await withTimeout(bus.ready(), 5000, 'bus open');
    meter = new SdmMeter({ id: 'meter:1', clock: systemClock, bus, map: SDM630, address: 1, pollIntervalMs: 0 });
    if (withRelay) {
      slave.units.set(2, new RelayBoardSim(systemClock, { actuationDelayMs: RELAY_ACTUATION_MS, readyInput: 1 }));
      relay = new ModbusRelay({ id: 'relay:1', clock: systemClock, bus, address: 2, coil: 0, feedbackInput: 0, readyInput: 1, deadlineMs: 1000, pollIntervalMs: RELAY_POLL_MS });
    }
    return { pair, slave, bus, meter, relay, dispose };
  } catch (err) {
    await dispose();
    throw err;
  }
}

async function pollCycle(baudRate: number, withRelay: boolean): Promise<{ samples: number[]; relayPolls: number; errors: number }> {
  const rig = await busRig(baudRate, withRelay);
  try {
    for (let i = 0; i < 5; i++) await withTimeout(rig.meter.read(), 2000, 'warm-up read'); // JIT, port buffers
    const relayPollsBefore = rig.relay?.stats.polls ?? 0;
    const samples: number[] = [];
    let errors = 0;
    const end = performance.now() + PHASE_BUDGET_MS;
    for (let i = 0; i < READS && performance.now() < end; i++) {
      const t0 = performance.now();
      try {
        await withTimeout(rig.meter.read(), 2000, 'meter read');
        samples.push(performance.now() - t0);
      } catch {
        errors++;
      }
      await sleep(Math.random() * RELAY_POLL_MS); // random phase against the relay's feedback poll, so they do meet on the bus
    }
    return { samples, relayPolls: (rig.relay?.stats.polls ?? 0) - relayPollsBefore, errors };
  } finally {
    await rig.dispose();
  }
}

async function cardToContactor(): Promise<{ toEvent: number[]; eventToConfirmed: number[]; total: number[]; errors: number }> {
  const rfidPair = await PtyPair.create();
  const emitter = new Rdm6300Emitter(rfidPair.devicePath);
  const reader = new Rdm6300Reader({ id: 'rfid:0', clock: systemClock, path: rfidPair.driverPath, removalMs: 300 });
  let rig: BusRig | undefined;
  try {
    await emitter.open();
    await withTimeout(reader.open(), 5000, 'reader open');
    rig = await busRig(9600, true);
    const relay = rig.relay!;
    await sleep(100); // first feedback polls answered
    const toEvent: number[] = [];
    const eventToConfirmed: number[] = [];
    const total: number[] = [];
    let errors = 0;
    const end = performance.now() + PHASE_BUDGET_MS;
    for (let i = 0; i < CARDS && performance.now() < end; i++) {
      const id = (0x1000000000 + i).toString(16).toUpperCase().slice(-10); // a new card each time: no debounce
      try {
        let tEvent = 0;
        const confirmed = new Promise<void>((resolve, reject) => {
          reader.once('card', () => {
            tEvent = performance.now();
            relay.close().then(resolve, reject);
          });
        });
        const t0 = performance.now();
        void emitter.sendCard(id);
        await withTimeout(confirmed, 2000, 'card → relay confirmed');
        const t2 = performance.now();
        toEvent.push(tEvent - t0);
        eventToConfirmed.push(t2 - tEvent);
        total.push(t2 - t0);
        await withTimeout(relay.open(), 2000, 'relay open');
      } catch {
        errors++;
        reader.removeAllListeners('card');
      }
      await sleep(5 + Math.random() * RELAY_POLL_MS); // next tap at a random phase of the relay's feedback poll
    }
    return { toEvent, eventToConfirmed, total, errors };
  } finally {
    await rig?.dispose();
    await reader.release().catch(() => undefined);
    await emitter.close().catch(() => undefined);
    await rfidPair.dispose();
  }
}

async function main(): Promise<void> {
  const blocks = planBlocks(SDM630);
  console.log('serial HAL bench over socat pty pairs (driver, simulators and socat on this machine)');
  console.log(`  node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log('  caveat: a pty does not pace bytes at the baud rate, so the 9600/115200 rows differ only by noise;');
  console.log('  figures are software + pty + event-loop overhead, and move with machine load. Wire time on a real line is printed alongside.');
  console.log(`  SDM630 read = ${blocks.length} FC04 requests (${blocks.map((b) => `0x${b.start.toString(16)}+${b.count}`).join(', ')} registers), response timeout 500 ms`);
  console.log('');
  console.log(`1. Modbus poll cycle: SdmMeter.read() wall time, ${READS} reads after 5 warm-up reads, each after a random 0-${RELAY_POLL_MS} ms pause (meter pollIntervalMs 0: reads driven by the bench)`);
  for (const baud of [9600, 115200]) {
    const wire = wireMsPerRead(baud);
    for (const withRelay of [false, true]) {
      const r = await pollCycle(baud, withRelay);
      const label = withRelay ? `+ relay board (unit 2, feedback poll every ${RELAY_POLL_MS} ms)` : 'meter alone';
      console.log(`  ${String(baud).padStart(6)} baud, ${label.padEnd(50)} ${summary(r.samples)}${r.errors ? `, ${r.errors} failed` : ''}${withRelay ? `, ${r.relayPolls} relay feedback polls shared the bus meanwhile` : ''}`);
    }
    console.log(`  ${String(baud).padStart(6)} baud, wire time of one read on a real line: ${wire.bytes} bytes + inter-frame gaps = ${wire.ms.toFixed(2)} ms (not included above)`);
  }
  console.log('');
  console.log(`2. Card to contactor: ${CARDS} taps, RDM6300 on its own pty (9600), relay board on a Modbus pty (9600) with the SDM630 at unit 1`);
  console.log(`   relay feedback poll ${RELAY_POLL_MS} ms, board actuation delay ${RELAY_ACTUATION_MS} ms (a real contactor adds ~20-50 ms), no Agent/OCPP in the path, meter not polling`);
  const c = await cardToContactor();
  console.log(`  emitter write → reader 'card' event            ${summary(c.toEvent)}`);
  console.log(`  'card' event → relay.close() resolved          ${summary(c.eventToConfirmed)}   (FC05 coil write, then the next FC02 feedback poll reads the mirror contact closed)`);
  console.log(`  emitter write → relay.close() resolved (total) ${summary(c.total)}${c.errors ? `, ${c.errors} failed` : ''}`);
  const lineMs = (frames: number[]): string => ((frames.reduce((a, b) => a + b + 3.5, 0) * 10 * 1000) / 9600).toFixed(1);
  console.log(`  wire time a real 9600 baud line would add (frames + 3.5-char gaps): RDM6300 frame ${lineMs([14])} ms, FC05 write + echo ${lineMs([8, 8])} ms,`);
  console.log(`  FC02 feedback poll ${lineMs([8, 6])} ms, plus up to one ${RELAY_POLL_MS} ms poll interval and any meter read queued ahead on the bus`);
}

await main();
