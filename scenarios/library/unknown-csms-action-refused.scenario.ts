import { scenario } from '../kit/scenario.js';

/** A call the charger does not implement (GetDiagnostics, FirmwareManagement profile) is answered with a CallError, and the charger keeps working. */
export default scenario('an unsupported CSMS action gets a CallError', async (t) => {
  const code = await t.csms.sendError('GetDiagnostics', { location: 'ftp://127.0.0.1/diagnostics' });
  if (code !== 'NotImplemented') throw new Error(`expected NotImplemented, got ${code}`);
  await t.ev.plugIn(1);
  await t.rfid.present('04A1B2C3');
  await t.expect.status(1, 'Charging');
});
