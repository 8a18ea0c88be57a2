/** Test support only: what parseSettings (bin/settings/settings.ts) refuses in `raw`, as its SettingsError lists it. */
import { expect } from 'vitest';
import { parseSettings, SettingsError } from '../../bin/settings/settings.js';

export function issuesOf(raw: unknown): { path: string; message: string }[] {
  try {
    parseSettings(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(SettingsError);
    return [...(err as SettingsError).issues];
  }
  throw new Error('expected a SettingsError');
}
