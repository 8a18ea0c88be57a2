/**
 * Fleet behaviour profiles: what the drivers and the hardware of a virtual fleet do (arrivals by
 * hour of day and kind of day, the EV models and their shares, session length and energy by hour
 * of arrival, RFID vs remote starts, dwell time, faults) and the OCPP configuration its chargers
 * start with. A profile file lists only what differs from the default profile
 * ({@link mergeOverDefault}); {@link parseProfile} validates the result against a JSON Schema
 * (profileSchema.ts) plus cross-field rules and OCPP key checks, and reports every problem with
 * its field path (`evs[2].share`).
 */
import { checkInitialValues, type ConfigValue } from '../../agent/ocpp16/configurationKeys.js';
import { validateShape, type AjvError, type Distribution, type FleetProfile, type SessionWindow } from './profileSchema.js';
import { siteIssues } from './sites.js';
import { mixProblems } from './ocppVersions.js';

export { FAULT_KINDS, WEEKDAYS } from './profileSchema.js';
export type { Arrivals, DailyArrivals, Distribution, EvProfile, FaultKind, FaultRate, FleetProfile, SessionWindow, Weekday } from './profileSchema.js';

export interface ProfileIssue {
  readonly path: string;
  readonly message: string;
}

export class ProfileError extends Error {
  override readonly name = 'ProfileError';
  constructor(
    readonly source: string,
    readonly issues: readonly ProfileIssue[],
  ) {
    super(`invalid fleet profile ${source}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  }
}

// ── parsing ─────────────────────────────────────────────────────────────────────────────────

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const SESSION_DISTRIBUTIONS = ['minutes', 'energyKWh', 'dwellMinutes'] as const;

/**
 * A profile file's content over the default: `time`, `charger` and `sessions` merge key by key, `ocpp` keys
 * add to the default's, everything else (`arrivals`, `evs`, `faults`, `ocppGroups`, `ocppVersions`, `name`)
 * replaces it. `sessions.byHour` overrides the default's distributions by hour, so a file that
 * sets any of `sessions.minutes`, `energyKWh` or `dwellMinutes` without its own `byHour` drops
 * the default's windows: its distributions then hold at every hour.
 */
export function mergeOverDefault(base: FleetProfile, raw: unknown): unknown {
  if (!isRecord(raw)) return raw;
  const out: Record<string, unknown> = { ...base, ...raw };
  for (const key of ['time', 'charger', 'sessions', 'ocpp'] as const) if (isRecord(raw[key])) out[key] = { ...base[key], ...raw[key] };
  const sessions = raw.sessions;
  if (isRecord(sessions) && !('byHour' in sessions) && SESSION_DISTRIBUTIONS.some((k) => k in sessions)) out.sessions = { ...(out.sessions as object), byHour: [] };
  return out;
}

function valueAt(raw: unknown, path: string[]): unknown {
  let v = raw;
  for (const p of path) v = isRecord(v) || Array.isArray(v) ? (v as Record<string, unknown>)[p] : undefined;
  return v;
}

/** `['evs', '2', 'share']` → `evs[2].share`. */
function pathOf(at: readonly (string | number)[]): string {
  return at.map((p, i) => (typeof p === 'number' || /^\d+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`)).join('') || '(top)';
}

