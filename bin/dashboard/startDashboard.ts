/**
 * The dashboard of `evse run` (settings `dashboard.*`): the feed that follows the agent and the
 * HTTP server. It is started once and outlives Resets (`attach` each new agent).
 *
 * A dashboard that cannot start (port taken, address not on this machine, its page files missing
 * from a broken install) is logged and left out: the charger charges without its local web page
 * rather than not at all.
 */
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { SessionHistory } from '../../agent/store/SessionHistory.js';
import type { SessionRecord } from '../../agent/store/usageTypes.js';
import type { Clock } from '../../hal/index.js';
import type { OcppConfiguration } from '../../agent/store/OcppConfiguration.js';
import type { Settings } from '../settings/settings.js';
import { SESSION_HISTORY_FILE } from '../usageRecording.js';
import { ChargerFeed, type TransactionCostOf, type TransactionRow } from './ChargerFeed.js';
import type { CurrentScreen } from './chargerView.js';
import { configView } from './configView.js';
import { DashboardServer } from './DashboardServer.js';

export interface Dashboard {
  readonly feed: ChargerFeed;
  readonly url: string;
  stop(): Promise<void>;
}

export interface DashboardParts {
  settings: Settings;
  clock: Clock;
  log: Logger;
  /** The OCPP configuration store (outlives Resets). */
  ocppConfig: OcppConfiguration;
  /** The display service's screen per connector (issue 17 item 1 plugs in here). */
  currentScreen?: CurrentScreen;
  /** The pricing service's cost per transaction (issue 17 item 2 plugs in here). */
  transactionCost?: TransactionCostOf;
}

export async function startDashboard(p: DashboardParts): Promise<Dashboard | undefined> {
  const { settings, log } = p;
  const d = settings.dashboard;
  const feed = new ChargerFeed({
    clock: p.clock,
    pastTransactions: await pastTransactions(settings, log),
    csmsUrl: `${settings.csms.url}/${settings.chargePoint.id}`,
    ...(p.currentScreen && { currentScreen: p.currentScreen }),
    ...(p.transactionCost && { transactionCost: p.transactionCost }),
  });
  try {
    // Reads the page and uPlot from the package: a broken install fails here, not the charger.
    const server = new DashboardServer({ feed, config: () => configView(settings, p.ocppConfig), host: d.host, port: d.port, password: d.password, log });
    const { url } = await server.start();
    log.info({ url, passwordRequired: d.password !== undefined }, 'dashboard listening');
    return { feed, url, stop: async () => (feed.close(), await server.stop()) };
  } catch (err) {
    feed.close();
    log.error({ err, host: d.host, port: d.port }, 'the dashboard cannot start (dashboard.host / dashboard.port): running without it');
    process.stderr.write(`evse: the dashboard cannot start on ${d.host}:${d.port}: ${(err as Error).message}; running without it\n`);
    return undefined;
  }
}

/** The last transactions of earlier runs, from the session history (`evse sessions`): the list survives a restart. */
async function pastTransactions(settings: Settings, log: Logger): Promise<TransactionRow[]> {
  if (settings.sessionHistory.maxSessions === 0) return [];
  const file = join(resolve(settings.dataDir), SESSION_HISTORY_FILE);
  try {
    const history = await SessionHistory.read(file);
    return (history?.sessions ?? []).slice(-20).reverse().map(rowOf);
  } catch (err) {
    log.warn({ err, file }, 'dashboard: cannot read the session history; the transaction list starts empty');
    return [];
  }
}

/** A session of the history as a transaction row (the history keeps only a hash of the idTag: none is shown). */
function rowOf(r: SessionRecord): TransactionRow {
  const at = (t: number | undefined) => (t === undefined ? undefined : new Date(t).toISOString());
  return {
    localId: r.id,
    connectorId: r.connectorId,
    ...(r.transactionId !== undefined && { transactionId: r.transactionId }),
    ...(r.startedAt !== undefined && { startedAt: at(r.startedAt)! }),
    ...(r.stoppedAt !== undefined && { stoppedAt: at(r.stoppedAt)! }),
    ...(r.meterStartWh !== undefined && { meterStartWh: r.meterStartWh }),
    ...(r.meterStartWh !== undefined && r.energyWh !== undefined && { meterStopWh: r.meterStartWh + r.energyWh }),
    ...(r.energyWh !== undefined && { energyWh: r.energyWh }),
    ...(r.stopReason !== undefined && { stopReason: r.stopReason }),
    cost: null,
  };
}
