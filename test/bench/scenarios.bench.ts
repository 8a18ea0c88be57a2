/**
 * `npm run bench:scenarios`: wall time of scenarios on virtual time.
 * Targets: an hour of virtual charging < 1 s of wall time; the whole starter library < 20 s.
 * Runs the compiled library (dist/scenarios/library) three times and prints min/median/max.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { runScenarioFiles } from '../../scenarios/kit/run.js';

const libraryDir = fileURLToPath(new URL('../../scenarios/library/', import.meta.url));
// YAML files are not copied to dist/ by tsc: read them from the sources.
const sourceLibraryDir = fileURLToPath(new URL('../../../scenarios/library/', import.meta.url));
const files = [
  ...readdirSync(libraryDir).filter((f) => f.endsWith('.scenario.js')).map((f) => join(libraryDir, f)),
  ...readdirSync(sourceLibraryDir).filter((f) => f.endsWith('.scenario.yaml')).map((f) => join(sourceLibraryDir, f)),
].sort();

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return `min ${s[0]!.toFixed(0)}  median ${s[Math.floor(s.length / 2)]!.toFixed(0)}  max ${s.at(-1)!.toFixed(0)} ms`;
};

const libraryMs: number[] = [];
const hourMs: number[] = [];
for (let run = 0; run < 3; run++) {
  const t0 = performance.now();
  const results = await runScenarioFiles(files, { seed: 1 });
  libraryMs.push(performance.now() - t0);
  const failed = results.filter((r) => r.status !== 'passed');
  if (failed.length > 0) throw new Error(`library scenarios failed: ${failed.map((r) => r.name).join(', ')}`);
  // Scenarios that cover at least an hour of virtual time: wall time per virtual hour.
  for (const r of results) if (r.virtualMs >= 3_600_000) hourMs.push(r.wallMs / (r.virtualMs / 3_600_000));
}
console.log(`starter library, ${files.length} scenarios: ${stats(libraryMs)} (target < 20 s)`);
console.log(`wall time per virtual hour (scenarios of >= 1 h): ${stats(hourMs)} (target < 1 s)`);
