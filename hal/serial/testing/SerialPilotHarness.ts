/**
 * The pilot contract harness for a {@link RapiPilot} on a socat pty pair with a
 * {@link RapiResponder} (OpenEVSE controller) on the device end. Request timeouts and polls run
 * on a SimulatedClock; the RAPI lines travel over a real serial line.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { SimulatedClock } from '../../clock.js';
import type { PilotHarness } from '../../contract/pilot.contract.js';
import type { RelayHarness } from '../../contract/relay.contract.js';
import type { PilotState } from '../../index.js';
import type { DisplayHarness } from '../../contract/display.contract.js';
import { RapiContactor } from '../rapi/RapiContactor.js';
import { RapiDisplay } from '../rapi/RapiDisplay.js';
import { RapiController } from '../rapi/RapiController.js';
import { RapiPilot } from '../rapi/RapiPilot.js';
import { RapiTemperature } from '../rapi/RapiTemperature.js';
import type { TemperatureHarness } from '../../contract/temperature.contract.js';
import { PtyPair } from '../deviceSims/PtyPair.js';
import { RapiResponder } from '../deviceSims/RapiResponder.js';

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export interface SerialPilotRig {
  clock: SimulatedClock;
  pair: PtyPair;
  controller: RapiController;
  responder: RapiResponder;
  advance(ms: number): Promise<void>;
  /** Waits (real time, bounded) until every byte the responder sent arrived and no command is in flight. */
  quiet(): Promise<void>;
  /** The USB adapter is pulled: the board's side closes and both ptys vanish … */
  unplug(): Promise<void>;
  /** … and plugged back on the same path (the board kept its state meanwhile). */
  replug(): Promise<void>;
  dispose(): Promise<void>;
}

/** `boardHeartbeat: false`: firmware without heartbeat supervision (`$SY` answered `$NK`). */
export async function createSerialPilotRig(options: { pollIntervalMs?: number; boardHeartbeat?: boolean; autoStartCharging?: boolean; lcdUpdateCommand?: boolean; temperatureCommand?: boolean } = {}): Promise<SerialPilotRig> {
  const clock = new SimulatedClock();
  const pair = await PtyPair.create();
  // The board's supervision timer runs on the same simulated clock as the driver.
  const responder = new RapiResponder(pair.devicePath, { ...(options.boardHeartbeat !== false && { clock }), autoStartCharging: options.autoStartCharging === true, ...(options.lcdUpdateCommand !== undefined && { lcdUpdateCommand: options.lcdUpdateCommand }), ...(options.temperatureCommand !== undefined && { temperatureCommand: options.temperatureCommand }) });
  await responder.open().catch(async (err: unknown) => {
    await pair.dispose();
    throw err;
  });
  const controller = new RapiController({ id: 'pilot:1', clock, path: pair.driverPath, pollIntervalMs: options.pollIntervalMs ?? 1000, responseTimeoutMs: 300 });
  let lost = 0; // bytes that went down with an unplugged adapter
  const quiet = async (): Promise<void> => {
    for (let waited = 0; waited < 1000; waited += 2) {
      await flush();
      // A reply the responder dropped ends only in a timeout on the clock: nothing to wait for.
      const awaitingDropped = responder.stats.dropped > controller.stats.timeouts;
      const idle = !controller.busy || responder.mode === 'silent' || !controller.link.isOpen || awaitingDropped;
      if (idle && controller.link.stats.bytesReceived + lost >= responder.stats.bytesSent) break;
      await sleep(2);
    }
    await flush();
  };
  return {
    clock,
    pair,
    controller,
    responder,
    quiet,
    async unplug() {
      await responder.close();
      await pair.unplug();
      lost = responder.stats.bytesSent - controller.link.stats.bytesReceived;
    },
    async replug() {
      await pair.replug();
      await responder.open();
    },
    async advance(ms) {
      await quiet();
      clock.advance(ms);
      await quiet();
    },
    async dispose() {
      await controller.close();
      await responder.close();
      await pair.dispose();
    },
  };
}

