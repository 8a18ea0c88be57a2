/**
 * Crash campaign: `evse run` (built CLI, simulated EV plugged in) against the embedded strict
 * CSMS, sessions driven by RemoteStart/RemoteStop, the process killed with SIGKILL at random
 * moments and the connection dropped by the CSMS at random, restarted on the same data directory.
 * Random choices come from a seeded PRNG (mulberry32) and the seed is printed, so a failing run can
 * be replayed (`CRASH_SEED=<seed>`); real-time I/O makes a replay close, not identical.
 *
 * Afterwards the CSMS ledger is checked (ledger.ts, which also explains why an identical
 * StopTransaction resent after a kill is counted apart, as a resend, and not as a duplicate). The
 * simulated meter keeps its register across kills (<dataDir>/sim-state.json, bin/simState.ts), so
 * the energy is checked too: the register never goes back between sessions and a PowerLoss stop
 * carries the energy charged before the cut, both less at most what a kill may lose (UNSAVED_WH).
 *
 * With `ocppVersion: '2.0.1'` (CRASH_OCPP=2.0.1) the charger speaks OCPP 2.0.1: sessions by
 * RequestStart/StopTransaction, and the ledger also checks each transaction's TransactionEvent
 * seqNos (0..n, no gap; a number twice only as the same event resent).
 *
 * Run the long form after a build:  CRASH_SESSIONS=200 [CRASH_OCPP=2.0.1] node dist/test/crash/campaign.js
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EmbeddedCsms } from '../../scenarios/csms/EmbeddedCsms.js';
import { seededRandom } from '../../scenarios/seededRandom.js';
import { spawnEvse, type EvseProcess } from '../support/spawnEvse.js';
import type { TransactionRecord } from '../../scenarios/csms/ChargePointState.js';
import { checkLedger, ledgerOf, ledgerOf201 } from './ledger.js';

export interface CampaignOptions {
  sessions: number;
  seed: number;
  /** Probability that a session is cut by SIGKILL. */
  killRate?: number;
  /** Probability that the CSMS drops the connection during a session. */
  dropRate?: number;
  /** The OCPP version the charger speaks (default 1.6): 2.0.1 sessions by RequestStart/StopTransaction, TransactionEvent seqNos checked. */
  ocppVersion?: '1.6' | '2.0.1';
  log?: (line: string) => void;
}

export interface CampaignResult {
  seed: number;
  sessions: number;
  kills: number;
  drops: number;
  restarts: number;
  /** Sessions whose RemoteStart was retried because the start never reached the journal. */
  retriedStarts: number;
  elapsedMs: number;
  transactions: number;
  powerLossStops: number;
  /** Kills issued just after a RemoteStop. */
  killsAfterStop: number;
  /** Energy of all sessions as the CSMS billed it (Σ meterStop − meterStart), Wh. */
  energyWh: number;
  /** Largest step back of the meter register between sessions, Wh (≤ UNSAVED_WH, or it is a failure). */
  maxRegisterStepBackWh: number;
  /** Identical resends of an already answered StopTransaction (kill between answer and journal ack; see ledger.ts). */
  resends: string[];
  /** Every broken invariant, empty when the ledger is sound. */
  failures: string[];
}

const CP = 'CRASH-CAMPAIGN';
/**
 * Energy a kill may lose: the sim state is saved every 5 s while charging (and at each contactor
 * change); the simulated EV draws 16 A × 3 × 230 V ≈ 11 kW, ≈ 15.3 Wh in 5 s. Rounded up.
 */
const UNSAVED_WH = 20;