/** Validates a complete profile tree; throws a {@link ProfileError} naming every bad field. */
export function parseProfile(raw: unknown, source = '(inline)'): FleetProfile {
  const issues: ProfileIssue[] = [];
  if (!validateShape(raw)) {
    const seen = new Set<string>();
    for (const e of withinBestBranches(validateShape.errors ?? [])) {
      const at = e.instancePath.split('/').slice(1);
      if (e.keyword === 'additionalProperties' && e.params.additionalProperty !== undefined) at.push(e.params.additionalProperty);
      if (e.keyword === 'required' && e.params.missingProperty !== undefined) at.push(e.params.missingProperty);
      const path = pathOf(at);
      // oneOf reports each branch; one line per field is enough.
      if (seen.has(path)) continue;
      seen.add(path);
      const got = valueAt(raw, at);
      const message =
        e.keyword === 'additionalProperties' ? 'unknown field'
        : e.keyword === 'oneOf' ? oneOfHint(path)
        : e.keyword === 'enum' ? `expected one of ${(e.params.allowedValues ?? []).join(', ')}`
        : e.keyword === 'pattern' ? 'expected 1 to 40 letters, digits or _ . -'
        : (e.message ?? e.keyword);
      issues.push({ path, message: got === undefined || e.keyword === 'additionalProperties' ? message : `${message}, got ${JSON.stringify(got)}` });
    }
    // Keep the most specific issues: a field's own problem beats its parent's oneOf summary.
    throw new ProfileError(source, issues.filter((i) => !issues.some((o) => o !== i && (o.path.startsWith(`${i.path}.`) || o.path.startsWith(`${i.path}[`)))));
  }
  const shaped = raw as FleetProfile;
  // Optional fields get their defaults: Monday, no windows.
  const optional = { startDay: (shaped.time as Partial<FleetProfile['time']>).startDay ?? 'mon', byHour: (shaped.sessions as Partial<FleetProfile['sessions']>).byHour ?? [] };
  const charger = { ventilation: (shaped.charger as Partial<FleetProfile['charger']> | undefined)?.ventilation ?? false };
  const sites = (shaped as Partial<FleetProfile>).sites ?? [];
  const p: FleetProfile = { ...shaped, time: { ...shaped.time, startDay: optional.startDay }, charger, sessions: { ...shaped.sessions, byHour: optional.byHour }, sites };
  const distributions: [string, Distribution | null | undefined][] = [
    ...SESSION_DISTRIBUTIONS.map((k): [string, Distribution | null] => [`sessions.${k}`, p.sessions[k]]),
    ...p.sessions.byHour.flatMap((w, i) => SESSION_DISTRIBUTIONS.map((k): [string, Distribution | null | undefined] => [`sessions.byHour[${i}].${k}`, w[k]])),
    ...p.evs.map((ev, i): [string, Distribution] => [`evs[${i}].socStart`, ev.socStart]),
    ...Object.entries(p.faults).map(([k, f]): [string, Distribution | undefined] => [`faults.${k}.minutes`, f?.minutes]),
  ];
  for (const [path, d] of distributions) checkDistribution(path, d, issues);
  checkEvs(p, issues);
  checkWindows(p.sessions.byHour, issues);
  const ocpp = checkOcpp('ocpp', p.ocpp, issues);
  const groups = p.ocppGroups.map((g, i) => ({ share: g.share, ocpp: checkOcpp(`ocppGroups[${i}].ocpp`, g.ocpp, issues) }));
  const shares = p.ocppGroups.reduce((n, g) => n + g.share, 0);
  if (shares > 1 + 1e-9) issues.push({ path: 'ocppGroups', message: `shares add up to ${shares}, more than 1` });
  issues.push(...siteIssues(sites));
  if (p.ocppVersions) for (const [key, message] of mixProblems(p.ocppVersions)) issues.push({ path: key ? `ocppVersions['${key}']` : 'ocppVersions', message });
  if (issues.length > 0) throw new ProfileError(source, issues);
  return { ...p, ocpp, ocppGroups: groups };
}

/**
 * ajv reports every failing branch of a `oneOf`; keep only the branch the value came closest to
 * (fewest errors), or the `oneOf` error itself when even that branch has the wrong type.
 */
function withinBestBranches(all: AjvError[]): AjvError[] {
  let errors = all;
  for (const o of all.filter((e) => e.keyword === 'oneOf').sort((a, b) => a.schemaPath.length - b.schemaPath.length)) {
    if (!errors.includes(o)) continue;
    const base = `${o.schemaPath}/`;
    const branchOf = (e: AjvError) => (e.schemaPath.startsWith(base) ? Number(e.schemaPath.slice(base.length).split('/')[0]) : undefined);
    const counts = new Map<number, number>();
    for (const e of errors) {
      const b = branchOf(e);
      if (b !== undefined) counts.set(b, (counts.get(b) ?? 0) + 1);
    }
    // A branch the value has the type of beats one it has not, however few errors that one has.
    const typeMiss = (b: number) => errors.some((e) => branchOf(e) === b && e.instancePath === o.instancePath && e.keyword === 'type');
    const best = [...counts].sort((a, b) => Number(typeMiss(a[0])) - Number(typeMiss(b[0])) || a[1] - b[1] || a[0] - b[0])[0]?.[0];
    const wrongType = best !== undefined && typeMiss(best);
    errors = errors.filter((e) => (e === o ? wrongType : branchOf(e) === undefined || (!wrongType && branchOf(e) === best)));
  }
  return errors;
}

