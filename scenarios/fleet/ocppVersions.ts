/**
 * Which OCPP version each charger of a fleet speaks: a mix in percent (`{ '1.6': 70, '2.0.1': 30 }`,
 * profile key `ocppVersions`, or `evse fleet --ocpp 2.0.1` / `--ocpp 1.6:70,2.0.1:30`), assigned by
 * fleet position: charger k speaks 2.0.1 when frac(k·φ) < p, φ = (√5 − 1)/2, for the 2.0.1 share p
 * (a golden-ratio low-discrepancy sequence). So the mix holds to within a charger or two over the
 * fleet and over any run of consecutive positions, and to within a few chargers in every shard and
 * worker thread (they take residues of the positions, on which a pattern with a period, e.g. every
 * third of ten, would fall unevenly); it is the same in every run (a charger keeps its version when `--count`
 * grows), and a CSMS can tell a charger's version from its id.
 */
import type { OcppVersion } from '../../agent/ocpp/ProtocolFace.js';

export type { OcppVersion };

/** The versions a fleet charger can speak, in report order. */
export const OCPP_VERSIONS: readonly OcppVersion[] = ['1.6', '2.0.1'];

/** Percent of the chargers per version; the percents add up to 100. */
export type OcppVersionMix = Partial<Record<OcppVersion, number>>;

/** Every charger speaks 1.6 (what a fleet without a mix does). */
export const ALL_16: OcppVersionMix = Object.freeze({ '1.6': 100 });

/** The golden ratio's fractional part: its multiples spread evenly over [0, 1) in any stride. */
const GOLDEN = (Math.sqrt(5) - 1) / 2;

/** The version of the charger at fleet position `k` (1-based). */
export function versionAt(mix: OcppVersionMix | undefined, k: number): OcppVersion {
  const p = (mix?.['2.0.1'] ?? 0) / 100;
  if (p <= 0) return '1.6';
  if (p >= 1) return '2.0.1';
  return (k * GOLDEN) % 1 < p ? '2.0.1' : '1.6';
}

/** Problems of a mix, as `[key, message]` (the key is the version, or '' for the whole). */
export function mixProblems(mix: Record<string, unknown>): [string, string][] {
  const problems: [string, string][] = [];
  let total = 0;
  for (const [key, value] of Object.entries(mix)) {
    if (!(OCPP_VERSIONS as readonly string[]).includes(key)) problems.push([key, `unknown OCPP version; expected ${OCPP_VERSIONS.join(' or ')}`]);
    else if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 100) problems.push([key, `expected a percentage 0..100, got ${JSON.stringify(value)}`]);
    else total += value;
  }
  if (problems.length === 0 && Math.abs(total - 100) > 1e-6) {
    problems.push(['', `percentages add up to ${+total.toFixed(6)} (${Object.entries(mix).map(([k, v]) => `${k}: ${String(v)}`).join(', ')}), must add up to 100`]);
  }
  return problems;
}

/**
 * `--ocpp`: one version for the whole fleet (`2.0.1`) or a mix in percent (`1.6:70,2.0.1:30`).
 * Throws a RangeError naming the option.
 */
export function parseOcppOption(text: string): OcppVersionMix {
  const t = text.trim();
  if ((OCPP_VERSIONS as readonly string[]).includes(t)) return { [t]: 100 };
  const mix: Record<string, number> = {};
  for (const part of t.split(',')) {
    const m = /^\s*([^:\s]+)\s*:\s*([0-9]+(?:\.[0-9]+)?)\s*$/.exec(part);
    if (!m) throw new RangeError(`--ocpp: expected 1.6, 2.0.1 or a mix in percent such as 1.6:70,2.0.1:30, got "${text}"`);
    if (m[1]! in mix) throw new RangeError(`--ocpp: version ${m[1]} given twice in "${text}"`);
    mix[m[1]!] = Number(m[2]);
  }
  const problems = mixProblems(mix);
  if (problems.length > 0) throw new RangeError(`--ocpp: ${problems.map(([k, msg]) => (k ? `${k}: ${msg}` : msg)).join('; ')}`);
  return mix as OcppVersionMix;
}

/** `1.6`, `2.0.1` or `1.6 70 %, 2.0.1 30 %`. */
export function describeMix(mix: OcppVersionMix | undefined): string {
  const parts = OCPP_VERSIONS.filter((v) => (mix?.[v] ?? 0) > 0);
  if (parts.length === 0) return '1.6';
  if (parts.length === 1) return parts[0]!;
  return parts.map((v) => `${v} ${mix![v]} %`).join(', ');
}
