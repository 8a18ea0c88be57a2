/**
 * Whether `actual` contains `expected`: objects match when every key of `expected` matches
 * (extra keys in `actual` are fine), arrays element by element with equal length, anything
 * else by `Object.is`. Lets a test say `{ connectorId: 1, status: 'Charging' }` about a
 * StatusNotification without spelling out its timestamp.
 */
export function matchesPartial(actual: unknown, expected: unknown): boolean {
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => matchesPartial(actual[i], e));
  }
  if (isPlainObject(expected)) {
    if (!isPlainObject(actual)) return false;
    return Object.entries(expected).every(([key, value]) => matchesPartial(actual[key], value));
  }
  return Object.is(actual, expected);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
