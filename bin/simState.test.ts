/**
 * The persisted simulated world of `evse run`: the meter register, the EV's plug and charge
 * survive a restart (saved at each contactor change, every interval while something changed, and
 * at close); a bad file names the field and is ignored.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../hal/clock.js';
import { createSimulatedCharger } from '../hal/sim/createSimulatedCharger.js';
import { readSimState, restoreEvs, SimStatePersistence } from './simState.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function stateFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sim-state-'));
  dirs.push(dir);
  return join(dir, 'sim-state.json');
}

/** Charges connector 1 at full offer for `ms` of virtual time. */
async function charge(sim: ReturnType<typeof createSimulatedCharger>, clock: SimulatedClock, ms: number): Promise<void> {
  const c = sim.connectors[0]!;
  c.ev.plugIn();
  await c.pilot.setCurrentOffer(16);
  await c.relay.close();
  clock.advance(ms);
}

const settle = () => new Promise((r) => setTimeout(r, 50));

describe('simulated world persisted in the data directory', () => {
  it('continues the meter register, plug state and SoC after a restart, losing at most the unsaved interval', async () => {
    const file = await stateFile();
    const clock = new SimulatedClock(0);
    const sim = createSimulatedCharger({ clock, ev: { soc: 0.2 } });
    const persistence = new SimStatePersistence({ file, sim, clock, intervalMs: 5000 });
    persistence.start();
    await charge(sim, clock, 60_000);
    await settle();
    const saved = JSON.parse(await readFile(file, 'utf8')) as { connectors: { meterWh: number }[] };
    const registerNow = sim.connectors[0]!.meter.registerWh;
    expect(registerNow).toBeGreaterThan(100); // 11 kW for a minute ≈ 184 Wh
    // A SIGKILL now loses at most the last interval (11 kW × 5 s ≈ 15 Wh).
    expect(saved.connectors[0]!.meterWh).toBeGreaterThan(registerNow - 16);

    const restored = await readSimState(file, 1);
    expect(restored).toEqual([{ connectorId: 1, meterWh: saved.connectors[0]!.meterWh, ev: { plugged: true, soc: expect.any(Number) } }]);
    const next = createSimulatedCharger({ clock, meterEnergyWh: restored!.map((c) => c.meterWh) });
    restoreEvs(next, restored!);
    expect(next.connectors[0]!.ev.plugged).toBe(true);
    expect(next.connectors[0]!.pilot.state).toBe('B');
    expect(next.connectors[0]!.ev.soc).toBeGreaterThan(0.2);
    expect((await next.connectors[0]!.meter.read()).energyWh).toBe(saved.connectors[0]!.meterWh);
    await persistence.stop();
    await Promise.all([sim.close(), next.close()]);
  });

  it('saves when a contactor opens (the register at the end of a charge is exact) and at stop, and not while nothing changes', async () => {
    const file = await stateFile();
    const clock = new SimulatedClock(0);
    const sim = createSimulatedCharger({ clock });
    const persistence = new SimStatePersistence({ file, sim, clock, intervalMs: 60_000 });
    persistence.start();
    await charge(sim, clock, 30_000); // shorter than the interval
    await sim.connectors[0]!.relay.open();
    await settle();
    const atOpen = JSON.parse(await readFile(file, 'utf8')) as { connectors: { meterWh: number }[] };
    expect(atOpen.connectors[0]!.meterWh).toBeCloseTo(sim.connectors[0]!.meter.registerWh, 6);
    const before = await readFile(file, 'utf8');
    clock.advance(10 * 60_000);
    await settle();
    expect(await readFile(file, 'utf8')).toBe(before);
    sim.connectors[0]!.ev.unplug();
    await persistence.stop();
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ connectors: [{ ev: { plugged: false } }] });
    await sim.close();
  });

  it('ignores a file that does not fit, naming the field, and starts from the settings', async () => {
    const file = await stateFile();
    const errors: string[] = [];
    const log = { error: (o: { err: Error }) => void errors.push(o.err.message) } as never;
    await writeFile(file, JSON.stringify({ version: 1, connectors: [{ connectorId: 1, meterWh: -5, ev: { plugged: true, soc: 0.5 } }] }));
    expect(await readSimState(file, 1, log)).toBeUndefined();
    await writeFile(file, JSON.stringify({ version: 1, connectors: [{ connectorId: 1, meterWh: 5, ev: { plugged: true, soc: 0.5 } }] }));
    expect(await readSimState(file, 2, log)).toBeUndefined();
    await writeFile(file, '{"version":1,"conn');
    expect(await readSimState(file, 1, log)).toBeUndefined();
    expect(errors[0]).toContain('connectors[0].meterWh');
    expect(errors[1]).toContain('holds 1 connectors, the charger has 2');
    expect(errors).toHaveLength(3);
    expect(await readSimState(join(file, '..', 'missing.json'), 1, log)).toBeUndefined();
    expect(errors).toHaveLength(3); // a missing file is a first start, not an error
  });
});
