/**
 * Scenario files written by engineers outside the package, run by the built `evse` (dist/,
 * plain Node: `.ts` compiled on import by tsx): `evse-agent/scenarios/kit` resolves, syntax
 * errors and unknown steps name the file and line; globs skip files that are not scenarios.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVSE_BIN } from './support/spawnEvse.js';

let dir: string;

function evse(...files: string[]): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [EVSE_BIN, 'scenario', 'run', ...files.map((f) => path.join(dir, f))], { encoding: 'utf8', timeout: 60_000, cwd: dir });
  return { code: r.status, out: r.stdout + r.stderr };
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'evse-engineer-'));
  mkdirSync(path.join(dir, 'esm'));
  writeFileSync(path.join(dir, 'esm', 'package.json'), '{ "type": "module" }\n');
  writeFileSync(path.join(dir, 'esm', 'cards.ts'), "export const CARD: string = '04A1B2C3';\n");
  writeFileSync(path.join(dir, 'card.scenario.ts'), [
    "import { scenario } from 'evse-agent/scenarios/kit';",
    'interface Tap { uid: string }',
    "const tap: Tap = { uid: '04A1B2C3' };",
    "export default scenario('engineer: a card starts a session', async (t) => {",
    '  const connector: number = 1;',
    '  await t.ev.plugIn(connector);',
    '  await t.rfid.present(tap.uid);',
    "  await t.csms.expect('StartTransaction', { connectorId: 1 });",
    "  await t.expect.status(1, 'Charging');",
    '});',
  ].join('\n'));
  writeFileSync(path.join(dir, 'esm', 'plain.scenario.ts'), [
    "import type { ScenarioContext } from 'evse-agent/scenarios/kit';",
    "import { CARD } from './cards.js';",
    'export default async (t: ScenarioContext): Promise<void> => {',
    '  await t.ev.plugIn();',
    '  await t.rfid.present(CARD);',
    "  await t.expect.status(1, 'Charging');",
    '};',
  ].join('\n'));
  writeFileSync(path.join(dir, 'syntax.scenario.ts'), "import { scenario } from 'evse-agent/scenarios/kit';\n\nexport default scenario('x', async (t) => {\n  await t.ev.plugIn(1;\n});\n");
  writeFileSync(path.join(dir, 'typo.scenario.ts'), [
    "import { scenario } from 'evse-agent/scenarios/kit';",
    "export default scenario('typo', async (t) => {",
    '  await t.ev.plugIn(1);',
    '  // t.ev.bogus(1) in a comment is not a step',
    '  await t.ev.plugin(1);',
    "  await t.charger(1).fault.relais('welded');",
    '});',
  ].join('\n'));
  writeFileSync(path.join(dir, 'hidden.scenario.ts'), [
    'export default async (t: any): Promise<void> => {',
    '  const ev = t.ev;',
    '  await ev.plugin(1);',
    '};',
  ].join('\n'));
  writeFileSync(path.join(dir, 'badarg.scenario.ts'), "export default async (t: any): Promise<void> => {\n  await t.fault.relay('weld');\n};\n");
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The built evse with its arguments as given (globs quoted, as a shell passes them), stdout and stderr apart. */
function evseRaw(args: string[], cwd: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [EVSE_BIN, 'scenario', 'run', ...args], { encoding: 'utf8', timeout: 60_000, cwd });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('evse scenario run: which files', () => {
  const repo = path.resolve(path.dirname(EVSE_BIN), '../..');

  it("a glob over the library runs its scenarios and skips library.test.ts with a note", () => {
    const r = evseRaw(['scenarios/library/**/*'], repo);
    expect(r.stderr).toContain('evse scenario run: note: skipped 1 file that is not a scenario (*.scenario.ts, *.scenario.js, *.scenario.mjs or *.scenario.yaml): scenarios/library/library.test.ts');
    expect(r.stdout).not.toMatch(/library\.test|Cannot read properties/);
    expect(r.stdout).toMatch(/\n\d+ passed, 0 failed, \d+ scenarios/);
    expect(r.code).toBe(0);
  });

  it('a file named explicitly that is not a scenario is a usage error (64), not a TypeError', () => {
    const r = evseRaw(['scenarios/library/library.test.ts'], repo);
    expect(r.stderr).toBe('evse scenario run: not a scenario file: scenarios/library/library.test.ts (scenario files are named *.scenario.ts, *.scenario.js, *.scenario.mjs or *.scenario.yaml)\n');
    expect(r.stdout).toBe('');
    expect(r.code).toBe(64);
  });

  it('a YAML file with several syntax errors: each with its real line and column, at once', () => {
    writeFileSync(path.join(dir, 'broken.scenario.yaml'), 'name: two mistakes\nsteps:\n  - plugIn: 1\n  - expectStatus: {connector: 1, status: Preparing\n  - advance: 30m\n  - note: "unterminated\n');
    const r = evseRaw(['broken.scenario.yaml'], dir);
    expect(r.stdout).toContain('broken.scenario.yaml:5:3: YAML syntax: Flow map in block collection must be sufficiently indented and end with a }');
    expect(r.stdout).toContain('broken.scenario.yaml:7:1: YAML syntax: Missing closing "quote');
    expect(r.stdout).not.toMatch(/broken\.scenario\.yaml:1:/);
    expect(r.code).toBe(1);
  });
});