/** The obligations of the pilot contract a RAPI board cannot meet (see docs/hardware.md). */
export const RAPI_PILOT_NOT_APPLICABLE = ['E and F are state events and one PILOT_FAULT; leaving them clears it'];

export async function createSerialPilotHarness(): Promise<PilotHarness & { pilot: RapiPilot; rig: SerialPilotRig }> {
  const rig = await createSerialPilotRig();
  const pilot = new RapiPilot({ id: 'pilot:1', controller: rig.controller });
  try {
    await rig.controller.open();
    await pilot.init();
  } catch (err) {
    await rig.dispose(); // never leave socat running behind a failed setup
    throw err;
  }
  return {
    pilot,
    rig,
    setVehicleState: (state: PilotState) => {
      if (state === 'F') throw new Error('a vehicle cannot present state F to an OpenEVSE board (see RAPI_PILOT_NOT_APPLICABLE)');
      return rig.responder.setVehicle(state);
    },
    advance: rig.advance,
    async dispose() {
      await pilot.release();
      await rig.dispose();
    },
  };
}

/**
 * The relay contract harness for the {@link RapiContactor} view of the same board. The vehicle
 * stands in state C throughout: an OpenEVSE closes its relay only when the vehicle asks for power.
 */
export async function createSerialRapiRelayHarness(): Promise<RelayHarness & { rig: SerialPilotRig }> {
  const rig = await createSerialPilotRig();
  rig.responder.pilotState = 3;
  const relay = new RapiContactor({ id: 'relay:1', clock: rig.clock, controller: rig.controller, deadlineMs: 300 });
  await rig.controller.open();
  return {
    relay,
    rig,
    weld: () => rig.responder.weld(),
    stick: () => rig.responder.stick(),
    repair: () => rig.responder.repair(),
    closeByItself: () => rig.responder.autoStart(),
    advance: rig.advance,
    dispose: rig.dispose,
  };
}

/** The display contract harness for the {@link RapiDisplay} (the board's LCD): failing is a board that stops answering. */
export async function createSerialRapiDisplayHarness(): Promise<DisplayHarness & { rig: SerialPilotRig }> {
  const rig = await createSerialPilotRig();
  const display = new RapiDisplay({ id: 'display:1', controller: rig.controller });
  await rig.controller.open();
  return {
    display,
    rig,
    // A write times out after 300 ms; the board's answer to the next poll (1 s) brings the redraw.
    settleMs: 2000,
    fail: () => void (rig.responder.mode = 'silent'),
    restore: () => void (rig.responder.mode = 'answer'),
    advance: rig.advance,
    dispose: rig.dispose,
  };
}

/**
 * The temperature contract harness for the {@link RapiTemperature} view of the board: its ambient
 * sensor (MCP9808) fitted, the others not; no value is a board that stops answering.
 */
export async function createSerialRapiTemperatureHarness(): Promise<TemperatureHarness & { rig: SerialPilotRig }> {
  const rig = await createSerialPilotRig();
  const tenths = (celsius: number): number => Math.round(celsius * 10);
  rig.responder.temperatures[1] = tenths(25);
  const sensor = new RapiTemperature({ id: 'temperature:1', controller: rig.controller, pollIntervalMs: 5000 });
  await rig.controller.open();
  return {
    sensor,
    rig,
    freshWithinMs: 5000,
    setCelsius: (c) => void (rig.responder.temperatures[1] = tenths(c)),
    disconnect: () => void (rig.responder.mode = 'silent'),
    reconnect: () => void (rig.responder.mode = 'answer'),
    // In steps shorter than a command's timeout (300 ms): a jump would time out the answer on its way.
    async advance(ms) {
      for (let left = ms; left > 0; left -= 100) await rig.advance(Math.min(100, left));
      await rig.advance(0);
    },
    dispose: rig.dispose,
  };
}
