/**
 * Prometheus endpoint of a fleet (`evse fleet --metrics-port`): `GET /metrics` renders a
 * prom-client registry whose metrics read one report snapshot per scrape, so a single-thread
 * Fleet and the merged report of worker threads (posted every second) are served alike.
 * Counters are cumulative since the fleet started; latencies are exposed summary-style as
 * quantile gauges in milliseconds (from the report's ±1 % histograms).
 */
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Registry } from 'prom-client';
import type { FleetReport, LatencySummary } from './FleetMetrics.js';

export interface FleetMetricsServer {
  readonly url: string;
  close(): Promise<void>;
}

const QUANTILES: [string, keyof LatencySummary][] = [
  ['0.5', 'p50'],
  ['0.95', 'p95'],
  ['0.99', 'p99'],
  ['1', 'max'],
];

/** A registry whose metrics show `snapshot()` (called once per scrape by {@link serveFleetMetrics}). */
export function fleetRegistry(snapshot: () => FleetReport): { registry: Registry; scrape: () => Promise<string> } {
  const registry = new Registry();
  let r: FleetReport | undefined;
  const current = () => (r ??= snapshot());
  const counter = (name: string, help: string, labelNames: string[], values: (rep: FleetReport) => [Record<string, string>, number][]) =>
    new Counter({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        for (const [labels, v] of values(current())) this.inc(labels, Math.max(0, v));
      },
    });
  const gauge = (name: string, help: string, labelNames: string[], values: (rep: FleetReport) => [Record<string, string>, number][]) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        for (const [labels, v] of values(current())) this.set(labels, v);
      },
    });
  const quantiles = (s: LatencySummary, labels: Record<string, string> = {}): [Record<string, string>, number][] => QUANTILES.map(([q, k]) => [{ ...labels, quantile: q }, s[k]]);

  gauge('evse_fleet_chargers', 'Chargers of this fleet process by state', ['state'], (rep) => Object.entries(rep.chargers).map(([state, n]) => [{ state }, n]));
  counter('evse_fleet_ocpp_calls_total', 'OCPP calls the chargers sent, by action', ['action'], (rep) => Object.entries(rep.actions).map(([action, a]) => [{ action }, a.sent]));
  counter('evse_fleet_ocpp_results_total', 'CallResults the chargers received, by action', ['action'], (rep) => Object.entries(rep.actions).map(([action, a]) => [{ action }, a.results]));
  counter('evse_fleet_ocpp_call_errors_total', 'CallErrors the chargers received, by action', ['action'], (rep) => Object.entries(rep.actions).map(([action, a]) => [{ action }, a.callErrors]));
  gauge('evse_fleet_ocpp_response_milliseconds', 'Response time of the CSMS to charger calls (quantile 1 = max), ms', ['action', 'quantile'], (rep) =>
    Object.entries(rep.actions).flatMap(([action, a]) => quantiles(a.responseMs, { action })),
  );
  counter('evse_fleet_ocpp_inbound_calls_total', 'Calls the CSMS sent to the chargers, by action', ['action'], (rep) => Object.entries(rep.inboundCalls).map(([action, n]) => [{ action }, n]));
  gauge('evse_fleet_connect_milliseconds', 'Charger start to first connection, ms', ['quantile'], (rep) => quantiles(rep.connectMs));
  gauge('evse_fleet_boot_milliseconds', 'Charger start to first BootNotification Accepted, ms', ['quantile'], (rep) => quantiles(rep.bootMs));
  counter('evse_fleet_boot_results_total', 'BootNotification results by status', ['status'], (rep) => Object.entries(rep.bootResults).map(([status, n]) => [{ status }, n]));
  counter('evse_fleet_reconnect_attempts_total', 'Reconnect attempts scheduled', [], (rep) => [[{}, rep.reconnects]]);
  counter('evse_fleet_disconnects_total', 'Connections lost (not counting the fleet stopping)', [], (rep) => [[{}, rep.disconnects]]);
  counter('evse_fleet_messages_total', 'OCPP frames by direction', ['direction'], (rep) => [
    [{ direction: 'out' }, rep.messages.out],
    [{ direction: 'in' }, rep.messages.in],
  ]);
  counter('evse_fleet_transactions_total', 'Transactions the CSMS confirmed, started and stopped', ['event'], (rep) => [
    [{ event: 'started' }, rep.transactions.started],
    [{ event: 'stopped' }, rep.transactions.stopped],
  ]);
  counter('evse_fleet_behaviour_events_total', 'Behaviour profile events (arrivals, starts, missed remote starts, faults)', ['event'], (rep) => Object.entries(rep.behaviour ?? {}).map(([event, n]) => [{ event }, n]));
  return {
    registry,
    scrape: async () => {
      r = undefined;
      try {
        return await registry.metrics();
      } finally {
        r = undefined;
      }
    },
  };
}

/** Serves `GET /metrics` on host:port (port 0: any free port). */
export async function serveFleetMetrics(options: { host: string; port: number; report: () => FleetReport }): Promise<FleetMetricsServer> {
  const { registry, scrape } = fleetRegistry(options.report);
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '/').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
      return;
    }
    scrape().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(err)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
