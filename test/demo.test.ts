/**
 * `npm run demo` as a new user runs it: one session against the embedded strict CSMS, exit 0, and
 * the order the CSMS saw is causal (StartTransaction before Charging, StopTransaction before Available).
 */
import { describe, expect, it } from 'vitest';
import { spawnEvse } from './support/spawnEvse.js';

describe('evse demo', () => {
  it('exits 0 with one transaction, and the CSMS saw StartTransaction before Charging and StopTransaction before Available', async () => {
    const demo = spawnEvse(['demo', '--json'], { EVSE_LOG_LEVEL: 'silent' });
    expect(await demo.exited).toBe(0);
    const lines = demo.stdout().trim().split('\n').map((l) => JSON.parse(l) as { type: string; order?: string[]; ok?: boolean });
    const order = lines.find((l) => l.type === 'summary' && l.order)!;
    expect(order.ok).toBe(true);
    const trail = order.order!;
    expect(trail.indexOf('StartTransaction')).toBeLessThan(trail.indexOf('Charging'));
    expect(trail.indexOf('StopTransaction')).toBeLessThan(trail.lastIndexOf('Available'));
    expect(trail.at(-1)).toBe('Available');
  });
});
