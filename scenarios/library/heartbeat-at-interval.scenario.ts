import { scenario } from '../kit/scenario.js';

/** The charger heartbeats at the interval the BootNotification answer gave (here 10 minutes). */
export default scenario('heartbeats follow the interval from the boot answer', { boot: { interval: 600 } }, async (t) => {
  await t.csms.expect('Heartbeat', undefined, { within: '11m' });
  const first = t.clock.elapsed();
  await t.csms.expect('Heartbeat', undefined, { within: '11m' });
  const gap = t.clock.elapsed() - first;
  if (gap < 590_000 || gap > 610_000) throw new Error(`expected a heartbeat every 600 s, got ${gap / 1000} s`);
});
