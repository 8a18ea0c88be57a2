import { scenario } from '../kit/scenario.js';

/**
 * A priced session (OCA California Pricing from the embedded CSMS's tariff): the driver display
 * shows the price after the card, the cost so far while charging, the idle fee running after the
 * stop while the vehicle stays, and the total once it leaves (ConnectorUnplugged, then FinalCost).
 */
export default scenario(
  'Priced session: price, cost so far, idle fee after the stop, total',
  {
    onlyOcpp: { version: '1.6', reason: 'the idle fee after the stop and ConnectorUnplugged are the OCA extension for 1.6; a 2.0.1 transaction is billed in full by the answer to its Ended event (priced-session-total-at-unplug runs on both)' },
    tariff: { currency: 'EUR', flatFee: 1, kWhPrice: 0.4, hourPrice: 0, idle: { graceMinutes: 10, hourPrice: 6 } },
    ocpp: { MeterValueSampleInterval: 300 },
  },
  async (t) => {
    await t.ev.plugIn(1);
    await t.rfid.present('04A1B2C3');
    await t.expect.status(1, 'Charging');
    await t.expect.display('0.40 EUR/kWh, 1.00 EUR per session');
    await t.expect.display(/^Cost so far 1\.00 EUR$/);
    await t.clock.advance('15m');
    await t.expect.display(/^Cost so far [2-9]\.\d\d EUR$/);
    await t.rfid.present('04A1B2C3'); // stops; the vehicle stays
    await t.expect.status(1, 'Finishing');
    await t.expect.display('Idle fee running until you unplug');
    await t.clock.advance('20m');
    await t.ev.unplug(1);
    await t.csms.expect('DataTransfer', { vendorId: 'org.openchargealliance.costmsg', messageId: 'ConnectorUnplugged' });
    await t.expect.display(/^Total \d+\.\d\d EUR$/, 1, { within: '10s' });
    await t.expect.transactions(1);
  },
);
