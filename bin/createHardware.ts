/**
 * The one place that picks concrete HAL drivers from the settings (agent/ only sees interfaces).
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { ChargerHardware, Clock, Display } from '../hal/index.js';
import { ConsoleDisplay } from '../hal/sim/ConsoleDisplay.js';
import { createSimulatedCharger, type SimulatedCharger } from '../hal/sim/createSimulatedCharger.js';
import { SimDisplay } from '../hal/sim/SimDisplay.js';
import type { Settings } from './settings/settings.js';
import { readSimState, restoreEvs, SimStatePersistence } from './simState.js';

export interface Hardware {
  hardware: ChargerHardware;
  /** The simulated twin's handles (EV, fault injection) when the driver is `sim`. */
  sim?: SimulatedCharger;
}

/**
 * Async because the serial drivers (serialport, modbus-serial: ~18 MB RSS) are imported only when
 * `hal.driver` is `serial`, so a simulated charger never loads them.
 */
export async function createHardware(settings: Settings, clock: Clock, log?: Logger): Promise<Hardware> {
  const built = await createDevices(settings, clock, log);
  const displays = displaysOf(settings);
  return displays.length > 0 ? { ...built, hardware: { ...built.hardware, displays } } : built;
}

/** The sim and console displays (the OpenEVSE LCDs are built with their boards, bin/serialHardware.ts). */
function displaysOf(settings: Settings): Display[] {
  const { type, width, height } = settings.display;
  if (type === 'sim') return [new SimDisplay({ id: 'display:0', width, height })];
  if (type === 'console') return [new ConsoleDisplay({ id: 'display:0', width, height })];
  return [];
}

async function createDevices(settings: Settings, clock: Clock, log?: Logger): Promise<Hardware> {
  const { chargePoint, hal } = settings;
  switch (hal.driver) {
    case 'sim': {
      // The simulated meters and EVs continue from <dataDir>/sim-state.json (bin/simState.ts).
      const file = join(settings.dataDir, 'sim-state.json');
      const saved = await readSimState(file, chargePoint.connectors, log);
      const sim = createSimulatedCharger({
        clock,
        connectors: chargePoint.connectors,
        maxCurrentA: chargePoint.maxCurrentA,
        phases: chargePoint.phases,
        voltageV: chargePoint.voltageV,
        evConnected: saved ? false : hal.sim.evConnected,
        tamperSwitch: hal.sim.tamperSwitch,
        ...(hal.sim.temperatureSensor && { temperatureC: 25 }),
        ev: { batteryKWh: hal.sim.ev.batteryKWh, soc: hal.sim.ev.soc, maxCurrentA: hal.sim.ev.maxCurrentA, phases: hal.sim.ev.phases },
        ...(saved && { meterEnergyWh: saved.map((c) => c.meterWh) }),
      });
      if (saved) restoreEvs(sim, saved);
      const persistence = new SimStatePersistence({ file, sim, clock, ...(log && { log }) });
      persistence.start();
      const close = async () => {
        await persistence.stop();
        await sim.close();
      };
      return { hardware: { ...sim.hardware, close }, sim };
    }
    case 'serial': {
      // Ports were checked to exist when the settings were loaded (loadSettings).
      const { createSerialHardware } = await import('./serialHardware.js');
      return { hardware: createSerialHardware(settings, clock, log) };
    }
  }
}
