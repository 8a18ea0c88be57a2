/**
 * `evse run`'s usage data for planning: the session history in the data directory
 * (agent/store/SessionHistory.ts) and a UsageTracker on each agent a Reset creates, each taking
 * over what the one before left open. Read back by `evse sessions` (bin/sessionsCommand.ts).
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../hal/index.js';
import type { Agent } from '../agent/Agent.js';
import { UsageTracker } from '../agent/sessions/UsageTracker.js';
import type { DriverUsageRecords } from '../agent/sessions/customerData.js';
import { hashIdTag } from '../agent/auth/idTagHash.js';
import { SessionHistory } from '../agent/store/SessionHistory.js';
import type { Settings } from './settings/settings.js';

/** The history's file name in the data directory. */
export const SESSION_HISTORY_FILE = 'sessions.log';

/**
 * Opens `<dataDir>/sessions.log`, or nothing when `sessionHistory.maxSessions` is 0. A history that
 * cannot be opened is logged and left out: planning data never keeps a charger from charging.
 */
export async function openSessionHistory(settings: Settings, dataDir: string, clock: Clock, log: Logger): Promise<SessionHistory | undefined> {
  const { maxSessions, maxDays } = settings.sessionHistory;
  if (maxSessions === 0) return undefined;
  const file = join(dataDir, SESSION_HISTORY_FILE);
  try {
    return await SessionHistory.open({ file, clock, log, maxSessions, maxDays, connectors: settings.chargePoint.connectors, chargePointId: settings.chargePoint.id });
  } catch (err) {
    log.error({ err, file }, 'cannot open the session history: no usage data is kept this run');
    return undefined;
  }
}

/** The history as CustomerInformation reads it: sessions found by the identifier's hash, salted as the tracker salts it. */
export function driverUsageRecords(history: SessionHistory, settings: Settings): DriverUsageRecords {
  const salt = settings.telemetry.idTagSalt;
  return { sessionsOf: (idTag, erase) => history.driverSessions(hashIdTag(idTag, salt), erase) };
}

/** A tracker for `agent`, started (call before `agent.start()`); stop it after `agent.stop()`. */
export function trackUsage(agent: Agent, history: SessionHistory, settings: Settings, clock: Clock, log: Logger): UsageTracker {
  const tracker = new UsageTracker({
    agent,
    clock,
    sink: history,
    resume: history.resumeState(),
    log,
    ...(settings.telemetry.idTagSalt !== undefined && { idTagSalt: settings.telemetry.idTagSalt }),
  });
  tracker.start();
  return tracker;
}
