/**
 * The tamper contract harness for a {@link ModbusTamperInput} over a socat pty pair: a relay board
 * at address 3 of a Modbus slave simulator whose input 2 carries a normally-closed door switch
 * (on while shut). Driver and board share one SimulatedClock.
 */
import type { TamperHarness } from '../../contract/tamper.contract.js';
import { ModbusTamperInput } from '../ModbusTamperInput.js';
import type { ModbusUnit } from '../deviceSims/ModbusSlaveSim.js';
import { createSerialMeterRig } from './SerialMeterHarness.js';

/** A board with a door switch on input 2 and coils for outputs; written without the driver's code. */
export class DoorSwitchBoardSim implements ModbusUnit {
  mode: 'answer' | 'silent' | 'bad-crc' = 'answer';
  doorShut = true;
  readonly coilStates = [false, false, false, false];

  discreteInputs(address: number, count: number): boolean[] {
    const inputs = [false, false, this.doorShut, false];
    return Array.from({ length: count }, (_, i) => inputs[address + i] === true);
  }

  coils(address: number, count: number): boolean[] {
    return Array.from({ length: count }, (_, i) => this.coilStates[address + i] === true);
  }

  writeCoil(address: number, on: boolean): void {
    this.coilStates[address] = on;
  }
}

export async function createSerialTamperHarness(): Promise<TamperHarness & { board: DoorSwitchBoardSim }> {
  const rig = await createSerialMeterRig();
  const board = new DoorSwitchBoardSim();
  rig.slave.units.set(3, board);
  const sensor = new ModbusTamperInput({ id: 'tamper:0', clock: rig.clock, bus: rig.bus, address: 3, input: 2, pollIntervalMs: 50, missedPollsForFault: 3 });
  return {
    sensor,
    board,
    confirmWithinMs: 400,
    open: () => void (board.doorShut = false),
    shut: () => void (board.doorShut = true),
    disconnect: () => void (board.mode = 'silent'),
    reconnect: () => void (board.mode = 'answer'),
    // A poll is armed only after the previous one was answered: let time pass poll by poll.
    async advance(ms) {
      for (let left = ms; left > 0; left -= 25) await rig.advance(Math.min(25, left));
      await rig.advance(0);
    },
    dispose: rig.dispose,
  };
}
