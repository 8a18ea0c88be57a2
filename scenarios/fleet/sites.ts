/**
 * Sites of a fleet: groups of chargers behind one grid connection with a limit. A fleet profile's
 * `sites:` list names them in order, each with a number (`chargers`) or a share (`share` of the
 * fleet's `--count`) of chargers, and the limit in kW (`limitKW`) or in A per phase (`limitA`) at
 * `phases` and `voltageV`.
 *
 * Which charger is on which site follows from the list and the fleet's size alone: the sites take
 * consecutive fleet positions in list order (the first site positions 1…n₁, the next n₁+1…, and so
 * on); positions past the last site belong to none. Charger ids are `<prefix><position>`
 * (fleetIds.ts), so the fleet (every shard and thread) and the embedded CSMS's load manager
 * (`evse csms --sites <profile>`) reading the same profile file agree on every charger's site
 * without telling each other (docs/fleet.md, Sites).
 */
import { positionOf } from './controlRouting.js';

/** One site as a profile file writes it. */
export interface SiteProfile {
  name: string;
  /** How many chargers: a number, or a share of the fleet's count (exactly one of the two). */
  chargers?: number;
  share?: number;
  /** The grid limit: kW over all phases, or A per phase (exactly one of the two). */
  limitKW?: number;
  limitA?: number;
  /** Phases of the grid connection (default 3). */
  phases?: 1 | 3;
  /** Nominal phase-to-neutral voltage, V (default 230). */
  voltageV?: number;
}

/** A site with its chargers' fleet positions and its limit in both units. */
export interface Site {
  name: string;
  /** First fleet position (1-based) and how many follow it. */
  first: number;
  count: number;
  /** A per phase. */
  limitA: number;
  /** W over all phases. */
  limitW: number;
  phases: 1 | 3;
  voltageV: number;
}

const name = { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,40}$' } as const;

/** JSON Schema of the `sites` list (fleet profile schema, profileSchema.ts). */
export const SITES_SCHEMA = {
  type: 'array',
  maxItems: 1000,
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: {
      name,
      chargers: { type: 'integer', minimum: 1, maximum: 1_000_000 },
      share: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
      limitKW: { type: 'number', exclusiveMinimum: 0, maximum: 1_000_000 },
      limitA: { type: 'number', exclusiveMinimum: 0, maximum: 100_000 },
      phases: { enum: [1, 3] },
      voltageV: { type: 'number', minimum: 100, maximum: 300 },
    },
  },
} as const;

/** The rules the schema cannot say: one of chargers/share, one of limitKW/limitA, unique names, shares within 1. */
export function siteIssues(sites: readonly SiteProfile[]): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  sites.forEach((s, i) => {
    const at = `sites[${i}]`;
    if ((s.chargers === undefined) === (s.share === undefined)) issues.push({ path: at, message: 'expected exactly one of chargers (a number) or share (of the fleet, 0..1)' });
    if ((s.limitKW === undefined) === (s.limitA === undefined)) issues.push({ path: at, message: 'expected exactly one of limitKW (kW over all phases) or limitA (A per phase)' });
    const first = sites.findIndex((o) => o.name === s.name);
    if (first < i) issues.push({ path: `${at}.name`, message: `"${s.name}" is already the name of sites[${first}]` });
  });
  const shares = sites.reduce((n, s) => n + (s.share ?? 0), 0);
  if (shares > 1 + 1e-9) issues.push({ path: 'sites', message: `shares add up to ${+shares.toFixed(9)}, more than 1` });
  return issues;
}

/**
 * The sites of a fleet of `total` chargers: consecutive positions in list order; a share is
 * rounded to whole chargers; a site past the end of the fleet is cut short (or empty).
 */
export function resolveSites(sites: readonly SiteProfile[], total: number): Site[] {
  let next = 1;
  return sites.map((s) => {
    const wanted = s.chargers ?? Math.round((s.share ?? 0) * total);
    const first = next;
    next += wanted;
    const count = Math.max(0, Math.min(wanted, total - first + 1));
    const phases = s.phases ?? 3;
    const voltageV = s.voltageV ?? 230;
    const limitA = s.limitA ?? ((s.limitKW ?? 0) * 1000) / (voltageV * phases);
    return { name: s.name, first, count, limitA, limitW: limitA * voltageV * phases, phases, voltageV };
  });
}

/** The index in `sites` of the site of fleet position `k`, or -1. */
export function siteIndexOf(sites: readonly Site[], k: number): number {
  return sites.findIndex((s) => k >= s.first && k < s.first + s.count);
}

/** The index of the site of charger `id` (ids `<prefix><position>`), or -1. */
export function siteIndexOfCharger(sites: readonly Site[], idPrefix: string, id: string): number {
  const k = positionOf(id, idPrefix);
  return k === undefined ? -1 : siteIndexOf(sites, k);
}
