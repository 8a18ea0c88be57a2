/**
 * MaxEnergyOnInvalidId in the connector machine (pure): a rejected idTag that may not stop the
 * transaction keeps power while an allowance runs, asks the controller to measure it, and suspends
 * when told it is spent. Driven on a SimulatedClock; the commands each event caused are checked.
 */
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { SimulatedClock } from '../../hal/clock.js';
import { connectorMachine } from './connectorMachine.js';
import { statusOf } from './connectorSelectors.js';
import type { ConnectorCommand, ConnectorEvent, ConnectorInput } from './connectorTypes.js';

function charging(input: Partial<ConnectorInput>) {
  const actor = createActor(connectorMachine, {
    clock: new SimulatedClock(),
    input: { connectorId: 1, maxCurrentA: 32, connectionTimeoutMs: 60_000, stopTransactionOnInvalidId: false, stopTransactionOnEVSideDisconnect: true, operative: true, ventilation: false, pilot: 'A', ...input },
  });
  let out: ConnectorCommand[] = [];
  actor.on('*', (c) => void out.push(c));
  actor.start();
  const send = (...events: ConnectorEvent[]) => {
    out = [];
    for (const e of events) actor.send(e);
    return out;
  };
  send({ type: 'PILOT', state: 'C' }, { type: 'AUTHORIZED', idTag: 'T' });
  return { send, status: () => statusOf(actor.getSnapshot()) };
}

const rejected: ConnectorEvent = { type: 'TRANSACTION_CONFIRMED', transactionId: 1, idTagStatus: 'Invalid' };

describe('MaxEnergyOnInvalidId', () => {
  it('> 0: keeps charging and asks for the energy to be measured; spent: PWM off, contactor open, SuspendedEVSE', () => {
    const c = charging({ maxEnergyOnInvalidIdWh: 500 });
    expect(c.status()).toBe('Charging');
    expect(c.send(rejected)).toEqual([{ type: 'limitEnergy', wh: 500 }]);
    expect(c.status()).toBe('Charging');
    expect(c.send({ type: 'ENERGY_ALLOWANCE_SPENT' })).toEqual([{ type: 'offerCurrent', amps: 0 }, { type: 'openContactor' }]);
    expect(c.status()).toBe('SuspendedEVSE');
    expect(c.send({ type: 'ENERGY_ALLOWANCE_SPENT' }, { type: 'PILOT', state: 'B' }, { type: 'PILOT', state: 'C' })).toEqual([]);
    expect(c.status()).toBe('SuspendedEVSE');
  });

  it('follows a CONFIGURE of the key; an accepted idTag never starts an allowance', () => {
    const c = charging({});
    c.send({ type: 'CONFIGURE', settings: { maxEnergyOnInvalidIdWh: 20 } });
    expect(c.send(rejected)).toEqual([{ type: 'limitEnergy', wh: 20 }]);
    const d = charging({ maxEnergyOnInvalidIdWh: 500 });
    expect(d.send({ type: 'TRANSACTION_CONFIRMED', transactionId: 1, idTagStatus: 'Accepted' }, { type: 'ENERGY_ALLOWANCE_SPENT' })).toEqual([]);
    expect(d.status()).toBe('Charging');
  });
});
