/**
 * Prometheus endpoint of a fleet (`evse fleet --metrics-port`): `GET /metrics` renders a
 * prom-client registry whose metrics read one report snapshot per scrape, so a single-thread
 * Fleet and the merged report of worker threads (posted every second) are served alike.
 * Counters are cumulative since the fleet started. Everything is in base units (seconds, bytes),
 * so `promtool check metrics` finds nothing to lint. Latencies are native Prometheus histograms
 * (`_bucket`, `_sum`, `_count`), built from the report's mergeable histograms, so the worker
 * threads' and shards' series add up; summaries of the same histograms (`quantile` 0.5, 0.95,
 * 0.99 and 1 = max since the start) serve dashboards without `histogram_quantile`. The endpoint
 * adds prom-client's default process metrics (CPU, resident memory, event-loop lag, heap,
 * handles and file descriptors).
 */
import { createServer, type Server } from 'node:http';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, Summary } from 'prom-client';
import { versionSeries, type ActionMetrics, type FleetReport, type HistogramState } from './FleetMetrics.js';
import { OCPP_VERSIONS } from './ocppVersions.js';
import { LatencyHistogram } from './LatencyHistogram.js';
import { listenOn } from '../httpServer.js';

export interface FleetMetricsServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Quantiles of the latency summaries (1 = the maximum since the start). */
export const SUMMARY_QUANTILES = [0.5, 0.95, 0.99, 1];

/** Upper bounds (s) of the latency histograms: a CSMS answering on a LAN (1 ms) to one about to time out (30 s). */
export const LATENCY_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

type Labels = Record<string, string>;

/**
 * Each action's figures per OCPP version with its response-time histogram. A report without
 * per-version figures (an earlier version's) ran 1.6 only.
 */
function actionsByVersion(rep: FleetReport): { labels: Labels; a: ActionMetrics; state: HistogramState | undefined }[] {
  if (!rep.ocppVersions) return Object.entries(rep.actions).map(([action, a]) => ({ labels: { action, ocpp_version: '1.6' }, a, state: rep.latency?.[`action:${action}`] }));
  return OCPP_VERSIONS.flatMap((v) =>
    Object.entries(rep.ocppVersions?.[v]?.actions ?? {}).map(([action, a]) => ({ labels: { action, ocpp_version: v }, a, state: rep.latency?.[versionSeries(v, action)] })),
  );
}
type MetricValue = { labels: Record<string, string | number>; value: number; metricName: string };
/** prom-client's declared MetricObject wants its MetricType enum; at run time `type` is the string. */
type Snapshot = Awaited<ReturnType<Histogram<string>['get']>>;
const snapshotOf = (name: string, help: string, type: 'histogram' | 'summary', values: MetricValue[]) => ({ name, help, type, aggregator: 'sum', values }) as unknown as Snapshot;

type Rows = () => [Labels, HistogramState][];
/** The series a row adds besides `_sum` and `_count`: a histogram's buckets, a summary's quantiles. */
type OwnSeries = (name: string, labels: Labels, state: HistogramState, h: LatencyHistogram) => MetricValue[];

/** Every row's own series, then its `_sum` and `_count` in seconds. */
function rowValues(name: string, rows: Rows, own: OwnSeries): MetricValue[] {
  const values: MetricValue[] = [];
  for (const [labels, state] of rows()) {
    values.push(...own(name, labels, state, LatencyHistogram.from(state)));
    values.push({ labels, value: state.sum / 1000, metricName: `${name}_sum` });
    values.push({ labels, value: state.count, metricName: `${name}_count` });
  }
  return values;
}

/**
 * Histogram buckets read from pre-aggregated {@link HistogramState}s at each scrape instead of
 * being observed one value at a time (observing millions of samples again per scrape would not
 * do). Buckets are cumulative; a bound falls inside one of the ±1 % log buckets of
 * {@link LatencyHistogram}, so a bucket count is exact to within values 2 % below its bound.
 */
const buckets: OwnSeries = (name, labels, state, h) => [
  ...LATENCY_BUCKETS_S.map((le) => ({ labels: { ...labels, le }, value: h.countAtMost(le * 1000), metricName: `${name}_bucket` })),
  { labels: { ...labels, le: '+Inf' }, value: state.count, metricName: `${name}_bucket` },
];

/** Summary quantiles of the same states: since the fleet started (±1 %; quantile 1 is the exact maximum). */
const quantiles: OwnSeries = (name, labels, state, h) =>
  SUMMARY_QUANTILES.map((q) => ({ labels: { ...labels, quantile: q }, value: (q === 1 ? state.max : h.quantile(q * 100)) / 1000, metricName: name }));

/**
 * A prom-client metric that shows `rows` at each scrape: `get` and `getForPromString` (what
 * prom-client's Registry reads for the text format, its own histograms have it too) build the
 * snapshot instead of reading observed values.
 */
