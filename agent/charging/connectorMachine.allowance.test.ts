/**
 * MaxEnergyOnInvalidId in the connector machine (pure): a rejected idTag that may not stop the
 * transaction keeps power while an allowance runs, asks the controller to measure it, and suspends
 * when told it is spent. Driven on a SimulatedClock; the commands each event caused are checked.
 */
import { describe, expect, it } from 'vitest';
import { connectorHarness } from './testing/connectorHarness.js';
import type { ConnectorEvent, ConnectorInput } from './connectorTypes.js';

/** Charging with StopTransactionOnInvalidId false: the idTag's rejection may not stop the transaction. */
function charging(input: Partial<ConnectorInput>) {
  const c = connectorHarness({ stopTransactionOnInvalidId: false, ...input });
  c.send({ type: 'PILOT', state: 'C' }, { type: 'AUTHORIZED', idTag: 'T' });
  return { send: c.send, status: () => c.status };
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
