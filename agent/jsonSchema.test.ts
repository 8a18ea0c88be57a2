import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Ajv } from './jsonSchema.js';

const require = createRequire(import.meta.url);
const packageJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as { version: string; dependencies?: Record<string, string> };

describe('jsonSchema (the one ajv)', () => {
  it('is the very copy of ajv ocpp-rpc validates OCPP messages with', () => {
    const ours = require.resolve('ajv');
    const ocppRpcs = createRequire(require.resolve('ocpp-rpc')).resolve('ajv');
    expect(ocppRpcs, `ocpp-rpc resolves its own ajv (${dirname(ocppRpcs)}): pin ajv in package.json to the version ocpp-rpc pins`).toBe(ours);
    expect(new Ajv()).toBeInstanceOf(require('ajv') as typeof Ajv);
  });

  it('is pinned in package.json to the version ocpp-rpc pins', () => {
    const ours = packageJson(new URL('../package.json', import.meta.url).pathname).dependencies?.ajv;
    const ocppRpcs = packageJson(require.resolve('ocpp-rpc/package.json')).dependencies?.ajv;
    expect(ours).toBeDefined();
    expect(ours, 'package.json pins another ajv than ocpp-rpc does').toBe(ocppRpcs);
    expect(packageJson(require.resolve('ajv/package.json')).version).toBe(ours);
  });

  it('validates', () => {
    const validate = new Ajv({ allErrors: true }).compile({ type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] });
    expect(validate({ n: 1 })).toBe(true);
    expect(validate({ n: 'x' })).toBe(false);
    expect(validate.errors?.[0]).toMatchObject({ instancePath: '/n', keyword: 'type' });
  });
});