function oneOfHint(path: string): string {
  if (path === 'arrivals' || path === 'arrivals.weekend') return 'expected {perHour: [24 rates]} or {baseline, peaks: [{hour, perHour, widthHours}]}';
  if (path.endsWith('.socStart')) return 'expected a fraction 0..1, {min, max} or {median, p90[, min, max]}, all within 0..1';
  const d = 'a number, {min, max} or {median, p90[, min, max]}';
  return path.endsWith('.energyKWh') ? `expected null (no target) or ${d}` : `expected ${d}`;
}

function checkDistribution(path: string, d: Distribution | null | undefined, issues: ProfileIssue[]): void {
  if (d === null || d === undefined || typeof d === 'number') return;
  if ('median' in d && d.p90 < d.median) issues.push({ path: `${path}.p90`, message: `must be ≥ median (${d.median}), got ${d.p90}` });
  if (d.min !== undefined && d.max !== undefined && d.max < d.min) issues.push({ path: `${path}.max`, message: `must be ≥ min (${d.min}), got ${d.max}` });
}

/** Model shares add up to 1 (each session draws one model) and names are unique (counted by name). */
function checkEvs(p: FleetProfile, issues: ProfileIssue[]): void {
  const shares = p.evs.reduce((n, ev) => n + ev.share, 0);
  if (Math.abs(shares - 1) > 1e-6) issues.push({ path: 'evs', message: `shares add up to ${+shares.toFixed(9)} (${p.evs.map((ev) => ev.share).join(' + ')}), must add up to 1` });
  p.evs.forEach((ev, i) => {
    const first = p.evs.findIndex((o) => o.name === ev.name);
    if (first < i) issues.push({ path: `evs[${i}].name`, message: `"${ev.name}" is already the name of evs[${first}]` });
  });
}

/** The hour segments a window covers within one day ([from, to), split at midnight when it wraps). */
export function windowSegments(w: Pick<SessionWindow, 'from' | 'to'>): [number, number][] {
  return w.from < w.to ? [[w.from, w.to]] : [[w.from, 24], [0, w.to]];
}

function checkWindows(windows: readonly SessionWindow[], issues: ProfileIssue[]): void {
  windows.forEach((w, i) => {
    const at = `sessions.byHour[${i}]`;
    if (w.from === w.to) issues.push({ path: `${at}.to`, message: `must differ from from (${w.from}) (a whole day: from 0, to 24)` });
    else if (!SESSION_DISTRIBUTIONS.some((k) => k in w)) issues.push({ path: at, message: 'sets none of minutes, energyKWh, dwellMinutes' });
    for (let j = 0; j < i && w.from !== w.to; j++) {
      const o = windows[j]!;
      if (o.from === o.to) continue;
      const overlap = windowSegments(w).some(([a, b]) => windowSegments(o).some(([c, d]) => a < d && c < b));
      if (overlap) issues.push({ path: at, message: `hours ${w.from}–${w.to} overlap sessions.byHour[${j}] (${o.from}–${o.to})` });
    }
  });
}

function checkOcpp(path: string, entries: Record<string, unknown>, issues: ProfileIssue[]): Record<string, ConfigValue> {
  const checked = checkInitialValues(entries);
  for (const issue of checked.issues) {
    const at = `${path}.${issue.name}`;
    issues.push('message' in issue ? { path: at, message: issue.message } : { path: at, message: `${issue.expected}, got ${JSON.stringify(issue.input)}` });
  }
  return checked.values;
}
