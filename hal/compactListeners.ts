/**
 * Smaller listener tables for long-lived emitters (docs/fleet.md, Memory and scale).
 *
 * Node's EventEmitter keeps its listeners in `_events`, an object with a null prototype, which V8
 * holds in dictionary mode: 160–450 B per emitter, however few events it has. A charger has about
 * ten long-lived emitters (agent, link, OCPP client, WebSocket, configuration, devices), ≈ 2 KB
 * per charger, 20 MB in a 10,000-charger fleet. {@link compactListeners} swaps the table for an
 * object with the same own keys whose prototype is one shared, empty, frozen null-prototype
 * object: V8 keeps that in fast mode (a hidden class shared by every emitter whose listeners were
 * added in the same order), and EventEmitter sees the same table (no inherited keys). Arrays of
 * listeners are copied at their length (a pushed-to array keeps spare capacity).
 *
 * Call it once an emitter's long-lived listeners are attached. Listeners added later go into the
 * compact table; removing one puts that emitter's table back in dictionary mode, as before.
 * `_events` is not public API: compactListeners.test.ts checks that Node still keeps listeners
 * there and that every EventEmitter method works on a compacted table.
 */
import type { EventEmitter } from 'node:events';

/** The prototype of every compacted table: nothing to inherit. */
const NO_LISTENERS: object = Object.freeze(Object.create(null) as object);

type ListenerTable = Record<string | symbol, unknown>;

/** Replaces the emitter's listener table by a compact one with the same listeners; idempotent. */
export function compactListeners(emitter: EventEmitter | object | undefined): void {
  const holder = emitter as { _events?: ListenerTable } | undefined;
  const events = holder?._events;
  if (!events || Object.getPrototypeOf(events) === NO_LISTENERS) return;
  const table = Object.create(NO_LISTENERS) as ListenerTable;
  for (const key of Reflect.ownKeys(events)) table[key] = trimmed(events[key]);
  holder._events = table;
}

/**
 * An event's listeners: one is kept as the function, several as an array, which grows by push
 * (capacity 17 from the third listener on: ≈ 170 B for three). A copy holds just the listeners;
 * EventEmitter's own mark on the array (`warned`, the max-listeners warning given) goes along.
 */
function trimmed(listeners: unknown): unknown {
  if (!Array.isArray(listeners) || listeners.length < 3) return listeners;
  const copy = listeners.slice();
  if ((listeners as { warned?: boolean }).warned) (copy as { warned?: boolean }).warned = true;
  return copy;
}