function readFrom<M extends Histogram<string> | Summary<string>>(metric: M, config: { name: string; help: string }, type: 'histogram' | 'summary', rows: Rows, own: OwnSeries): M {
  const read = () => Promise.resolve(snapshotOf(config.name, config.help, type, rowValues(config.name, rows, own)));
  return Object.assign(metric, { get: read, getForPromString: read });
}

/** Gauges of prom-client's default metrics named `_total`: lint refuses that suffix on a gauge, and the per-type gauges beside them sum to the same. */
const TOTAL_GAUGES = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];
let defaultMetrics: Registry | undefined;

/**
 * prom-client's default metrics of this process, registered once (their event-loop delay monitor
 * runs from then on): CPU seconds, resident memory, heap, event-loop lag, handles and resources by
 * type, open file descriptors. With worker threads, CPU and memory are the whole process's; lag,
 * heap and handles are the main thread's.
 */
function processMetrics(): Registry {
  if (!defaultMetrics) {
    defaultMetrics = new Registry();
    collectDefaultMetrics({ register: defaultMetrics });
    for (const name of TOTAL_GAUGES) defaultMetrics.removeSingleMetric(name);
  }
  return defaultMetrics;
}

/**
 * A registry whose metrics show `snapshot()` (called once per scrape by {@link serveFleetMetrics});
 * with `process: true` the process's default metrics too.
 */
