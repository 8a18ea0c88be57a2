/**
 * Test support only: frames no CSMS should send, whatever the OCPP version — broken JSON, unknown
 * message types, calls without an action or payload, a number as message id, answers nobody asked
 * for, control bytes, an oversized vendorId. The `evse run` tests add their version's calls with wrong
 * shapes and values, and send them all in a loop.
 */

/** Message ids these frames use (-1 is how ocpp-rpc answers a frame without a usable id): the answers to them are not the station's faults. */
export const HOSTILE_IDS: ReadonlySet<string> = new Set(['id', '-1', '123', 'nobody-asked']);

export const HOSTILE_FRAMES: readonly string[] = Object.freeze([
  'not json',
  '[',
  '{}',
  '[]',
  '[2]',
  '[9,"x","Reset",{}]',
  '[2,"id"]',
  '[2,"id","Reset"]',
  '[2,"id","Reset",{"type":"Sideways"}]',
  '[2,"id","NoSuchAction",{}]',
  `[2,"id","DataTransfer",{"vendorId":"${'x'.repeat(300)}"}]`,
  '[2,123,"Heartbeat",{}]',
  '[3,"nobody-asked",{}]',
  '[4,"nobody-asked","InternalError","",{}]',
  '\u0000\u0001\u0002',
]);
