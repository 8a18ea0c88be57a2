/**
 * The one place that picks concrete HAL drivers from the settings (agent/ only sees interfaces).
 */
import type { ChargerHardware, Clock } from '../hal/index.js';
import { createSimulatedCharger, type SimulatedCharger } from '../hal/sim/createSimulatedCharger.js';
import type { Settings } from './settings.js';

export interface Hardware {
  hardware: ChargerHardware;
  /** The simulated twin's handles (EV, fault injection) when the driver is `sim`. */
  sim?: SimulatedCharger;
}

/**
 * Async because the serial drivers (serialport, modbus-serial: ~18 MB RSS) are imported only when
 * `hal.driver` is `serial`, so a simulated charger never loads them.
 */
export async function createHardware(settings: Settings, clock: Clock): Promise<Hardware> {
  const { chargePoint, hal } = settings;
  switch (hal.driver) {
    case 'sim': {
      const sim = createSimulatedCharger({
        clock,
        connectors: chargePoint.connectors,
        maxCurrentA: chargePoint.maxCurrentA,
        phases: chargePoint.phases,
        voltageV: chargePoint.voltageV,
        evConnected: hal.sim.evConnected,
        ev: { batteryKWh: hal.sim.ev.batteryKWh, soc: hal.sim.ev.soc, maxCurrentA: hal.sim.ev.maxCurrentA, phases: hal.sim.ev.phases },
      });
      return { hardware: sim.hardware, sim };
    }
    case 'serial': {
      // Ports were checked to exist when the settings were loaded (loadSettings).
      const { createSerialHardware } = await import('./serialHardware.js');
      return { hardware: createSerialHardware(settings, clock) };
    }
  }
}