export function fleetRegistry(snapshot: () => FleetReport, options: { process?: boolean } = {}): { registry: Registry; scrape: () => Promise<string> } {
  const own = new Registry();
  let r: FleetReport | undefined;
  const current = () => (r ??= snapshot());
  const counter = (name: string, help: string, labelNames: string[], values: (rep: FleetReport) => [Record<string, string>, number][]) =>
    new Counter({
      name,
      help,
      labelNames,
      registers: [own],
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
      registers: [own],
      collect() {
        this.reset();
        for (const [labels, v] of values(current())) this.set(labels, v);
      },
    });
  /** A latency as a histogram `<name>_seconds` and a summary `<name>_quantiles_seconds` of the same samples. */
  const latency = (name: string, help: string, labelNames: string[], rows: (rep: FleetReport) => [Labels, HistogramState][]) => {
    const read = () => rows(current());
    const histogram = { name: `${name}_seconds`, help };
    readFrom(new Histogram({ ...histogram, labelNames, registers: [own], buckets: LATENCY_BUCKETS_S }), histogram, 'histogram', read, buckets);
    const summary = { name: `${name}_quantiles_seconds`, help: `${help}: quantiles since the start (1 = max)` };
    readFrom(new Summary({ ...summary, labelNames, registers: [own], percentiles: SUMMARY_QUANTILES }), summary, 'summary', read, quantiles);
  };
  const series = (rep: FleetReport, name: string): [Labels, HistogramState][] => {
    const state = rep.latency?.[name];
    return state ? [[{}, state]] : [];
  };

  gauge('evse_fleet_chargers', 'Chargers of this fleet process: planned, started (each once), accepted (booted at least once), removed (control API), connected (now)', ['state'], (rep) =>
    Object.entries(rep.chargers).map(([state, n]) => [{ state }, n]),
  );
  counter('evse_fleet_ocpp_calls_total', 'OCPP calls the chargers sent, by action and OCPP version', ['action', 'ocpp_version'], (rep) => actionsByVersion(rep).map(({ labels, a }) => [labels, a.sent]));
  counter('evse_fleet_ocpp_results_total', 'CallResults the chargers received, by action and OCPP version', ['action', 'ocpp_version'], (rep) => actionsByVersion(rep).map(({ labels, a }) => [labels, a.results]));
  counter('evse_fleet_ocpp_call_errors_total', 'CallErrors the chargers received, by action and OCPP version', ['action', 'ocpp_version'], (rep) => actionsByVersion(rep).map(({ labels, a }) => [labels, a.callErrors]));
  counter('evse_fleet_ocpp_inbound_calls_total', 'Calls the CSMS sent to the chargers, by action', ['action'], (rep) => Object.entries(rep.inboundCalls).map(([action, n]) => [{ action }, n]));
  counter('evse_fleet_boot_results_total', 'BootNotification results by status', ['status'], (rep) => Object.entries(rep.bootResults).map(([status, n]) => [{ status }, n]));
  counter('evse_fleet_reconnect_attempts_total', 'Reconnect attempts scheduled', [], (rep) => [[{}, rep.reconnects]]);
  counter('evse_fleet_disconnects_total', 'Connections lost (not counting the fleet stopping)', [], (rep) => [[{}, rep.disconnects]]);
  counter('evse_fleet_messages_total', 'OCPP frames by direction', ['direction'], (rep) => [
    [{ direction: 'out' }, rep.messages.out],
    [{ direction: 'in' }, rep.messages.in],
  ]);
  counter('evse_fleet_transactions_total', 'Transactions the CSMS confirmed, started and stopped, by OCPP version', ['event', 'ocpp_version'], (rep) =>
    rep.ocppVersions
      ? OCPP_VERSIONS.flatMap((v): [Labels, number][] => {
          const t = rep.ocppVersions?.[v]?.transactions;
          return t ? [[{ event: 'started', ocpp_version: v }, t.started], [{ event: 'stopped', ocpp_version: v }, t.stopped]] : [];
        })
      : [[{ event: 'started', ocpp_version: '1.6' }, rep.transactions.started], [{ event: 'stopped', ocpp_version: '1.6' }, rep.transactions.stopped]],
  );
  gauge('evse_fleet_ocpp_version_chargers', 'Chargers by the OCPP version they speak: started (each once), accepted (booted at least once)', ['ocpp_version', 'state'], (rep) =>
    OCPP_VERSIONS.flatMap((v): [Labels, number][] => {
      const c = rep.ocppVersions?.[v]?.chargers;
      return c ? [[{ ocpp_version: v, state: 'started' }, c.started], [{ ocpp_version: v, state: 'accepted' }, c.accepted]] : [];
    }),
  );
  latency('evse_fleet_ocpp_response', 'Response time of the CSMS to charger calls, by action and OCPP version', ['action', 'ocpp_version'], (rep) =>
    actionsByVersion(rep).flatMap(({ labels, state }): [Labels, HistogramState][] => (state ? [[labels, state]] : [])),
  );
  latency('evse_fleet_connect', 'Charger start to first connection', [], (rep) => series(rep, 'connect'));
  latency('evse_fleet_boot', 'Charger start to first BootNotification Accepted', [], (rep) => series(rep, 'boot'));
  const health = (rep: FleetReport, f: (h: NonNullable<FleetReport['workers']>) => number): [Labels, number][] => (rep.workers ? [[{}, f(rep.workers)]] : []);
  counter('evse_fleet_worker_deaths_total', 'Worker threads that died while the fleet ran', [], (rep) => health(rep, (h) => h.deaths));
  counter('evse_fleet_worker_restarts_total', 'Replacement worker threads started', [], (rep) => health(rep, (h) => h.restarts));
  counter('evse_fleet_worker_chargers_affected_total', 'Chargers on worker threads that died (once per death)', [], (rep) => health(rep, (h) => h.chargersAffected));
  gauge('evse_fleet_worker_chargers_given_up', 'Chargers down for the rest of the run because their worker died too often', [], (rep) => health(rep, (h) => h.chargersGivenUp));
  counter('evse_fleet_worker_lost_reports_total', 'Worker threads whose final report never arrived (up to 1 s of their metrics missing)', [], (rep) => health(rep, (h) => h.lostWorkerReports));
  // Sites (profile `sites`): the power now (the last sampled step) and peak against the limit, and how fast chargers obeyed.
  const sites = (rep: FleetReport, f: (s: NonNullable<FleetReport['sites']>['sites'][number]) => number | undefined): [Labels, number][] =>
    (rep.sites?.sites ?? []).flatMap((s): [Labels, number][] => {
      const v = f(s);
      return v === undefined ? [] : [[{ site: s.name }, v]];
    });
  gauge('evse_fleet_site_power_watts', 'Power through a site\'s chargers in the last sampled step (its highest 1-s sample)', ['site'], (rep) => sites(rep, (s) => s.power.maxW.findLast((w) => w !== null) ?? undefined));
  gauge('evse_fleet_site_peak_power_watts', 'Highest power sampled through a site\'s chargers since the start', ['site'], (rep) => sites(rep, (s) => s.maxW));
  gauge('evse_fleet_site_limit_watts', 'Grid limit of a site', ['site'], (rep) => sites(rep, (s) => s.limitW));
  counter('evse_fleet_site_samples_over_limit_total', 'One-second samples of a site\'s power more than 1 % over its limit', ['site'], (rep) => sites(rep, (s) => s.samplesOverLimit));
  counter('evse_fleet_profile_obedience_total', 'SetChargingProfile calls to site chargers by outcome: obeyed (the offer changed), unchanged, refused, superseded', ['outcome'], (rep) => {
    const o = rep.sites?.obey;
    return o ? (['obeyed', 'unchanged', 'refused', 'superseded'] as const).map((outcome) => [{ outcome }, o[outcome]]) : [];
  });
  latency('evse_fleet_profile_obey', 'SetChargingProfile received to the new PWM offer confirmed by the hardware', [], (rep) => (rep.sites ? [[{}, rep.sites.obeyLatency]] : []));
  counter('evse_fleet_behaviour_events_total', 'Behaviour profile events (arrivals, starts, missed remote starts, faults)', ['event'], (rep) => Object.entries(rep.behaviour ?? {}).map(([event, n]) => [{ event }, n]));
  const registry = options.process ? Registry.merge([own, processMetrics()]) : own;
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
  const { registry, scrape } = fleetRegistry(options.report, { process: true });
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
  const { port } = await listenOn(server, options.host, options.port);
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
