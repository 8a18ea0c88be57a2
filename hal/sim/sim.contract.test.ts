/**
 * Runs every HAL contract suite against the simulated twins. Device-side controls map onto the
 * sims' fault injections; `advance` moves a SimulatedClock and lets promise callbacks run.
 */
import { SimulatedClock } from '../clock.js';
import { displayContract } from '../contract/display.contract.js';
import { lockContract } from '../contract/lock.contract.js';
import { tamperContract } from '../contract/tamper.contract.js';
import { SimTamperSensor } from './SimTamperSensor.js';
import { temperatureContract } from '../contract/temperature.contract.js';
import { SimTemperatureSensor } from './SimTemperatureSensor.js';
import { meterContract } from '../contract/meter.contract.js';
import { pilotContract } from '../contract/pilot.contract.js';
import { relayContract } from '../contract/relay.contract.js';
import { rfidContract } from '../contract/rfid.contract.js';
import { ConstantLoad } from './MeterSource.js';
import { SimConnectorLock } from './SimConnectorLock.js';
import { SimDisplay } from './SimDisplay.js';
import { SimControlPilot } from './SimControlPilot.js';
import { SimMeter } from './SimMeter.js';
import { SimRelay } from './SimRelay.js';
import { SimRfidReader } from './SimRfidReader.js';

// setImmediate runs after the whole microtask queue has drained, however long the promise chains.
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function advancing(clock: SimulatedClock): (ms: number) => Promise<void> {
  return async (ms) => {
    await flush();
    clock.advance(ms);
    await flush();
  };
}

for (const actuationDelayMs of [0, 20]) {
  relayContract(`SimRelay (actuation ${actuationDelayMs} ms)`, () => {
    const clock = new SimulatedClock();
    const relay = new SimRelay({ id: 'relay:1', clock, actuationDelayMs, deadlineMs: 100 });
    return { relay, weld: () => relay.weld(), stick: () => relay.stick(), repair: () => relay.repair(), closeByItself: () => relay.closeByItself(), advance: advancing(clock) };
  });
}

for (const phases of [1, 3] as const) {
  meterContract(`SimMeter (${phases} phase)`, () => {
    const clock = new SimulatedClock();
    const load = new ConstantLoad(clock);
    const meter = new SimMeter({ id: 'meter:1', clock, phases, initialEnergyWh: 123_456.7, source: load });
    return {
      meter,
      responseTimeoutMs: 0,
      setPower: (powerW, phasesUsed) => load.setPower(powerW, phasesUsed),
      stopAnswering: () => meter.stopAnswering(),
      returnInvalid: () => meter.returnInvalid(),
      answerAgain: () => meter.answerAgain(),
      advance: advancing(clock),
    };
  });
}

rfidContract('SimRfidReader', () => {
  const clock = new SimulatedClock();
  const reader = new SimRfidReader({ id: 'rfid:0', clock, garbageFaultThreshold: 3 });
  return {
    reader,
    garbageFaultThreshold: reader.garbageFaultThreshold,
    presentCard: (uid) => reader.tap(uid),
    holdCard: (uid) => reader.hold(uid),
    removeCard: () => reader.remove(),
    sendGarbage: () => reader.sendGarbage(),
    advance: advancing(clock),
  };
});

for (const maxCurrentA of [32, 80]) {
  pilotContract(`SimControlPilot (${maxCurrentA} A)`, () => {
    const clock = new SimulatedClock();
    const pilot = new SimControlPilot({ id: 'pilot:1', maxCurrentA });
    return {
      pilot,
      setVehicleState: (state) => pilot.setVehicleState(state),
      setProximity: (ratingA) => pilot.setProximity(ratingA),
      advance: advancing(clock),
    };
  });
}

lockContract('SimConnectorLock', () => {
  const clock = new SimulatedClock();
  const lock = new SimConnectorLock({ id: 'lock:1' });
  return { lock, jam: () => lock.jam(), unjam: () => lock.unjam(), advance: advancing(clock) };
});

tamperContract('SimTamperSensor', () => {
  const clock = new SimulatedClock();
  const sensor = new SimTamperSensor({ id: 'tamper:0' });
  return {
    sensor,
    confirmWithinMs: 0,
    open: () => sensor.open(),
    shut: () => sensor.shut(),
    disconnect: () => sensor.disconnect(),
    reconnect: () => sensor.reconnect(),
    advance: advancing(clock),
  };
});
temperatureContract('SimTemperatureSensor', () => {
  const clock = new SimulatedClock();
  const sensor = new SimTemperatureSensor({ id: 'temperature:1', celsius: 25 });
  return {
    sensor,
    freshWithinMs: 0,
    setCelsius: (c) => sensor.set(c),
    disconnect: () => sensor.disconnect(),
    reconnect: () => sensor.reconnect(),
    advance: advancing(clock),
  };
});
for (const [width, height] of [[16, 2], [20, 4]] as const) {
  displayContract(`SimDisplay ${width}x${height}`, () => {
    const clock = new SimulatedClock();
    const display = new SimDisplay({ id: 'display:0', width, height });
    return { display, settleMs: 10, fail: () => display.fail(), restore: () => display.repair(), advance: advancing(clock) };
  });
}
