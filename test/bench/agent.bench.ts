/**
 * `npm run bench:agent`: what one agent costs and how fast it reacts.
 *
 * 1. RSS of `evse run` (a separate process, simulated HAL) once it has booted against the embedded
 *    CSMS and reported its statuses. Target < 60 MB.
 * 2. Latency from an RFID card event to the contactor-close command on the local authorization
 *    path (LocalPreAuthorize, card in the authorization cache, so no CSMS round trip), over
 *    SESSIONS sessions in virtual time; the CSMS still gets every message over a real socket.
 *    Target p99 < 20 ms. Measured for a socket (the cable lock is confirmed before the contactor
 *    closes) and for a tethered cable (nothing to lock).
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { SimulatedClock } from '../../hal/clock.js';
import { createSimulatedCharger } from '../../hal/sim/createSimulatedCharger.js';
import { Agent } from '../../agent/Agent.js';
import { OcppConfiguration } from '../../agent/store/OcppConfiguration.js';
import { EmbeddedCsms } from '../../scenarios/csms/EmbeddedCsms.js';
import { spawnEvse } from '../support/spawnEvse.js';
import { boardNodeOptions } from '../support/boardProfile.js';

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 1000);
const CARD = '04AABBCCDDEEFF';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function rssAfterBoot(nodeOptions?: string): Promise<number> {
  const csms = new EmbeddedCsms();
  const { url } = await csms.start();
  const dataDir = await mkdtemp(join(tmpdir(), 'evse-bench-'));
  const agent = spawnEvse(['run'], { EVSE_CSMS_URL: url, EVSE_CHARGE_POINT_ID: 'BENCH-RSS', EVSE_DATA_DIR: dataDir, EVSE_LOG_LEVEL: 'warn', NODE_OPTIONS: nodeOptions });
  try {
    await csms.waitForCall('BENCH-RSS', 'StatusNotification', { connectorId: 1 }, 15_000);
    await new Promise((r) => setTimeout(r, 1000));
    const status = readFileSync(`/proc/${agent.child.pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
  } finally {
    await agent.stop('SIGTERM');
    await csms.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function cardToContactor(tetheredCable: boolean): Promise<number[]> {
  const log = pino({ level: 'silent' });
  const csms = new EmbeddedCsms({ logger: log });
  const { url } = await csms.start();
  const clock = new SimulatedClock();
  csms.setBootPolicy({ interval: 3600 });
  const sim = createSimulatedCharger({ clock, connectors: 1, tetheredCable });
  const config = await OcppConfiguration.open({
    file: null,
    initial: { LocalPreAuthorize: true, AuthorizationCacheEnabled: true, MeterValueSampleInterval: 60, WebSocketPingInterval: 0, RetryBackOffWaitMinimum: 0, RetryBackOffRandomRange: 1 },
    readonlyValues: { NumberOfConnectors: 1 },
    log,
  });
  const agent = new Agent({
    chargePointId: 'BENCH-LAT',
    boot: { chargePointVendor: 'evse-agent', chargePointModel: 'bench' },
    csms: { url, callTimeoutMs: 10_000 },
    hardware: sim.hardware,
    config,
    clock,
    log,
  });
  const connector = sim.connectors[0]!;
  const relay = connector.relay;
  let tappedAt = 0;
  let closedAt = 0;
  const close = relay.close.bind(relay);
  relay.close = () => {
    closedAt = performance.now();
    return close();
  };
  const settle = () => agent.whenIdle(5000);
  const latencies: number[] = [];
  agent.start();
  await csms.waitForCall('BENCH-LAT', 'BootNotification', undefined, 10_000);
  await clock.advanceAsync(1000, settle);
  // First tap goes to the CSMS and fills the cache; it is not measured.
  for (let i = 0; i <= SESSIONS; i++) {
    connector.ev.setSoC(0.3); // a new car each time, not a full one
    connector.ev.plugIn();
    await clock.advanceAsync(2000, settle);
    closedAt = 0;
    tappedAt = performance.now();
    sim.rfid.tap(CARD);
    await clock.advanceAsync(0, settle);
    if (!closedAt) throw new Error(`session ${i}: the contactor did not close (status ${agent.connectors[0]!.status})`);
    if (i > 0) latencies.push(closedAt - tappedAt);
    await clock.advanceAsync(120_000, settle, 60_000);
    sim.rfid.tap(CARD); // same card stops the session
    await clock.advanceAsync(2000, settle);
    connector.ev.unplug();
    await clock.advanceAsync(2000, settle);
  }
  const txs = csms.transactions('BENCH-LAT').filter((t) => t.stop);
  await agent.stop({ flushMs: 1000 });
  await sim.close();
  await csms.stop();
  if (txs.length !== SESSIONS + 1) throw new Error(`expected ${SESSIONS + 1} completed transactions at the CSMS, got ${txs.length}`);
  return latencies.sort((a, b) => a - b);
}

/**
 * Cost of each additional agent in one process (what a fleet pays per charger): N agents with a
 * simulated HAL on one shared virtual clock, booted against `evse csms` running in its own process
 * so the CSMS's memory is not counted.
 */
