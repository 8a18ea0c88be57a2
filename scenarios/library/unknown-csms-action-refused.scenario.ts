import { scenario } from '../kit/scenario.js';

/**
 * A call the charger does not implement is answered with a CallError, and the charger keeps
 * working. SignCertificate goes from the charger to the CSMS: no charger answers it.
 */
export default scenario('an unsupported CSMS action gets a CallError', async (t) => {
  const code = await t.csms.sendError('SignCertificate', { csr: '-----BEGIN CERTIFICATE REQUEST-----' });
  if (code !== 'NotImplemented') throw new Error(`expected NotImplemented, got ${code}`);
  await t.ev.plugIn(1);
  await t.rfid.present('04A1B2C3');
  await t.expect.status(1, 'Charging');
});
