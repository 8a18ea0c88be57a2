/**
 * `evse run` with its dashboard on a free port, against a strict embedded CSMS (test/support/evseRig.ts),
 * and a reader of its server-sent events. The dashboard's URL is read from the process's log line
 * `dashboard listening`.
 */
import type { EmbeddedCsms } from '../../scenarios/csms/EmbeddedCsms.js';
import type { EvseProcess } from './spawnEvse.js';
import type { EvseRig } from './evseRig.js';
import { until } from './until.js';

export interface DashboardProcess {
  evse: EvseProcess;
  csms: EmbeddedCsms;
  chargePointId: string;
  /** e.g. `http://127.0.0.1:40123/` */
  url: string;
}

/** Starts `evse run` (simulated hardware) with the dashboard on 127.0.0.1 and waits until the CSMS has its first status. */
export async function startDashboardProcess(rig: EvseRig, env: Record<string, string> = {}, chargePointId = 'DASH-CP'): Promise<DashboardProcess> {
  const csms = await rig.csms();
  const evse = rig.start({
    EVSE_CSMS_URL: csms.url,
    EVSE_CHARGE_POINT_ID: chargePointId,
    EVSE_DATA_DIR: await rig.tempDir('evse-dashboard-'),
    EVSE_DASHBOARD: '1',
    EVSE_DASHBOARD_PORT: '0',
    EVSE_LOG_LEVEL: 'info',
    ...env,
  }, ['run', '--no-pretty']);
  let url: string | undefined;
  await until('the dashboard listening line', () => (url = /"url":"(http:\/\/[^"]+)","passwordRequired"/.exec(evse.stderr())?.[1]) !== undefined || evse.child.exitCode !== null, 20_000);
  if (!url) throw new Error(`evse run ended (${evse.child.exitCode}) without a dashboard:\n${evse.stderr()}`);
  await csms.waitForCall(chargePointId, 'StatusNotification', { connectorId: 1 }, 15_000);
  return { evse, csms, chargePointId, url };
}

export interface SseEvent {
  event: string;
  data: unknown;
}

/** Follows a server-sent event stream; `next(type)` waits for the next event of that type. */
export async function followEvents(url: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const res = await fetch(url, { headers, signal: controller.signal });
  if (!res.ok || !res.body) throw new Error(`GET ${url}: ${res.status}`);
  const events: SseEvent[] = [];
  let buffer = '';
  const decoder = new TextDecoder();
  const pump = (async () => {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data !== undefined) events.push({ event, data: JSON.parse(data) });
      }
    }
  })().catch(() => undefined);
  let read = 0;
  return {
    res,
    events,
    /** The next event of `type` not yet returned (events before it are passed over). */
    async next(type: string, timeoutMs = 10_000): Promise<SseEvent> {
      let found: SseEvent | undefined;
      await until(`a "${type}" event`, () => {
        const i = events.findIndex((e, n) => n >= read && e.event === type);
        if (i < 0) return false;
        read = i + 1;
        found = events[i];
        return true;
      }, timeoutMs);
      return found!;
    },
    async close(): Promise<void> {
      controller.abort();
      await pump;
    },
  };
}
