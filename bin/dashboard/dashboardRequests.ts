/**
 * The routes of the dashboard's HTTP API (docs/dashboard-api.openapi.yaml). The control actions
 * are the fleet control API's (scenarios/fleet/controlRequests.ts) on one charger: they are parsed
 * and run by the same code, so plug, card and fault injection behave alike in both.
 */
import { parseRequest, RequestError } from '../../scenarios/fleet/controlRequests.js';
import type { FleetCommand } from '../../scenarios/fleet/controlTypes.js';

export { RequestError };

export type DashboardRequest =
  | { page: string }
  | { api: 'status' | 'transactions' | 'config' | 'events' }
  | { control: FleetCommand };

/** Files of the page (bin/dashboard/public) and the chart library, by URL path. */
export const PAGE_FILES: Readonly<Record<string, string>> = {
  '/': 'index.html',
  '/dashboard.js': 'dashboard.js',
  '/dashboard.css': 'dashboard.css',
  '/vendor/uPlot.iife.min.js': 'uplot/dist/uPlot.iife.min.js',
  '/vendor/uPlot.min.css': 'uplot/dist/uPlot.min.css',
};

const READS = ['status', 'transactions', 'config', 'events'] as const;

/**
 * Maps a request to what to do; throws {@link RequestError} (404, 405, 400, 422) for a bad one.
 * `body()` parses the JSON body; it is only called by routes that take one.
 */
export function parseDashboardRequest(method: string, path: string, query: URLSearchParams, chargePointId: string, body: () => Record<string, unknown>): DashboardRequest {
  const allow = (...methods: string[]) => {
    if (!methods.includes(method)) throw new RequestError(405, `${method} is not allowed on ${path} (allowed: ${methods.join(', ')})`, undefined, methods.join(', '));
  };
  if (PAGE_FILES[path] !== undefined) return allow('GET', 'HEAD'), { page: path };
  const parts = path.split('/').filter((p) => p !== '');
  if (parts[0] !== 'api') throw new RequestError(404, `no such resource: ${path}`);
  const [, what, n, action] = parts;
  if (parts.length === 2 && (READS as readonly string[]).includes(what!)) return allow('GET'), { api: what as (typeof READS)[number] };
  // The actions, as the fleet control API takes them for this charger.
  const id = encodeURIComponent(chargePointId);
  if (parts.length === 4 && what === 'connectors' && (action === 'plug' || action === 'unplug')) {
    allow('POST');
    return control('POST', `/chargers/${id}/connectors/${n}/${action}`, query, body);
  }
  if (parts.length === 2 && what === 'rfid') return allow('POST'), control('POST', `/chargers/${id}/rfid`, query, body);
  if (parts.length === 2 && what === 'faults') return allow('POST', 'DELETE'), control(method, `/chargers/${id}/faults`, query, body);
  if (parts.length === 2 && what === 'connection') return allow('POST'), control('POST', `/chargers/${id}/connection`, query, body);
  throw new RequestError(404, `no such resource: ${path}`);
}

function control(method: string, fleetPath: string, query: URLSearchParams, body: () => Record<string, unknown>): DashboardRequest {
  const parsed = parseRequest(method, fleetPath, query, body);
  if (!('command' in parsed)) throw new Error(`${fleetPath} is not a command`);
  return { control: parsed.command };
}
