import { describe, expect, it } from 'vitest';
import { mergeOverDefault, parseProfile } from './profile.js';
import { DEFAULT_PROFILE } from './profileDefault.js';
import { resolveSites, siteIndexOf, siteIndexOfCharger } from './sites.js';
import { shareLimit } from '../csms/SiteLoadManager.js';
import { mergeSites, type FleetSitesReport } from './FleetSites.js';
import { LatencyHistogram } from './LatencyHistogram.js';

const parse = (sites: unknown) => parseProfile(mergeOverDefault(DEFAULT_PROFILE, { sites }), 'p.yaml');

describe('fleet sites', () => {
  it('are optional in a profile (default none)', () => {
    expect(parseProfile(mergeOverDefault(DEFAULT_PROFILE, { name: 'x' })).sites).toEqual([]);
    const { sites: _omitted, ...withoutSites } = DEFAULT_PROFILE;
    expect(parseProfile(withoutSites).sites).toEqual([]);
  });

  it('take consecutive fleet positions in list order; a share is of the fleet, rounded; the end cuts them short', () => {
    const sites = resolveSites(parse([{ name: 'a', chargers: 3, limitA: 32 }, { name: 'b', share: 0.25, limitKW: 22, phases: 1 }, { name: 'c', chargers: 10, limitA: 16 }]).sites, 10);
    expect(sites.map((s) => [s.name, s.first, s.count])).toEqual([['a', 1, 3], ['b', 4, 3], ['c', 7, 4]]);
    expect(sites[0]).toMatchObject({ limitA: 32, limitW: 32 * 230 * 3, phases: 3, voltageV: 230 });
    expect(sites[1]!.limitA).toBeCloseTo(22_000 / 230, 6);
    expect([1, 3, 4, 6, 7, 10, 11].map((k) => siteIndexOf(sites, k))).toEqual([0, 0, 1, 1, 2, 2, -1]);
    expect(siteIndexOfCharger(sites, 'CP', 'CP00005')).toBe(1);
    expect(siteIndexOfCharger(sites, 'CP', 'XY00005')).toBe(-1);
    expect(siteIndexOfCharger(sites, 'CP', 'CP5')).toBe(-1);
  });

  it('name each wrong field', () => {
    expect(() => parse([{ name: 'a', chargers: 2 }])).toThrow(/sites\[0\]: expected exactly one of limitKW .* or limitA/);
    expect(() => parse([{ name: 'a', chargers: 2, share: 0.5, limitA: 10 }])).toThrow(/sites\[0\]: expected exactly one of chargers .* or share/);
    expect(() => parse([{ name: 'a', chargers: 2, limitA: 10 }, { name: 'a', chargers: 1, limitA: 10 }])).toThrow(/sites\[1\]\.name: "a" is already the name of sites\[0\]/);
    expect(() => parse([{ name: 'a', share: 0.7, limitA: 10 }, { name: 'b', share: 0.4, limitA: 10 }])).toThrow(/sites: shares add up to 1\.1, more than 1/);
    expect(() => parse([{ name: 'a', chargers: 0, limitA: 10, phases: 2 }])).toThrow(/sites\[0\]\.chargers: must be >= 1.*sites\[0\]\.phases: expected one of 1, 3/);
    expect(() => parse([{ name: 'a', chargers: 1, limitKW: 10, fuse: 3 }])).toThrow(/sites\[0\]\.fuse: unknown field/);
  });

  it('the load manager shares a limit evenly in whole amps, or 6 A each among the earliest', () => {
    expect(shareLimit(32, 0)).toEqual([]);
    expect(shareLimit(32, 1)).toEqual([32]);
    expect(shareLimit(32, 3)).toEqual([10, 10, 10]);
    expect(shareLimit(15.9, 2)).toEqual([7, 7]);
    expect(shareLimit(20, 4)).toEqual([6, 6, 6, 0]);
    expect(shareLimit(13, 3)).toEqual([6, 6, 0]);
    expect(shareLimit(5, 2)).toEqual([0, 0]);
  });

  it('reports of threads and shards merge: chargers and each step\'s power add up, obey latencies exactly', () => {
    const part = (chargers: number, maxW: (number | null)[], latencies: number[]): FleetSitesReport => {
      const h = new LatencyHistogram();
      for (const v of latencies) h.add(v);
      return {
        sites: [{ name: 'a', chargers, limitW: 10_000, limitA: 14.5, phases: 3, voltageV: 230, maxW: Math.max(...maxW.map((w) => w ?? 0)), samples: maxW.length, samplesOverLimit: 0, power: { startedAt: 1_000_000, stepS: 1, maxW } }],
        obey: { received: latencies.length, obeyed: latencies.length, unchanged: 0, refused: 0, superseded: 0, ms: h.summary() },
        obeyLatency: h.state(),
      };
    };
    const merged = mergeSites([part(2, [4000, 6000, null], [10, 20]), part(3, [null, 5000, 3000], [30])])!;
    expect(merged.sites[0]).toMatchObject({ chargers: 5, maxW: 11_000, samplesOverLimit: 1 });
    expect(merged.sites[0]!.power.maxW).toEqual([4000, 11_000, 3000]);
    expect(merged.obey).toMatchObject({ received: 3, obeyed: 3 });
    expect(merged.obey.ms.count).toBe(3);
    expect(merged.obey.ms.max).toBe(30);
  });
});
