/**
 * What `npm pack` publishes (package.json "files"): the built agent, HAL, CLI and scenario tools,
 * the config and the YAML starter scenarios, and none of the tests or their support (`*.test.*`,
 * test/, benches, the crash campaign, `testing/`, `testdata/` and `contract/` folders). The device
 * simulators of hal/serial/deviceSims ship: the scenario kit's serial rig runs the drivers against them.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('the published package', () => {
  it('holds what runs and none of the tests', async () => {
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { maxBuffer: 64 * 1024 * 1024 });
    const files = (JSON.parse(stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining([
      'dist/bin/evse.js',
      'dist/agent/Agent.js',
      'dist/scenarios/kit/index.js',
      'dist/hal/serial/deviceSims/PtyPair.js',
      'config/default.yaml',
      'scenarios/library/remote-start-stop.scenario.yaml',
    ]));
    const testOnly = files.filter((f) => /(^|\/)(test|testing|testdata|contract)\/|\.test\.js|^config\/test\.yaml$/.test(f));
    expect(testOnly).toEqual([]);
  }, 60_000);
});
