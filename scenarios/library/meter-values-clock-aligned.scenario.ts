import { scenario } from '../kit/scenario.js';

type MeterValuesRequest = { meterValue: { timestamp: string; sampledValue: { context?: string }[] }[] };
const clockAligned = (r: MeterValuesRequest) => r.meterValue.some((mv) => mv.sampledValue.some((s) => s.context === 'Sample.Clock'));

/** With ClockAlignedDataInterval 900 s the charger sends Sample.Clock meter values on the quarter hour. */
export default scenario('clock-aligned meter values every 15 minutes', { ocpp: { ClockAlignedDataInterval: 900 } }, async (t) => {
  await t.ev.plugIn(1);
  await t.rfid.present('04A1B2C3');
  await t.expect.status(1, 'Charging');
  const first = await t.csms.expect('MeterValues', clockAligned, { within: '16m' });
  const second = await t.csms.expect('MeterValues', clockAligned, { within: '16m' });
  const at = (r: MeterValuesRequest) => r.meterValue[0]!.timestamp;
  if (!at(first).endsWith(':15:00.000Z') || !at(second).endsWith(':30:00.000Z')) {
    throw new Error(`expected samples at 00:15 and 00:30, got ${at(first)} and ${at(second)}`);
  }
});
