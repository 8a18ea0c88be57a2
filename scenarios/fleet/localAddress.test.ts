/**
 * `localAddresses`: each charger's WebSocket leaves from one of the given source addresses
 * (round-robin by position), seen as such by the embedded strict CSMS on 127.0.0.1. Linux routes
 * all of 127.0.0.0/8 to the loopback interface, so 127.0.0.2 and 127.0.0.3 are real addresses here.
 */
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedCsms } from '../csms/EmbeddedCsms.js';
import { Fleet } from './Fleet.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

describe('fleet local source addresses', () => {
  it('connects each charger from its address, round-robin by position', { timeout: 30_000 }, async () => {
    const log = pino({ level: 'silent' });
    const csms = new EmbeddedCsms({ logger: log });
    const { url } = await csms.start();
    cleanups.push(() => csms.stop());
    const seen = new Map<string, string | undefined>();
    csms.on('connect', (c) => seen.set(c.chargePointId, c.remoteAddress));
    const fleet = new Fleet({ csmsUrl: url, count: 6, idPrefix: 'LA', rampPerSecond: 100, log, behaviour: false, localAddresses: ['127.0.0.2', '127.0.0.3'] });
    cleanups.push(() => fleet.stop(2000));
    await fleet.start();
    const deadline = Date.now() + 15_000;
    while (fleet.accepted < 6 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(fleet.accepted).toBe(6);
    // Positions are 1-based: LA00001 is position 1 → the second address.
    for (let k = 1; k <= 6; k++) expect(seen.get(`LA${String(k).padStart(5, '0')}`)).toMatch(k % 2 === 0 ? /127\.0\.0\.2$/ : /127\.0\.0\.3$/);
  });
});
