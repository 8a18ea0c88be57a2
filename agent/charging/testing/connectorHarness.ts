/**
 * Test support only (never imported by firmware code): a started connector machine actor on a
 * SimulatedClock, as the machine tests drive it. Each step returns the commands it caused.
 */
import { createActor } from 'xstate';
import { SimulatedClock } from '../../../hal/clock.js';
import { connectorMachine } from '../connectorMachine.js';
import { statusOf } from '../connectorSelectors.js';
import type { ConnectorCommand, ConnectorEvent, ConnectorInput } from '../connectorTypes.js';

/** A tethered, operative 32 A connector with no EV; tests override what they are about. */
export const CONNECTOR_INPUT: ConnectorInput = {
  connectorId: 1,
  maxCurrentA: 32,
  connectionTimeoutMs: 60_000,
  stopTransactionOnInvalidId: true,
  stopTransactionOnEVSideDisconnect: true,
  ventilation: false,
  operative: true,
  pilot: 'A',
};

/** A started connector actor; `startup` holds the commands of its start, `send`/`advance` those of each step. */
export function connectorHarness(input: Partial<ConnectorInput> = {}) {
  const clock = new SimulatedClock();
  const actor = createActor(connectorMachine, { clock, input: { ...CONNECTOR_INPUT, ...input } });
  let out: ConnectorCommand[] = [];
  actor.on('*', (command) => void out.push(command));
  actor.start();
  const take = () => {
    const taken = out;
    out = [];
    return taken;
  };
  const startup = take();
  return {
    clock,
    startup,
    send: (...events: ConnectorEvent[]) => {
      for (const e of events) actor.send(e);
      return take();
    },
    advance: (ms: number) => {
      clock.advance(ms);
      return take();
    },
    get status() {
      return statusOf(actor.getSnapshot());
    },
    get snapshot() {
      return actor.getSnapshot();
    },
  };
}

export type ConnectorHarness = ReturnType<typeof connectorHarness>;
