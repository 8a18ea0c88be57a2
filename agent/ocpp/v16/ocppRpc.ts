/**
 * The one place the project loads ocpp-rpc. Import `ocppRpc` from here, never from 'ocpp-rpc'
 * directly (lint enforces it): this module must run first.
 *
 * Why: ocpp-rpc's client module builds strict-mode validators for OCPP 1.6, 2.0.1 and 2.1 when it
 * is first required (1.6 MB of JSON schemas, about 8 MB of resident memory measured here). This
 * agent speaks 1.6 only, and on a board or in a 10,000-charger fleet those megabytes matter. So
 * before ocpp-rpc is loaded, its validator list is put into Node's module cache holding the 1.6
 * validator alone. ocpp-rpc is pinned to an exact version because this depends on its file layout;
 * `ocppRpc.test.ts` fails if the layout changes or strict validation stops working.
 */
import { createRequire, Module } from 'node:module';
import type * as OcppRpcTypes from 'ocpp-rpc';
import type { Validator, createValidator as CreateValidator } from 'ocpp-rpc/lib/validator.js';

const require = createRequire(import.meta.url);
const STANDARD_VALIDATORS = require.resolve('ocpp-rpc/lib/standard-validators.js');

function primeValidators(): readonly Validator[] {
  const cached = require.cache[STANDARD_VALIDATORS];
  if (cached) return cached.exports as readonly Validator[];
  const { createValidator } = require('ocpp-rpc/lib/validator.js') as { createValidator: typeof CreateValidator };
  const validators = [createValidator('ocpp1.6', require('ocpp-rpc/lib/schemas/ocpp1_6.json') as object[])];
  const entry = new Module(STANDARD_VALIDATORS);
  entry.filename = STANDARD_VALIDATORS;
  entry.loaded = true;
  entry.exports = validators;
  require.cache[STANDARD_VALIDATORS] = entry;
  return validators;
}

/** The strict-mode validators every ocpp-rpc client and server of this process shares. */
export const standardValidators = primeValidators();

export const ocppRpc = require('ocpp-rpc') as typeof OcppRpcTypes;
export type { IHandlersOption } from 'ocpp-rpc';
