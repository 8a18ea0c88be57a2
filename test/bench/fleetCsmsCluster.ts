/**
 * The CSMS under test of the 50,000-charger bench (fleetScale.bench.ts): the embedded strict CSMS
 * (`evse csms --quiet`: ocpp-rpc strictMode both ways, counting instead of printing) as a
 * `node:cluster` of W workers on one port, so that no process holds more than count/W sockets (a
 * process here may have at most 20,000 open files). The primary accepts and hands each connection
 * to a worker in turn (Node's round-robin scheduling on Linux) and holds no socket itself.
 *
 * Run as `node fleetCsmsCluster.js [workers]` (default 4). On stdout, JSON lines:
 * `{"type":"listening","url":…,"pids":[primary, workers…]}` once every worker listens, then every
 * second `{"type":"summary",…}` with the workers' counts added up (CsmsSummary of
 * scenarios/csms/CsmsCounter.ts), and on SIGTERM/SIGINT `{"type":"final",…}` once every worker has
 * stopped; then it exits (also when its stdin ends, with FLEET_CSMS_STOP_WITH_PARENT=1). A worker that dies ends the cluster with exit 1 (a bench must not count
 * on a CSMS that lost connections).
 */
import cluster, { type Worker } from 'node:cluster';
import { runCsmsCli } from '../../scenarios/csms/runCsmsCli.js';
import type { CsmsSummary } from '../../scenarios/csms/CsmsCounter.js';

type FromWorker = { type: 'listening'; url: string } | { type: 'summary' | 'final'; summary: CsmsSummary };

/** The workers' counts added up (rates too: the workers' intervals line up closely enough for a bench). */
export function addSummaries(parts: readonly CsmsSummary[]): CsmsSummary {
  const actions: Record<string, Record<string, number>> = {};
  for (const p of parts)
    for (const [name, counts] of Object.entries(p.actions)) {
      const sum = (actions[name] ??= {});
      for (const [k, v] of Object.entries(counts)) sum[k] = (sum[k] ?? 0) + v;
    }
  const add = (f: (s: CsmsSummary) => number) => parts.reduce((n, s) => n + f(s), 0);
  return {
    uptimeS: Math.max(0, ...parts.map((p) => p.uptimeS)),
    connected: add((s) => s.connected),
    connects: add((s) => s.connects),
    disconnects: add((s) => s.disconnects),
    refused: add((s) => s.refused),
    messagesIn: add((s) => s.messagesIn),
    messagesOut: add((s) => s.messagesOut),
    messagesPerS: add((s) => s.messagesPerS),
    callErrors: add((s) => s.callErrors),
    violations: add((s) => s.violations),
    actions: actions as unknown as CsmsSummary['actions'],
  };
}

async function runWorker(): Promise<void> {
  const handle = await runCsmsCli({
    port: Number(process.env.FLEET_CSMS_PORT ?? 0),
    summaryIntervalS: 3600,
    handleSignals: false,
    // The counts go to the primary; of the lines, only the violations (the first 10 are printed in full).
    write: (line) => {
      if (/^\S+ ! /.test(line)) process.stderr.write(`csms worker ${cluster.worker!.id}: ${line}\n`);
    },
  });
  const send = (msg: FromWorker) => process.send!(msg);
  send({ type: 'listening', url: handle.url });
  const ticker = setInterval(() => send({ type: 'summary', summary: handle.counter!.summary() }), 1000);
  process.on('message', (msg: { type?: string }) => {
    if (msg.type !== 'stop') return;
    clearInterval(ticker);
    void handle.stop().then(() => {
      send({ type: 'final', summary: handle.counter!.summary(true) });
      process.disconnect();
    });
  });
  // Signals go to the primary, which stops the workers in order.
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => undefined);
}

function runPrimary(workers: number): void {
  const latest = new Map<number, CsmsSummary>();
  const finals = new Map<number, CsmsSummary>();
  const urls = new Map<number, string>();
  let stopping = false;
  const print = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);
  const all: Worker[] = [];
  for (let i = 0; i < workers; i++) all.push(cluster.fork());
  const summaryTicker = setInterval(() => {
    if (latest.size > 0) print({ type: 'summary', t: Date.now(), ...addSummaries([...latest.values()]) });
  }, 1000);
  for (const w of all) {
    w.on('message', (msg: FromWorker) => {
      if (msg.type === 'listening') {
        urls.set(w.id, msg.url);
        if (urls.size === workers) print({ type: 'listening', url: msg.url, pids: [process.pid, ...all.map((x) => x.process.pid)] });
      } else if (msg.type === 'summary') latest.set(w.id, msg.summary);
      else {
        finals.set(w.id, msg.summary);
        if (finals.size === workers) {
          clearInterval(summaryTicker);
          print({ type: 'final', t: Date.now(), ...addSummaries([...finals.values()]) });
          process.exit(0);
        }
      }
    });
    w.on('exit', (code, signal) => {
      if (finals.has(w.id)) return;
      process.stderr.write(`csms cluster: worker ${w.id} (pid ${w.process.pid}) ended (${signal ?? code}) before the stop\n`);
      for (const other of all) if (other !== w) other.process.kill('SIGKILL');
      process.exit(1);
    });
  }
  const stop = () => {
    if (stopping) return;
    stopping = true;
    for (const w of all) w.send({ type: 'stop' });
    // Bounded: a worker that does not stop within 20 s is killed, and the cluster fails.
    setTimeout(() => {
      process.stderr.write('csms cluster: workers did not stop within 20 s\n');
      for (const w of all) w.process.kill('SIGKILL');
      process.exit(1);
    }, 20_000).unref();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // Started by a bench that holds our stdin: when it ends, however it ends, so do we.
  if (process.env.FLEET_CSMS_STOP_WITH_PARENT === '1') {
    process.stdin.once('end', stop);
    process.stdin.resume();
  }
}

if (cluster.isPrimary) runPrimary(Number(process.argv[2] ?? 4));
else await runWorker();
