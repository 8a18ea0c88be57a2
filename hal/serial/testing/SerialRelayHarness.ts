/**
 * The relay contract harness for a {@link ModbusRelay} over a socat pty pair, with a
 * {@link RelayBoardSim} at address 2 of a Modbus slave simulator on the far end. Driver and
 * board share one SimulatedClock.
 */
import type { RelayHarness } from '../../contract/relay.contract.js';
import { ModbusRelay } from '../relays/ModbusRelay.js';
import { RelayBoardSim } from '../deviceSims/RelayBoardSim.js';
import { createSerialMeterRig, type SerialMeterRig } from './SerialMeterHarness.js';

/** Board wiring used by the harness: coil 0, mirror contact on input 0, driver ready on input 1. */
export async function createSerialRelayHarness(options: { reopenIntervalMs?: number } = {}): Promise<RelayHarness & { board: RelayBoardSim; rig: SerialMeterRig }> {
  const rig = await createSerialMeterRig(options);
  const board = new RelayBoardSim(rig.clock, { actuationDelayMs: 30, readyInput: 1 });
  rig.slave.units.set(2, board);
  const relay = new ModbusRelay({ id: 'relay:1', clock: rig.clock, bus: rig.bus, address: 2, coil: 0, feedbackInput: 0, readyInput: 1, deadlineMs: 200, pollIntervalMs: 20 });
  return {
    relay,
    board,
    rig,
    weld: () => board.weld(),
    stick: () => board.stick(),
    repair: () => board.repair(),
    closeByItself: () => board.energize(0),
    advance: rig.advance,
    dispose: rig.dispose,
  };
}
