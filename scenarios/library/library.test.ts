/**
 * Runs every starter-library scenario through the runner, so `npm test` covers them: on OCPP 1.6,
 * and the version-neutral ones (no `onlyOcpp`) on OCPP 2.0.1 too.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { expandScenarioArgs } from '../kit/files.js';
import { report } from '../kit/reporters.js';
import { loadScenarioFile, runScenarioFiles } from '../kit/run.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const { files } = expandScenarioArgs([here]);

describe('starter library', () => {
  it('holds TypeScript and YAML scenarios named after behaviours', () => {
    expect(files.length).toBeGreaterThanOrEqual(15);
    expect(files.some((f) => f.endsWith('.yaml'))).toBe(true);
    for (const f of files) expect(path.basename(f)).toMatch(/^[a-z0-9]+(-[a-z0-9]+)+\.scenario\.(ts|yaml)$/);
  });

  it.each(files.map((f) => [path.basename(f), f]))('%s passes', async (_name, file) => {
    const [result] = await runScenarioFiles([file], { seed: 1 });
    // On failure the message is the pretty report: expected vs actual and the last 20 events.
    expect(result!.status, report('pretty', [result!])).toBe('passed');
    expect(result!.wallMs).toBeLessThan(5000);
  });

  it('says which scenarios are for OCPP 1.6 only, and why; the others are version-neutral', async () => {
    const only = [];
    for (const f of files) {
      const o = (await loadScenarioFile(f)).options.onlyOcpp;
      if (o) only.push(`${path.basename(f)}: ${o.version}`);
      if (o) expect(o.reason.length, path.basename(f)).toBeGreaterThan(20);
    }
    // docs/scenarios.md says how many are neutral: keep it true
    expect({ neutral: files.length - only.length, only16: only.filter((o) => o.endsWith(': 1.6')).length }).toEqual({ neutral: 42, only16: 1 });
  });

  it.each(files.map((f) => [path.basename(f), f]))('%s passes on OCPP 2.0.1 (or is skipped as 1.6-only)', async (_name, file) => {
    const [result] = await runScenarioFiles([file], { seed: 1, ocppVersion: '2.0.1' });
    if (result!.status === 'skipped') {
      expect(result!.skipped).toMatch(/^OCPP 1\.6 only: .{20,}/);
      return;
    }
    expect(result!.status, report('pretty', [result!])).toBe('passed');
    expect(result!.ocppVersion).toBe('2.0.1');
    expect(result!.wallMs).toBeLessThan(5000);
  });
});
