/**
 * The simulated world of `evse run` (hal.driver sim) survives the process, as a real one would:
 * a meter keeps its import register through a power cut, and the car stays plugged in with the
 * charge it had. `<dataDir>/sim-state.json` holds, per connector, the meter register and the EV's
 * plugged state and state of charge.
 *
 * - Read once at start: the saved state wins over the `hal.sim` settings (evConnected, ev.soc),
 *   which describe only the first start on a data directory. Delete the file to start afresh. A
 *   file that cannot be read or does not fit (another connector count) is reported and ignored.
 * - Written atomically (writeAtomically: old or new content, never a mix), at a bounded rate:
 *   whenever a contactor opens or closes (the register at the start and end of every charge is
 *   exact), every `intervalMs` of clock time while something changed, and at close. A SIGKILL
 *   therefore loses at most `intervalMs` of charging: the register continues from where it was
 *   saved, minus that interval.
 * Fleets and scenarios build their simulated chargers directly and stay in memory.
 */
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { Clock, TimerId } from '../hal/index.js';
import type { SimulatedCharger } from '../hal/sim/createSimulatedCharger.js';
import { writeAtomically } from '../agent/store/writeAtomically.js';

export interface SavedConnector {
  connectorId: number;
  meterWh: number;
  ev: { plugged: boolean; soc: number };
}

export interface SimStateOptions {
  file: string;
  sim: SimulatedCharger;
  clock: Clock;
  log?: Logger;
  /** Longest stretch of charging a crash may lose, ms of clock time (default 5000). */
  intervalMs?: number;
}

/** Reads a saved state for `connectors` connectors; undefined when there is none (or it is unusable, logged). */
export async function readSimState(file: string, connectors: number, log?: Logger): Promise<SavedConnector[] | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') log?.error({ err, file }, 'cannot read the simulation state; starting from the settings');
    return undefined;
  }
  try {
    const body = JSON.parse(text) as { version?: unknown; connectors?: unknown };
    if (body.version !== 1 || !Array.isArray(body.connectors)) throw new Error('expected {"version":1,"connectors":[…]}');
    const saved = body.connectors.map((c, i) => checkConnector(c, i));
    if (saved.length !== connectors) throw new Error(`holds ${saved.length} connectors, the charger has ${connectors}`);
    return saved;
  } catch (err) {
    log?.error({ err, file }, 'simulation state unusable; starting from the settings');
    return undefined;
  }
}

function checkConnector(c: unknown, i: number): SavedConnector {
  const o = (typeof c === 'object' && c !== null ? c : {}) as Record<string, unknown>;
  const ev = (typeof o.ev === 'object' && o.ev !== null ? o.ev : {}) as Record<string, unknown>;
  const at = `connectors[${i}]`;
  if (o.connectorId !== i + 1) throw new Error(`${at}.connectorId: expected ${i + 1}`);
  if (typeof o.meterWh !== 'number' || !Number.isFinite(o.meterWh) || o.meterWh < 0) throw new Error(`${at}.meterWh: expected a number of Wh >= 0`);
  if (typeof ev.plugged !== 'boolean') throw new Error(`${at}.ev.plugged: expected true or false`);
  if (typeof ev.soc !== 'number' || !(ev.soc >= 0 && ev.soc <= 1)) throw new Error(`${at}.ev.soc: expected a fraction 0..1`);
  return { connectorId: i + 1, meterWh: o.meterWh, ev: { plugged: ev.plugged, soc: ev.soc } };
}

/** Puts the saved EVs back (the meters take their register at construction: createSimulatedCharger's meterEnergyWh). */
export function restoreEvs(sim: SimulatedCharger, saved: readonly SavedConnector[]): void {
  for (const [i, c] of sim.connectors.entries()) {
    const s = saved[i];
    if (!s) continue;
    c.ev.setSoC(s.ev.soc);
    if (s.ev.plugged) c.ev.plugIn();
    else c.ev.unplug();
  }
}

/** Saves the simulated world at a bounded rate (see the file header). */
export class SimStatePersistence {
  private timer: TimerId | undefined;
  private last = '';
  private writing: Promise<void> = Promise.resolve();
  private queued = false;
  private stopped = false;
  private readonly detach: (() => void)[] = [];

  constructor(private readonly o: SimStateOptions) {}

  start(): void {
    for (const c of this.o.sim.connectors) {
      const onRelay = () => this.save();
      c.relay.on('state', onRelay);
      this.detach.push(() => c.relay.off('state', onRelay));
    }
    this.save();
    this.arm();
  }

  /** Stops the timer and writes the final state. */
  async stop(): Promise<void> {
    if (this.stopped) return this.writing;
    this.stopped = true;
    this.o.clock.clearTimeout(this.timer);
    for (const d of this.detach.splice(0)) d();
    this.queued = false;
    this.enqueue();
    return this.writing;
  }

  /** The state now, as written to the file. */
  snapshot(): string {
    const connectors: SavedConnector[] = this.o.sim.connectors.map((c) => ({
      connectorId: c.connectorId,
      meterWh: c.meter.registerWh,
      ev: { plugged: c.ev.plugged, soc: c.ev.soc },
    }));
    return `${JSON.stringify({ version: 1, connectors })}\n`;
  }

  private arm(): void {
    if (this.stopped) return;
    this.timer = this.o.clock.setTimeout(() => {
      this.save();
      this.arm();
    }, this.o.intervalMs ?? 5000);
  }

  /** Schedules a write if the state changed; writes are serialised and coalesced. */
  private save(): void {
    if (this.stopped || this.queued) return;
    this.queued = true;
    this.enqueue();
  }

  private enqueue(): void {
    this.writing = this.writing.then(async () => {
      this.queued = false;
      const body = this.snapshot();
      if (body === this.last) return;
      try {
        await writeAtomically(this.o.file, body);
        this.last = body;
      } catch (err) {
        this.o.log?.error({ err, file: this.o.file }, 'cannot save the simulation state');
      }
    });
  }
}
