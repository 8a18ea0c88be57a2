import { scenario } from '../kit/scenario.js';

/**
 * A priced session on either OCPP version: the driver display shows the tariff after the card,
 * the cost so far rising while charging, and the total once the unplug ended the session. The
 * embedded CSMS's tariff says it with the OCA California Pricing DataTransfers to a 1.6 charger,
 * and in the answers to Authorize and TransactionEvent (personalMessage, totalCost) to a 2.0.1 one.
 */
export default scenario(
  'Priced session: price, cost so far, total at the unplug',
  { tariff: { currency: 'EUR', flatFee: 1, kWhPrice: 0.4, hourPrice: 0 }, ocpp: { MeterValueSampleInterval: 300 } },
  async (t) => {
    await t.ev.plugIn(1);
    await t.rfid.present('04A1B2C3');
    await t.expect.status(1, 'Charging');
    await t.expect.display('0.40 EUR/kWh, 1.00 EUR per session');
    await t.expect.display(/^Cost so far 1\.00 EUR$/);
    await t.clock.advance('15m');
    await t.expect.display(/^Cost so far [2-9]\.\d\d EUR$/);
    await t.ev.unplug(1);
    await t.expect.display(/^Total [2-9]\.\d\d EUR$/, 1, { within: '10s' });
    await t.expect.display(/^\d+\.\d\d kWh, [2-9]\.\d\d EUR$/, 1, { within: '10s' });
    await t.expect.transactions(1);
  },
);
