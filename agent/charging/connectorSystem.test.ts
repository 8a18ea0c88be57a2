/**
 * Connector actors on one clock share one XState system (./connectorSystem.ts): each still keeps
 * its own delayed events, stops on its own, and leaves nothing behind in the shared system.
 */
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { SimulatedClock } from '../../hal/clock.js';
import { connectorMachine } from './connectorMachine.js';
import { statusOf } from './connectorSelectors.js';
import { connectorActorOptions, stopConnectorActor } from './connectorSystem.js';
import type { ConnectorCommand } from './connectorTypes.js';
import { CONNECTOR_INPUT } from './testing/connectorHarness.js';

function connectorOn(clock: SimulatedClock, connectorId: number) {
  const actor = createActor(connectorMachine, { ...connectorActorOptions(clock), input: { ...CONNECTOR_INPUT, connectorId } });
  const commands: ConnectorCommand[] = [];
  actor.on('*', (c) => void commands.push(c as ConnectorCommand));
  actor.start();
  return { actor, commands };
}

describe('connector actors in the shared system of their clock', () => {
  it('share one system per clock, and only per clock', () => {
    const clock = new SimulatedClock();
    const a = connectorOn(clock, 1);
    const b = connectorOn(clock, 2);
    const other = connectorOn(new SimulatedClock(), 1);
    expect(a.actor.system).toBe(b.actor.system);
    expect(other.actor.system).not.toBe(a.actor.system);
    expect(a.actor.sessionId).not.toBe(b.actor.sessionId);
  });

  it('keep their own delayed events (ConnectionTimeOut) on the shared clock', () => {
    const clock = new SimulatedClock();
    const a = connectorOn(clock, 1);
    const b = connectorOn(clock, 2);
    a.actor.send({ type: 'AUTHORIZED', idTag: 'A' });
    clock.advance(30_000);
    b.actor.send({ type: 'AUTHORIZED', idTag: 'B' });
    expect(statusOf(a.actor.getSnapshot())).toBe('Preparing');
    clock.advance(30_000); // a's 60 s are up, b's are not
    expect(statusOf(a.actor.getSnapshot())).toBe('Available');
    expect(statusOf(b.actor.getSnapshot())).toBe('Preparing');
    clock.advance(30_000);
    expect(statusOf(b.actor.getSnapshot())).toBe('Available');
  });

  it('stop one at a time: its timers are cancelled, the others run on, the system forgets it', () => {
    const clock = new SimulatedClock();
    const a = connectorOn(clock, 1);
    const b = connectorOn(clock, 2);
    a.actor.send({ type: 'AUTHORIZED', idTag: 'A' });
    b.actor.send({ type: 'AUTHORIZED', idTag: 'B' });
    expect(clock.pendingTimers).toBe(2);
    stopConnectorActor(a.actor);
    expect(a.actor.getSnapshot().status).toBe('stopped');
    expect(clock.pendingTimers).toBe(1);
    expect(a.commands).toEqual([]);
    clock.advance(60_000);
    expect(statusOf(b.actor.getSnapshot())).toBe('Available');
    // What the shared system still holds of stopped actors: nothing (XState's registry, not public API).
    const registry = (a.actor.system as unknown as { _snapshot: { _scheduledEvents: object } })._snapshot._scheduledEvents;
    expect(Object.keys(registry)).toEqual([]);
  });

  it('stop before start, and twice, without error', () => {
    const clock = new SimulatedClock();
    const actor = createActor(connectorMachine, { ...connectorActorOptions(clock), input: CONNECTOR_INPUT });
    stopConnectorActor(actor);
    expect(actor.getSnapshot().status).toBe('active'); // never started: it just will not run
    actor.start();
    expect(actor.getSnapshot().status).toBe('active');
    const started = connectorOn(clock, 2);
    stopConnectorActor(started.actor);
    stopConnectorActor(started.actor);
    expect(started.actor.getSnapshot().status).toBe('stopped');
  });
});
