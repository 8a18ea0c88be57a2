/**
 * ConnectorController's device listeners are shared functions that find their controller through
 * the device (docs/fleet.md, Memory and scale). What that must keep: a restarted agent's controller
 * on the same hardware takes the devices over, the old one's dispose does not deafen it, and a
 * disposed controller leaves no listener behind.
 *
 * Real simulated hardware and machine; the transaction manager is a stand-in that fails the test
 * if reached: no card is presented, so no session starts.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../hal/clock.js';
import { createSimulatedCharger } from '../../hal/sim/createSimulatedCharger.js';
import type { TransactionManager } from '../transactions/TransactionManager.js';
import { ConnectorController, type StatusChange } from './ConnectorController.js';
import { CONNECTOR_INPUT } from './testing/connectorHarness.js';

const noTransactions = new Proxy({} as TransactionManager, {
  get: (_, key) => {
    throw new Error(`the transaction manager was reached (${String(key)}) though no session may start here`);
  },
});

function controllerOn(sim: ReturnType<typeof createSimulatedCharger>, clock: SimulatedClock) {
  const statuses: string[] = [];
  const controller = new ConnectorController({
    hardware: sim.hardware.connectors[0]!,
    input: CONNECTOR_INPUT,
    clock,
    log: pino({ level: 'silent' }),
    transactions: noTransactions,
    onStatus: (change: StatusChange) => void statuses.push(change.status),
  });
  controller.start();
  return { controller, statuses };
}

const listeners = (sim: ReturnType<typeof createSimulatedCharger>) => {
  const { relay, meter, pilot } = sim.hardware.connectors[0]!;
  return relay.listenerCount('fault') + meter.listenerCount('fault') + meter.listenerCount('reading') + pilot.listenerCount('state');
};

describe('ConnectorController device listeners', () => {
  it('a second controller on the same devices takes them over; the first one’s dispose leaves it listening', () => {
    const clock = new SimulatedClock();
    const sim = createSimulatedCharger({ clock });
    const old = controllerOn(sim, clock);
    const restarted = controllerOn(sim, clock);
    sim.connectors[0]!.ev.plugIn();
    expect(restarted.statuses.at(-1)).toBe('Preparing');
    expect(old.statuses).toEqual(['Available']); // the devices report to the newest controller only
    old.controller.dispose();
    sim.connectors[0]!.ev.unplug();
    expect(restarted.statuses.at(-1)).toBe('Available');
    expect(restarted.statuses).toEqual(['Available', 'Preparing', 'Available']);
    restarted.controller.dispose();
    expect(listeners(sim)).toBe(0);
  });

  it('each device event reaches its own connector’s controller, once', () => {
    const clock = new SimulatedClock();
    const a = createSimulatedCharger({ clock });
    const b = createSimulatedCharger({ clock });
    const ca = controllerOn(a, clock);
    const cb = controllerOn(b, clock);
    b.connectors[0]!.ev.plugIn();
    expect(ca.statuses).toEqual(['Available']);
    expect(cb.statuses).toEqual(['Available', 'Preparing']);
    a.connectors[0]!.pilot.setVehicleState('F'); // a pilot fault on a: Faulted there only
    expect(ca.statuses).toEqual(['Available', 'Faulted']);
    expect(cb.statuses).toEqual(['Available', 'Preparing']);
    ca.controller.dispose();
    cb.controller.dispose();
    expect(listeners(a) + listeners(b)).toBe(0);
  });
});