const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function runCampaign(o: CampaignOptions): Promise<CampaignResult> {
  const t0 = performance.now();
  const rnd = seededRandom(o.seed);
  const log = o.log ?? (() => undefined);
  const killRate = o.killRate ?? 0.35;
  const dropRate = o.dropRate ?? 0.3;
  const v201 = o.ocppVersion === '2.0.1';
  const csms = new EmbeddedCsms();
  await csms.start();
  const dir = await mkdtemp(join(tmpdir(), 'evse-crash-campaign-'));
  const env = {
    EVSE_CSMS_URL: csms.url,
    EVSE_CHARGE_POINT_ID: CP,
    EVSE_DATA_DIR: dir,
    EVSE_SIM_EV_CONNECTED: '1',
    EVSE_LOG_LEVEL: 'warn',
    ...(v201 && { EVSE_OCPP_VERSION: '2.0.1' }),
    NODE_CONFIG: JSON.stringify({
      csms: { callTimeoutMs: 5000, pingIntervalMs: 0 }, // reconnects within 1 s: spawnEvse's RetryBackOff* variables
      ocpp: { MeterValueSampleInterval: 1, TransactionMessageRetryInterval: 1 },
    }),
  };
  let proc: EvseProcess | undefined;
  const counts = { kills: 0, killsAfterStop: 0, drops: 0, restarts: 0, retriedStarts: 0 };
  const transactionOf = (tag: string) => csms.transactions(CP).find((t) => t.idTag === tag);

  const launch = async () => {
    const since = csms.mark();
    const p = spawnEvse(['run'], env);
    proc = p;
    try {
      // A process that dies at start fails the campaign at once, not after the timeout.
      await Promise.race([
        csms.waitForCall(CP, 'StatusNotification', { connectorId: 1 }, { timeoutMs: 15_000, since }),
        p.exited.then((code) => Promise.reject(new Error(`exited with ${String(code)}`))),
      ]);
    } catch (err) {
      const tail = (s: string) => s.slice(-3000);
      throw new Error(`evse run (pid ${p.child.pid}, exit ${String(p.child.exitCode ?? p.child.signalCode)}) did not report its connector:\n${tail(p.stdout())}\n${tail(p.stderr())}`, { cause: err });
    }
  };
  const remoteStop = (tx: TransactionRecord) =>
    (v201
      ? csms.call201(CP, 'RequestStopTransaction', { transactionId: tx.stationTransactionId ?? String(tx.transactionId) }, { timeoutMs: 3000 })
      : csms.call(CP, 'RemoteStopTransaction', { transactionId: tx.transactionId }, { timeoutMs: 3000 })
    ).catch(() => undefined);
  const kill = async () => {
    counts.kills++;
    await proc!.stop('SIGKILL');
    counts.restarts++;
    await launch();
  };
  let remoteStartId = 0;
  /** RemoteStart until the CSMS sees a StartTransaction for `tag` (the connector may still be finishing). */
  const remoteStart = async (tag: string): Promise<boolean> => {
    for (let attempt = 0; attempt < 40; attempt++) {
      if (transactionOf(tag)) return true;
      const answer = await (v201
        ? csms.call201(CP, 'RequestStartTransaction', { idToken: { idToken: tag, type: 'Central' }, remoteStartId: ++remoteStartId, evseId: 1 }, { timeoutMs: 3000 })
        : csms.call(CP, 'RemoteStartTransaction', { connectorId: 1, idTag: tag }, { timeoutMs: 3000 })
      ).catch(() => undefined);
      if (answer?.status === 'Accepted') return true;
      await sleep(150);
    }
    return false;
  };

  try {
    await launch();
    for (let i = 0; i < o.sessions; i++) {
      const tag = `S${o.seed % 1000}-${i}`;
      for (let round = 0; ; round++) {
        if (round > 0) counts.retriedStarts++;
        if (round > 5) throw new Error(`session ${tag}: StartTransaction never arrived after ${round} attempts`);
        if (!(await remoteStart(tag))) throw new Error(`session ${tag}: RemoteStartTransaction never accepted`);
        const stopAfter = 200 + Math.floor(rnd() * 1300);
        const killAt = rnd() < killRate ? Math.floor(rnd() * (stopAfter + 300)) : undefined;
        const dropAt = rnd() < dropRate ? Math.floor(rnd() * (stopAfter + 300)) : undefined;
        const drop =
          dropAt === undefined
            ? Promise.resolve()
            : sleep(dropAt).then(async () => {
                if (await csms.disconnect(CP, { force: true }).catch(() => false)) counts.drops++;
              });
        // Half the kills land while charging, half just after a RemoteStop (StopTransaction in flight).
        const afterStop = killAt !== undefined && rnd() < 0.5 ? Math.floor(rnd() * 60) : undefined;
        if (killAt !== undefined && afterStop === undefined) {
          await sleep(killAt);
          log(`session ${i} (${tag}): SIGKILL at +${killAt} ms${transactionOf(tag) ? '' : ' (before its StartTransaction reached the CSMS)'}`);
          await kill();
          await drop;
        } else if (afterStop !== undefined) {
          await sleep(stopAfter);
          const tx = await waitUntil(() => transactionOf(tag), 15_000);
          if (tx) void remoteStop(tx);
          await sleep(afterStop);
          counts.killsAfterStop++;
          log(`session ${i} (${tag}): SIGKILL ${afterStop} ms after RemoteStop${tx?.stop ? ' (StopTransaction already delivered)' : ''}`);
          await kill();
          await drop;
        } else {
          await sleep(stopAfter);
          await drop;
          const tx = await waitUntil(() => transactionOf(tag), 15_000);
          if (tx === undefined) throw new Error(`session ${tag}: no StartTransaction in the ledger`);
          // Retried across a dropped connection: the agent may answer only after reconnecting.
          for (let a = 0; a < 40 && !tx.stop; a++) {
            const answer = await remoteStop(tx);
            if (answer?.status === 'Accepted') break;
            await sleep(150);
          }
          await waitUntil(() => tx.stop, 15_000);
        }
        // A kill before the start was journaled means the session never existed: start it again.
        if (await waitUntil(() => transactionOf(tag), 3000)) break;
      }
    }
    // Everything started must be stopped once the last process has delivered its journal.
    const open = await waitUntil(() => (csms.transactions(CP).every((t) => t.stop) ? true : undefined), 20_000);
    if (!open) log('not every transaction was stopped within 20 s');
    await sleep(300);
    await proc?.stop('SIGTERM');
  } finally {
    if (proc && proc.child.exitCode === null && proc.child.signalCode === null) await proc.stop('SIGKILL').catch(() => undefined);
    await csms.stop();
    await rm(dir, { recursive: true, force: true });
  }
  const { failures, resends, maxRegisterStepBackWh } = checkLedger((v201 ? ledgerOf201 : ledgerOf)(csms, CP), Array.from({ length: o.sessions }, (_, i) => `S${o.seed % 1000}-${i}`), { unsavedWh: UNSAVED_WH });
  const txs = csms.transactions(CP);
  return {
    seed: o.seed,
    sessions: o.sessions,
    ...counts,
    elapsedMs: Math.round(performance.now() - t0),
    transactions: txs.length,
    powerLossStops: txs.filter((t) => t.stop?.reason === 'PowerLoss').length,
    energyWh: txs.reduce((sum, t) => sum + (t.stop ? t.stop.meterStop - t.meterStart : 0), 0),
    maxRegisterStepBackWh,
    resends,
    failures,
  };
}

async function waitUntil<T>(probe: () => T | undefined, ms: number): Promise<T | undefined> {
  const end = performance.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined || performance.now() > end) return v;
    await sleep(50);
  }
}

// `node dist/test/crash/campaign.js`: the long form.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const sessions = Number(process.env.CRASH_SESSIONS ?? 200);
  const seed = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const ocppVersion = process.env.CRASH_OCPP === '2.0.1' ? '2.0.1' : '1.6';
  console.log(`crash campaign: ${sessions} sessions over OCPP ${ocppVersion}, seed ${seed} (replay with CRASH_SEED=${seed}${ocppVersion === '2.0.1' ? ' CRASH_OCPP=2.0.1' : ''})`);
  const result = await runCampaign({ sessions, seed, ocppVersion, log: (l) => console.log(l) });
  console.log(JSON.stringify({ ...result, failures: result.failures.length }, null, 2));
  for (const f of result.failures) console.error(`FAIL ${f}`);
  process.exitCode = result.failures.length === 0 ? 0 : 1;
}
