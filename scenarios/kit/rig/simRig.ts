/**
 * The {@link Rig} of the simulated HAL: the simulated EV, card reader and fault injection of a
 * {@link SimulatedCharger}. Actions are immediate; the runner lets the charger react.
 */
import type { SimulatedCharger } from '../../../hal/sim/createSimulatedCharger.js';
import { RigRefusal, type EvAction, type FaultKind, type FaultMode, type Rig, type RigOutcome } from './Rig.js';

export function simRig(sim: SimulatedCharger): Rig {
  const at = (n: number) => sim.connectors[n - 1]!;
  const done = async (fn: () => void): Promise<RigOutcome> => {
    fn();
    return 'done';
  };
  return {
    name: 'simulated HAL',
    ev: (action: EvAction, n) => done(() => at(n).ev[action]()),
    setSoC: (soc, n) => done(() => at(n).ev.setSoC(soc)),
    presentCard: (uid) => done(() => sim.rfid.tap(uid)),
    fault<K extends FaultKind>(kind: K, mode: FaultMode<K>, n: number) {
      if (kind === 'tamper') {
        const door = sim.tamper;
        if (!door) return Promise.reject(new RigRefusal('this charger has no cabinet switch: declare charger: { tamperSwitch: true }'));
        return done(() => (mode === 'open' ? door.open() : door.shut()));
      }
      const c = at(n);
      const actions: Record<Exclude<FaultKind, 'tamper'>, Record<string, () => void>> = {
        meter: { clear: () => c.meter.answerAgain(), timeout: () => c.meter.stopAnswering(), invalid: () => c.meter.returnInvalid() },
        relay: { clear: () => c.relay.repair(), welded: () => c.relay.weld(), stuck: () => c.relay.stick() },
        pilot: { clear: () => c.ev.clearPilotError(), F: () => c.ev.injectPilotError('F'), E: () => c.ev.injectPilotError('E') },
      };
      return done(actions[kind as Exclude<FaultKind, 'tamper'>][mode]!);
    },
    setTemperature(celsius, n) {
      const sensor = at(n).temperature;
      if (!sensor) return Promise.reject(new RigRefusal('this charger has no temperature sensors: declare charger: { temperatureC: 25 }'));
      return done(() => sensor.set(celsius));
    },
    describe(n) {
      const c = at(n);
      return `${(c.powerW / 1000).toFixed(1)} kW, EV ${(c.ev.soc * 100).toFixed(0)} %`;
    },
    close: () => sim.close(),
  };
}
