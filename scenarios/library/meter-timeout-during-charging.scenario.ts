import { scenario } from '../kit/scenario.js';

/** The meter stops answering mid-session: Faulted/PowerMeterFailure, the transaction survives; when it answers again charging resumes. */
export default scenario('meter timeout during charging faults the connector and recovers', { ocpp: { MeterValueSampleInterval: 60 } }, async (t) => {
  await t.ev.plugIn(1);
  await t.rfid.present('04A1B2C3');
  await t.expect.status(1, 'Charging');
  await t.clock.advance('5m');
  await t.fault.meter('timeout');
  await t.clock.advance('2m');
  await t.expect.status(1, 'Faulted');
  await t.csms.expect('StatusNotification', { connectorId: 1, status: 'Faulted', errorCode: 'PowerMeterFailure' });
  await t.fault.meter('clear');
  await t.clock.advance('2m');
  await t.expect.status(1, 'Charging');
  await t.expect.transactions(1);
  await t.csms.expectNone('StopTransaction', undefined, { within: '10s' });
});
