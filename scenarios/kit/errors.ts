/** How a scenario fails: the charger did not do what was expected, or the scenario itself is wrong. */

/** A failed expectation: which step, what was expected, what was found. */
export class ScenarioFailure extends Error {
  override readonly name = 'ScenarioFailure';
  constructor(
    readonly step: string,
    readonly expected: string,
    readonly actual: string,
    message?: string,
  ) {
    super(message ?? `${step}: expected ${expected}, got ${actual}`);
  }
}

/** A step used wrongly (unknown step, bad argument): a mistake in the scenario, not in the charger. */
export class ScenarioUsageError extends Error {
  override readonly name = 'ScenarioUsageError';
}
