import { describe, expect, it } from 'vitest';
import { parseTariff, priceTextOf } from './CsmsTariff.js';

describe('the embedded CSMS tariff file', () => {
  it('reads a full tariff; flat fee and hour price default to 0', () => {
    expect(parseTariff({ currency: 'EUR', kWhPrice: 0.39 })).toEqual({ currency: 'EUR', flatFee: 0, kWhPrice: 0.39, hourPrice: 0 });
    const full = { currency: 'EUR', flatFee: 1, kWhPrice: 0.39, hourPrice: 0.6, idle: { graceMinutes: 30, hourPrice: 6 }, priceText: '0.39 EUR/kWh', receiptUrl: 'https://x.example/r/{transactionId}' };
    expect(parseTariff(full)).toEqual(full);
  });

  it.each([
    ['not a section', 'cheap', /^\(top level\): expected a tariff/],
    ['an unknown key', { currency: 'EUR', kWhPrice: 1, vat: 19 }, /^vat: unknown key/],
    ['no currency', { kWhPrice: 1 }, /^currency: expected a currency .*, but it is not set$/],
    ['a price that is not a number', { currency: 'EUR', kWhPrice: 'cheap' }, /^kWhPrice: expected a price of 0 or more, got "cheap"$/],
    ['a negative flat fee', { currency: 'EUR', kWhPrice: 1, flatFee: -1 }, /^flatFee: expected a price of 0 or more, got -1$/],
    ['a fractional grace', { currency: 'EUR', kWhPrice: 1, idle: { graceMinutes: 1.5, hourPrice: 1 } }, /^idle.graceMinutes: expected whole minutes/],
    ['a receipt URL that is not http(s)', { currency: 'EUR', kWhPrice: 1, receiptUrl: 'ftp://x' }, /^receiptUrl: expected an http\(s\) URL/],
  ])('refuses %s, naming the key', (_name, raw, message) => {
    expect(() => parseTariff(raw)).toThrow(message);
  });

  it('words the price text from the prices unless the file gives one', () => {
    expect(priceTextOf({ currency: 'EUR', flatFee: 1, kWhPrice: 0.39, hourPrice: 0, idle: { graceMinutes: 30, hourPrice: 6 } })).toBe('0.39 EUR/kWh, 1.00 EUR per session, idle 6.00 EUR/h after 30 min');
    expect(priceTextOf({ currency: 'EUR', flatFee: 0, kWhPrice: 0.39, hourPrice: 0, priceText: 'Flat 0.39' })).toBe('Flat 0.39');
  });
});
