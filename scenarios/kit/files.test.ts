/** Which files `evse scenario run` takes from its arguments (the built command itself: test/scenario.files.test.ts). */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandScenarioArgs } from './files.js';
import { ScenarioUsageError } from './scenario.js';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'evse-files-'));
  mkdirSync(path.join(dir, 'sub'));
  for (const f of ['b.scenario.yaml', 'a.scenario.ts', 'sub/c.scenario.js', 'library.test.ts', 'notes.md', 'sub/c.scenario.js.map', 'types.scenario.d.ts']) {
    writeFileSync(path.join(dir, f), '');
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const abs = (...names: string[]) => names.map((n) => path.join(dir, n));

describe('expandScenarioArgs', () => {
  it('a glob selects the scenario files it matches and lists the others as skipped', () => {
    expect(expandScenarioArgs(['**/*'], dir)).toEqual({
      files: abs('a.scenario.ts', 'b.scenario.yaml', 'sub/c.scenario.js'),
      skipped: abs('library.test.ts', 'notes.md', 'sub/c.scenario.js.map', 'types.scenario.d.ts'),
    });
  });

  it('a directory selects its scenario files and skips the rest silently', () => {
    expect(expandScenarioArgs(['.'], dir)).toEqual({ files: abs('a.scenario.ts', 'b.scenario.yaml', 'sub/c.scenario.js'), skipped: [] });
  });

  it('refuses a file named explicitly that is not a scenario, before importing it', () => {
    expect(() => expandScenarioArgs(['library.test.ts'], dir)).toThrow(ScenarioUsageError);
    expect(() => expandScenarioArgs(['a.scenario.ts', 'library.test.ts'], dir)).toThrow(
      /^not a scenario file: library\.test\.ts \(scenario files are named \*\.scenario\.ts, \*\.scenario\.js, \*\.scenario\.mjs or \*\.scenario\.yaml\)$/,
    );
  });

  it('refuses a glob that matches files but no scenario, and one that matches nothing', () => {
    expect(() => expandScenarioArgs(['*.md'], dir)).toThrow(/^no scenario files match \*\.md: it matches 1 file, none named \*\.scenario\.ts/);
    expect(() => expandScenarioArgs(['*.txt'], dir)).toThrow(/^no files match \*\.txt$/);
    expect(() => expandScenarioArgs(['missing.scenario.ts'], dir)).toThrow(/^no such file: missing\.scenario\.ts$/);
  });
});
