import { scenario } from '../kit/scenario.js';

/** ChangeConfiguration MeterValueSampleInterval=60 is Accepted, reported by GetConfiguration, and the next session samples every minute. */
export default scenario('a configuration change applies without restart', async (t) => {
  const changed = await t.csms.send('ChangeConfiguration', { key: 'MeterValueSampleInterval', value: '60' });
  if (changed.status !== 'Accepted') throw new Error(`ChangeConfiguration answered ${changed.status}`);
  const got = await t.csms.send('GetConfiguration', { key: ['MeterValueSampleInterval'] });
  const value = got.configurationKey?.find((k) => k.key === 'MeterValueSampleInterval')?.value;
  if (value !== '60') throw new Error(`GetConfiguration reported ${value}`);
  await t.ev.plugIn(1);
  await t.rfid.present('04A1B2C3');
  await t.csms.expect('StartTransaction');
  await t.csms.expect('MeterValues', undefined, { within: '70s' });
  await t.csms.expect('MeterValues', undefined, { within: '70s' });
});
