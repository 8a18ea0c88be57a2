/**
 * ajv, the project's one JSON Schema validator (settings in bin/, fleet profiles in scenarios/),
 * loaded here and nowhere else.
 *
 * It is the ajv ocpp-rpc validates OCPP messages with: package.json pins ajv to the version the
 * pinned ocpp-rpc pins (8.14.0 for ocpp-rpc 2.2.1), so npm installs one copy and the process
 * loads one ajv. jsonSchema.test.ts fails when ocpp-rpc resolves another copy (after an upgrade
 * of either): then align the pin, or the process carries two ajvs.
 */
export { Ajv } from 'ajv';
export type { ErrorObject, Options as AjvOptions, ValidateFunction } from 'ajv';