describe('evse scenario run with TypeScript files outside the package', () => {
  it('runs typed scenarios importing evse-agent/scenarios/kit, loose or in an ESM package', () => {
    const r = evse('card.scenario.ts', 'esm/plain.scenario.ts');
    expect(r.out).toMatch(/✓ engineer: a card starts a session/);
    expect(r.out).toMatch(/✓ plain /);
    expect(r.out).toMatch(/2 passed, 0 failed/);
    expect(r.code).toBe(0);
  });

  it('reports a syntax error with the file, line and column', () => {
    const r = evse('syntax.scenario.ts');
    expect(r.out).toContain(`${path.join(dir, 'syntax.scenario.ts')}:4:21: ERROR: Expected ")" but found ";"`);
    expect(r.code).toBe(1);
  });

  it('refuses unknown steps at load, before running anything, with file:line:column and a suggestion', () => {
    const file = path.join(dir, 'typo.scenario.ts');
    const r = evse('typo.scenario.ts');
    expect(r.out).toContain(`${file}:5:9: unknown step t.ev.plugin (did you mean t.ev.plugIn?)`);
    expect(r.out).toContain(`${file}:6:9: unknown step t.charger(1).fault.relais (did you mean t.charger(1).fault.relay?)`);
    expect(r.out).not.toMatch(/bogus|EV plugs in/);
    expect(r.code).toBe(1);
  });

  it('names the call site of an unknown step the scan cannot see, and of a bad argument', () => {
    const r = evse('hidden.scenario.ts', 'badarg.scenario.ts');
    expect(r.out).toContain(`unknown step t.ev.plugin (did you mean t.ev.plugIn?); t.ev has plugIn, unplug, suspend, resume, setSoC (at ${path.join(dir, 'hidden.scenario.ts')}:3:12)`);
    expect(r.out).toContain(`fault.relay: mode must be one of welded, stuck, clear, got "weld" (did you mean welded?) (at ${path.join(dir, 'badarg.scenario.ts')}:2:17)`);
    expect(r.code).toBe(1);
  });
});

describe('reports name the source files, relative to the scenario root', () => {
  const packageRoot = path.resolve(path.dirname(EVSE_BIN), '..', '..');
  const library = path.join(packageRoot, 'scenarios', 'library');
  const run = (cwd: string, ...args: string[]) => spawnSync(process.execPath, [EVSE_BIN, 'scenario', 'run', ...args], { encoding: 'utf8', timeout: 60_000, cwd });

  it('JUnit classname and file: the .ts source (not its compiled twin under dist/), relative to the working directory', () => {
    const r = run(packageRoot, 'scenarios/library/ev-suspends.scenario.ts', 'scenarios/library/relay-weld.scenario.ts', '--reporter', 'junit');
    expect(r.status, r.stderr).toBe(0);
    const cases = [...r.stdout.matchAll(/<testcase [^>]*classname="([^"]*)" file="([^"]*)"/g)].map((m) => [m[1], m[2]]);
    expect(cases).toEqual([
      ['scenarios/library/ev-suspends.scenario.ts', 'scenarios/library/ev-suspends.scenario.ts'],
      ['scenarios/library/relay-weld.scenario.ts', 'scenarios/library/relay-weld.scenario.ts'],
    ]);
    expect(r.stdout).not.toMatch(/dist\/|\.js"/);
  });

  it('outside the working directory: relative to the deepest directory holding them; the pretty report shows the same paths', () => {
    const r = run(dir, path.join(library, 'ev-suspends.scenario.ts'), '--reporter', 'junit');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/classname="ev-suspends\.scenario\.ts" file="ev-suspends\.scenario\.ts"/);
    const pretty = run(packageRoot, 'scenarios/library/ev-suspends.scenario.ts');
    expect(pretty.stdout).toMatch(/^✓ .*\) {2}scenarios\/library\/ev-suspends\.scenario\.ts$/m);
  });
});
