/**
 * One XState actor system per clock for the connector machines (docs/fleet.md, Memory and scale).
 *
 * `createActor()` without a parent gives every actor a system of its own: fourteen closures, three
 * Maps, a WeakMap, a Set and four small objects, ≈ 1.7 KB per connector, however little the machine
 * does; in a fleet of 10,000 chargers that is 17 MB of identical bookkeeping. A system is what keeps
 * an actor's delayed events (on the system's clock) and its registry of running actors, so actors on
 * the same clock can share one: each connector actor is created as a child of one root actor per
 * clock ({@link connectorActorOptions}), which holds the system and does nothing else.
 *
 * What a child's parent changes in XState 5, and why it does not matter here: the connector machine
 * reaches no final state and invokes nothing (a done or error event relayed to the root is ignored);
 * errors still reach the controller's snapshot observer first; delayed events are keyed by the
 * actor's session id, unique in the system; `stop()` refuses a child, so {@link stopConnectorActor}
 * asks the root to stop it with XState's own `stopChild` action, which unregisters it from the shared
 * system at once (no leak when a charger is rebuilt on the same clock).
 */
import { createActor, setup, stopChild, type AnyActorRef } from 'xstate';
import type { Clock } from '../../hal/index.js';

/** The root of a shared system: it only stops the children it is asked to stop. */
const rootMachine = setup({
  types: { events: {} as { type: 'evse.stopChild'; child: AnyActorRef } },
}).createMachine({
  id: 'connectors',
  on: { 'evse.stopChild': { actions: stopChild(({ event }) => event.child) } },
});

const roots = new WeakMap<Clock, AnyActorRef>();

function rootFor(clock: Clock): AnyActorRef {
  let root = roots.get(clock);
  if (!root) {
    root = createActor(rootMachine, { clock }).start();
    roots.set(clock, root);
  }
  return root;
}

/** Options that put a connector actor in the shared system of its clock (pass the rest beside it). */
export function connectorActorOptions(clock: Clock): { clock: Clock; parent: AnyActorRef } {
  return { clock, parent: rootFor(clock) };
}

/** Stops a connector actor created with {@link connectorActorOptions} (what `actor.stop()` does for a root actor). */
export function stopConnectorActor(actor: AnyActorRef): void {
  actor._parent?.send({ type: 'evse.stopChild', child: actor });
}
