/**
 * `evse csms --sites <profile>`: the sites of a fleet profile for the embedded CSMS's load manager
 * (scenarios/csms/SiteLoadManager.ts), read the way `evse fleet --profile` reads the file, so both
 * put the same chargers on the same sites (scenarios/fleet/sites.ts). Loaded only when
 * `evse csms` runs: the profile schema is not compiled for other commands.
 */
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { mergeOverDefault, parseProfile } from '../scenarios/fleet/profile.js';
import { DEFAULT_PROFILE } from '../scenarios/fleet/profileDefault.js';
import { resolveSites, type Site, type SiteProfile } from '../scenarios/fleet/sites.js';
import { chargerId } from '../scenarios/fleet/fleetIds.js';

/** `--sites <file>`: a fleet profile (YAML/JSON) with a `sites:` list, read as `evse fleet --profile` reads it. */
function sitesFile(file: string): SiteProfile[] | string {
  let raw: unknown;
  try {
    raw = YAML.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    return `--sites: cannot read ${file}: ${(err as Error).message.split('\n')[0]}`;
  }
  let sites: SiteProfile[];
  try {
    sites = parseProfile(mergeOverDefault(DEFAULT_PROFILE, raw), file).sites;
  } catch (err) {
    return `--sites: ${(err as Error).message}`;
  }
  if (sites.length === 0) return `--sites: ${file}: sites: expected a list of sites (name, chargers or share, limitKW or limitA), got none`;
  return sites;
}

/**
 * The sites with their chargers, or a usage error naming the option: a site given as a share
 * needs the fleet's size (`--site-chargers`, the fleet's `--count`).
 */
export function csmsSites(flags: { sites?: string; siteChargers?: number; siteIdPrefix?: string }): { sites: Site[]; idPrefix: string } | string | undefined {
  if (flags.sites === undefined) return flags.siteChargers === undefined ? undefined : '--site-chargers: needs --sites';
  const sites = sitesFile(flags.sites);
  if (typeof sites === 'string') return sites;
  const shared = sites.find((s) => s.share !== undefined);
  if (shared && flags.siteChargers === undefined) return `--sites: site ${shared.name} is a share of the fleet: give the fleet's size with --site-chargers <n> (its --count)`;
  const total = flags.siteChargers ?? sites.reduce((n, s) => n + (s.chargers ?? 0), 0);
  return { sites: resolveSites(sites, total), idPrefix: flags.siteIdPrefix ?? 'CP' };
}

/** One line per site for the start of `evse csms --sites`. */
export function describeSites(s: { sites: Site[]; idPrefix: string }): string[] {
  return s.sites.map((site) => {
    const ids = site.count === 0 ? 'no chargers' : `${chargerId(s.idPrefix, site.first)}…${chargerId(s.idPrefix, site.first + site.count - 1)}`;
    return `site ${site.name}: ${ids}, limit ${(site.limitW / 1000).toFixed(1)} kW = ${site.limitA.toFixed(1)} A per phase (${site.phases} × ${site.voltageV} V)`;
  });
}
