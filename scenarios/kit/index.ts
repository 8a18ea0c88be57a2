/**
 * What a scenario file imports: `import { scenario } from 'evse-agent/scenarios/kit'` (the
 * package's `exports` entry; the runner resolves it for files outside the package too).
 */
export { scenario, ScenarioFailure, ScenarioUsageError, type ScenarioBody, type ScenarioDefinition, type ScenarioOptions } from './scenario.js';
export type { ChargerContext, ScenarioContext } from './context.js';
