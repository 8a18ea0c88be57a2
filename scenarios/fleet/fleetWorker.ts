/**
 * Worker-thread entry of {@link FleetThreads}: runs one {@link Fleet} on its slice, posts a report
 * every second, and on `stop` stops gracefully and posts the final report with its latency samples.
 * Control commands are answered by sequence number; events flow (in batches, at most
 * {@link MAX_PENDING_EVENTS} waiting) only while the main thread has asked for them.
 * Modules (machine definitions, compiled validators) load once per thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { pino } from 'pino';
import type PinoPretty from 'pino-pretty';
import type { CommandResult, EventFilter, FleetCommand, FleetEvent } from './controlTypes.js';
import { Fleet, type FleetOptions } from './Fleet.js';

/** `pretty`: human-readable log lines (pino-pretty, as `evse fleet --pretty`), else JSON lines. */
export type WorkerFleetOptions = Omit<FleetOptions, 'log' | 'clock'> & { logLevel: string; pretty?: boolean };
export type ToWorker =
  | { type: 'stop'; withinMs: number }
  /** Ends the stop under way now (a second signal). */
  | { type: 'cutShort' }
  | { type: 'command'; seq: number; command: FleetCommand }
  /** Replaces the worker's event subscription (null: none). */
  | { type: 'watch'; seq: number; filter: EventFilter | null };
export type FromWorker =
  | { type: 'progress'; report: ReturnType<Fleet['report']> }
  | { type: 'final'; report: ReturnType<Fleet['report']>; series: ReturnType<Fleet['metrics']['seriesStates']> }
  | { type: 'result'; seq: number; result: CommandResult }
  | { type: 'events'; events: FleetEvent[]; dropped: number };

/** Events waiting for the next post; beyond this they are dropped (and counted). */
const MAX_PENDING_EVENTS = 20_000;

const port = parentPort;
if (port) {
  const { logLevel, pretty, ...options } = workerData as WorkerFleetOptions;
  const stderr = pino.destination({ fd: 2, sync: true });
  // The same format as the main thread's logger (bin/logger.ts), loaded only when used; no colours:
  // a worker cannot see the terminal.
  const prettyFactory = pretty === true ? (createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty).prettyFactory : undefined;
  const prettify = prettyFactory ? prettyFactory({ colorize: false, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', singleLine: true }) : undefined;
  const fleet = new Fleet({ ...options, log: pino({ level: logLevel, base: { pid: process.pid } }, prettify ? { write: (line: string) => stderr.write(prettify(line)) } : stderr) });
  const progress = setInterval(() => port.postMessage({ type: 'progress', report: fleet.report() } satisfies FromWorker), 1000);
  let pending: FleetEvent[] = [];
  let dropped = 0;
  let unwatch: (() => void) | undefined;
  const flush = () => {
    port.postMessage({ type: 'events', events: pending, dropped } satisfies FromWorker);
    pending = [];
    dropped = 0;
  };
  const onEvent = (event: FleetEvent) => {
    if (pending.length >= MAX_PENDING_EVENTS) dropped++;
    else if (pending.push(event) === 1) setImmediate(flush);
  };
  const answer = (seq: number, result: CommandResult) => port.postMessage({ type: 'result', seq, result } satisfies FromWorker);
  port.on('message', (msg: ToWorker) => {
    if (msg.type === 'command') {
      void fleet.execute(msg.command).then(
        (result) => answer(msg.seq, result),
        (err: unknown) => answer(msg.seq, { status: 503, body: { error: `worker failed: ${String(err)}` } }),
      );
      return;
    }
    if (msg.type === 'watch') {
      unwatch?.();
      unwatch = undefined;
      if (!msg.filter) return answer(msg.seq, { status: 200, body: {} });
      void fleet.watch(msg.filter, onEvent).then((off) => {
        unwatch = off;
        answer(msg.seq, { status: 200, body: {} });
      });
      return;
    }
    if (msg.type === 'cutShort') return fleet.cutShort();
    clearInterval(progress);
    void fleet.stop(msg.withinMs).then((report) => {
      // The stop's last events go out before the final report, so a stream sees them before it ends.
      if (pending.length > 0 || dropped > 0) flush();
      port.postMessage({ type: 'final', report, series: fleet.metrics.seriesStates() } satisfies FromWorker);
      port.close();
    });
  });
  void fleet.start();
}
