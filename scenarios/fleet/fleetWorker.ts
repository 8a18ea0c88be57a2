/**
 * Worker-thread entry of {@link FleetThreads}: runs one {@link Fleet} on its slice, posts a report
 * every second, and on `stop` stops gracefully and posts the final report with its latency samples.
 * Modules (machine definitions, compiled validators) load once per thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { pino } from 'pino';
import { Fleet, type FleetOptions } from './Fleet.js';

export type WorkerFleetOptions = Omit<FleetOptions, 'log' | 'clock'> & { logLevel: string };
export type ToWorker = { type: 'stop'; withinMs: number };
export type FromWorker = { type: 'progress'; report: ReturnType<Fleet['report']> } | { type: 'final'; report: ReturnType<Fleet['report']>; series: ReturnType<Fleet['metrics']['seriesStates']> };

const port = parentPort;
if (port) {
  const { logLevel, ...options } = workerData as WorkerFleetOptions;
  const fleet = new Fleet({ ...options, log: pino({ level: logLevel, base: { pid: process.pid } }, pino.destination({ fd: 2, sync: true })) });
  const progress = setInterval(() => port.postMessage({ type: 'progress', report: fleet.report() } satisfies FromWorker), 1000);
  port.on('message', (msg: ToWorker) => {
    if (msg.type !== 'stop') return;
    clearInterval(progress);
    void fleet.stop(msg.withinMs).then((report) => {
      port.postMessage({ type: 'final', report, series: fleet.metrics.seriesStates() } satisfies FromWorker);
      port.close();
    });
  });
  void fleet.start();
}