async function perAgentCost(count: number): Promise<{ heap: number; rss: number }> {
  const csmsProcess = spawnEvse(['csms', '--port', '0'], {});
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`evse csms did not start: ${csmsProcess.stderr()}`)), 10_000);
    csmsProcess.child.stderr!.on('data', () => {
      const m = /listening on (ws:\/\/\S+?)[ (]/.exec(csmsProcess.stderr());
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
  });
  csmsProcess.child.stdout!.resume();
  const log = pino({ level: 'silent' });
  const clock = new SimulatedClock();
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc (npm run bench:agent does)');
  gc();
  const before = process.memoryUsage();
  const agents: Agent[] = [];
  const sims: ReturnType<typeof createSimulatedCharger>[] = [];
  let accepted = 0;
  for (let i = 0; i < count; i++) {
    const sim = createSimulatedCharger({ clock, connectors: 1, idPrefix: `cp${i}/` });
    const config = await OcppConfiguration.open({ file: null, initial: { WebSocketPingInterval: 0 }, readonlyValues: { NumberOfConnectors: 1 }, log });
    const agent = new Agent({
      chargePointId: `MEM-${String(i).padStart(5, '0')}`,
      boot: { chargePointVendor: 'evse-agent', chargePointModel: 'bench' },
      csms: { url, callTimeoutMs: 30_000 },
      hardware: sim.hardware,
      config,
      clock,
      log,
    });
    agent.link.once('accepted', () => accepted++);
    agent.start();
    agents.push(agent);
    sims.push(sim);
  }
  const deadline = Date.now() + 60_000;
  while (accepted < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (accepted < count) throw new Error(`only ${accepted} of ${count} agents booted`);
  await Promise.all(agents.map((a) => a.whenIdle(10_000)));
  gc();
  const after = process.memoryUsage();
  for (const a of agents) await a.stop({ flushMs: 0 });
  for (const s of sims) await s.close();
  await csmsProcess.stop('SIGTERM');
  return { heap: (after.heapUsed - before.heapUsed) / count, rss: (after.rss - before.rss) / count };
}

const rss = await rssAfterBoot();
// The board profile of deploy/systemd/evse-agent.service.
const board = boardNodeOptions();
const rssBoard = await rssAfterBoot(board);
const AGENTS = Number(process.env.BENCH_AGENTS ?? 1000);
const perAgent = await perAgentCost(AGENTS);
const latency = async (tethered: boolean) => {
  const t0 = performance.now();
  const lat = await cardToContactor(tethered);
  return { lat, wall: (performance.now() - t0) / 1000 };
};
// A socket's lock is commanded and confirmed before the contactor closes: one more device round
// trip and machine event than a tethered cable, which has nothing to lock.
const socket = await latency(false);
const tethered = await latency(true);
const fmt = (ms: number) => `${ms.toFixed(3)} ms`;
const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`;
console.log(`evse run RSS after boot: ${mb(rss)} with Node defaults, ${mb(rssBoard)} with the board profile NODE_OPTIONS="${board}" (target < 60 MB)`);
console.log(`per agent in one process (${AGENTS} booted agents, sim HAL, CSMS in another process): ${(perAgent.heap / 1024).toFixed(1)} KB heap, ${(perAgent.rss / 1024).toFixed(1)} KB RSS`);
for (const [kind, { lat, wall }] of [['socket with cable lock', socket], ['tethered cable', tethered]] as const) {
  console.log(`card → contactor-close, ${kind}, ${lat.length} sessions (local authorization, virtual time, ${wall.toFixed(1)} s wall):`);
  console.log(`  p50 ${fmt(percentile(lat, 50))}  p95 ${fmt(percentile(lat, 95))}  p99 ${fmt(percentile(lat, 99))}  max ${fmt(lat.at(-1)!)}  (target p99 < 20 ms)`);
}
