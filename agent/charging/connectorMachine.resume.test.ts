/**
 * RESUME_TRANSACTION (ResumeTransactionOnPowerLoss): the machine takes over a transaction that ran
 * before a restart without a startTransaction command, closes the contactor only through its normal
 * guard, and ignores the event anywhere but Preparing.
 */
import { describe, expect, it } from 'vitest';
import type { PilotState } from '../../hal/index.js';
import { connectorHarness } from './testing/connectorHarness.js';
import { hasTransaction, statusOf, transactionId } from './connectorSelectors.js';
import type { ConnectorEvent, ConnectorInput } from './connectorTypes.js';

const connector = (input: Partial<ConnectorInput>) => connectorHarness(input);

const resume = (transactionIdOf?: number): ConnectorEvent => ({ type: 'RESUME_TRANSACTION', idTag: 'TAG', ...(transactionIdOf !== undefined && { transactionId: transactionIdOf }) });
const pilot = (state: PilotState): ConnectorEvent => ({ type: 'PILOT', state });

describe('connector machine: RESUME_TRANSACTION', () => {
  it('from Preparing with the EV waiting (B): offers current, no startTransaction; closes when the EV asks (C)', () => {
    const c = connector({ pilot: 'B' });
    expect(statusOf(c.snapshot)).toBe('Preparing');
    expect(c.send(resume(77))).toEqual([{ type: 'offerCurrent', amps: 32 }]);
    expect(statusOf(c.snapshot)).toBe('SuspendedEV');
    expect(transactionId(c.snapshot)).toBe(77);
    expect(c.send(pilot('C'))).toEqual([{ type: 'closeContactor' }]);
    expect(statusOf(c.snapshot)).toBe('Charging');
    expect(c.send({ type: 'STOP', reason: 'Remote' })).toEqual([{ type: 'openContactor' }, { type: 'offerCurrent', amps: 0 }, { type: 'stopTransaction', reason: 'Remote' }]);
  });

  it('an unconfirmed start still awaits its StartTransaction answer, which may end it (Invalid)', () => {
    const c = connector({ pilot: 'C' });
    expect(c.send(resume())).toEqual([{ type: 'offerCurrent', amps: 32 }, { type: 'closeContactor' }]);
    expect(c.send({ type: 'TRANSACTION_CONFIRMED', transactionId: 5, idTagStatus: 'Invalid' })).toContainEqual({ type: 'stopTransaction', reason: 'DeAuthorized' });
  });

  it('is ignored unless Preparing: no EV, faulted, unavailable, already in a transaction', () => {
    expect(connector({ pilot: 'A' }).send(resume(1))).toEqual([]);
    const unavailable = connector({ pilot: 'B', operative: false });
    expect(unavailable.send(resume(1))).toEqual([]);
    expect(hasTransaction(unavailable.snapshot)).toBe(false);
    const faulted = connector({ pilot: 'B' });
    faulted.send({ type: 'FAULT', fault: { code: 'STORAGE_FAULT', ocppErrorCode: 'OtherError', recoverable: true, info: 'disk' } });
    expect(faulted.send(resume(1))).toEqual([]);
    expect(hasTransaction(faulted.snapshot)).toBe(false);
    const busy = connector({ pilot: 'B' });
    busy.send({ type: 'AUTHORIZED', idTag: 'OTHER' });
    expect(busy.send(resume(1))).toEqual([]);
    expect(busy.snapshot.context.transaction?.idTag).toBe('OTHER');
  });
});
