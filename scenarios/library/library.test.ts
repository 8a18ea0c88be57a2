/** Runs every starter-library scenario through the runner, so `npm test` covers them. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { expandScenarioArgs } from '../kit/files.js';
import { report } from '../kit/reporters.js';
import { runScenarioFiles } from '../kit/run.js';

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
});
