import { describe, expect, it } from 'vitest';
import { HAL_ERRORS } from '../../hal/errors.js';
import { explainFault, maskIdTag, screenFromStatus } from './chargerView.js';

describe('screenFromStatus (the driver display until the display service provides it)', () => {
  const tx = { transaction: { localId: 'l', idTag: '04A1…', startedAt: '', energyWh: 2345 }, powerW: 11_040 };
  it.each([
    ['Available', {}, ['Ready', 'Plug in or tap your card']],
    ['Preparing', {}, ['Tap your card or plug in', 'to start charging']],
    ['Preparing', tx, ['Starting…']],
    ['Charging', tx, ['Charging', '11.0 kW  2.35 kWh']],
    ['SuspendedEV', tx, ['Paused by the vehicle', '2.35 kWh']],
    ['SuspendedEVSE', tx, ['Paused by the charger', '2.35 kWh']],
    ['Finishing', {}, ['Charging finished', 'Please unplug the cable']],
    ['Reserved', {}, ['Reserved']],
    ['Unavailable', {}, ['Out of service']],
    ['Faulted', { faults: [explainFault('RELAY_WELDED')] }, ['Out of order', HAL_ERRORS.RELAY_WELDED.text]],
    ['Faulted', { info: 'EV requests ventilation; not supported' }, ['Out of order', 'EV requests ventilation; not supported']],
  ] as const)('%s %j', (status, extra, lines) => {
    expect(screenFromStatus({ status, faults: [], ...extra })).toEqual(lines);
  });
});

describe('explainFault', () => {
  it('explains a fault from the HAL catalogue and says whether it needs a technician', () => {
    expect(explainFault('RELAY_WELDED')).toEqual({ code: 'RELAY_WELDED', ocppErrorCode: 'PowerSwitchFailure', recoverable: false, explanation: HAL_ERRORS.RELAY_WELDED.text, remedy: expect.stringMatching(/^needs a technician/) });
    expect(explainFault('METER_TIMEOUT', 'PowerMeterFailure')).toMatchObject({ recoverable: true, explanation: 'energy meter does not answer', remedy: expect.stringMatching(/^clears by itself/) });
  });

  it('shows a code it does not know as it is', () => {
    expect(explainFault('NEW_CODE')).toMatchObject({ code: 'NEW_CODE', ocppErrorCode: 'OtherError', explanation: 'NEW_CODE' });
  });
});

describe('maskIdTag', () => {
  it('shows the first 4 characters only', () => {
    expect(maskIdTag('04A1B2C3D4E5F6')).toBe('04A1…');
    expect(maskIdTag('ABCD')).toBe('ABCD');
  });
});
