import { describe, expect, it } from 'vitest';
import type { FleetReport } from './FleetMetrics.js';
import { mergeReports, sameShardOfOneRun } from './mergeReports.js';
import { emptyReport } from './WorkerSupervisor.js';

const at = (s: number) => new Date(Date.UTC(2026, 10, 25, 8, 0, s)).toISOString();
function report(shard: [number, number], from: number, to: number, run?: FleetReport['run']): FleetReport {
  return { ...emptyReport(), shard: { index: shard[0], count: shard[1] }, startedAt: at(from), endedAt: at(to), ...(run && { run }) };
}
const run = { idPrefix: 'CP', count: 100, seed: 1 };

describe('duplicate shards', () => {
  it('the same shard of one run: same shard, same run parameters, overlapping in time', () => {
    expect(sameShardOfOneRun(report([0, 2], 0, 60, run), report([0, 2], 2, 61, run))).toBe(true);
    // A progress snapshot and the final report of one unsharded process.
    expect(sameShardOfOneRun(report([0, 1], 0, 60, run), report([0, 1], 0, 10, run))).toBe(true);
    // Reports of earlier versions carry no run: the time decides.
    expect(sameShardOfOneRun(report([1, 3], 0, 60), report([1, 3], 30, 90, run))).toBe(true);
  });

  it('not the same: another shard, another run (parameters), or one run after the other', () => {
    expect(sameShardOfOneRun(report([0, 2], 0, 60, run), report([1, 2], 0, 60, run))).toBe(false);
    expect(sameShardOfOneRun(report([0, 2], 0, 60, run), report([0, 3], 0, 60, run))).toBe(false);
    expect(sameShardOfOneRun(report([0, 1], 0, 60, run), report([0, 1], 0, 60, { ...run, seed: 2 }))).toBe(false);
    expect(sameShardOfOneRun(report([0, 1], 0, 60, run), report([0, 1], 0, 60, { ...run, idPrefix: 'EU' }))).toBe(false);
    expect(sameShardOfOneRun(report([0, 1], 0, 30, run), report([0, 1], 31, 60, run))).toBe(false);
  });

  it('a merge keeps the run only when every part is of it', () => {
    const shard = { index: 0, count: 1 };
    expect(mergeReports([{ report: report([0, 2], 0, 60, run) }, { report: report([1, 2], 0, 60, run) }], shard).run).toEqual(run);
    expect(mergeReports([{ report: report([0, 2], 0, 60, run) }, { report: report([1, 2], 0, 60, { ...run, seed: 3 }) }], shard).run).toBeUndefined();
  });
});
