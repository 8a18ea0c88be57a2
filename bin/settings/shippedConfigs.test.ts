/**
 * What the shipped configuration files promise (issue 17): the local dashboard is off by default
 * and off in the production example; it is turned on only on purpose (EVSE_DASHBOARD, `evse demo
 * --dashboard`).
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const read = async (path: string) => parse(await readFile(new URL(`../../config/${path}`, import.meta.url), 'utf8')) as Record<string, Record<string, unknown> | undefined>;

describe('the shipped configuration files', () => {
  it.each(['default.yaml', 'examples/serial-two-connectors.yaml'])('%s: the dashboard is off', async (path) => {
    const config = await read(path);
    expect(config.dashboard?.enabled).toBe(false);
    expect(config.dashboard?.password).toBeUndefined();
  });

  it('the production example shows the support contact on the display', async () => {
    const display = (await read('examples/serial-two-connectors.yaml')).display as { type: string; support?: Record<string, string> };
    expect(display.type).toBe('rapi');
    expect(Object.keys(display.support ?? {})).not.toHaveLength(0);
  });
});
