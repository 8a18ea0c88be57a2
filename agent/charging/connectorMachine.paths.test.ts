/**
 * Systematic coverage with @xstate/graph: the shortest event path to every state of the machine,
 * replayed on a real actor, and a structural check that every resting state carries exactly one
 * OCPP status tag. Behaviour along the paths is asserted in connectorMachine.test.ts.
 */
import { getShortestPaths } from '@xstate/graph';
import { describe, expect, it } from 'vitest';
import { createActor, type AnyStateNode } from 'xstate';
import { SimulatedClock } from '../../hal/clock.js';
import { HAL_ERRORS, type HalErrorCode } from '../../hal/index.js';
import { connectorMachine } from './connectorMachine.js';
import { statusOf } from './connectorSelectors.js';
import { CONNECTOR_STATUSES, type ConnectorEvent, type ConnectorInput, type ConnectorStatus } from './connectorTypes.js';

const T0 = Date.UTC(2026, 0, 1);
const INPUT: ConnectorInput = {
  connectorId: 1,
  maxCurrentA: 32,
  connectionTimeoutMs: 60_000,
  stopTransactionOnInvalidId: false,
  stopTransactionOnEVSideDisconnect: true,
  ventilation: false,
  operative: true,
  pilot: 'A',
};

const fault = (code: HalErrorCode): ConnectorEvent => ({
  type: 'FAULT',
  fault: { code, ocppErrorCode: HAL_ERRORS[code].ocpp, recoverable: HAL_ERRORS[code].recoverable, info: '' },
});

const EVENTS: ConnectorEvent[] = [
  ...(['A', 'B', 'C', 'E'] as const).map((state) => ({ type: 'PILOT' as const, state })),
  { type: 'AUTHORIZED', idTag: 'TAG-1' },
  { type: 'AUTHORIZED', idTag: 'TAG-2' },
  { type: 'STOP', reason: 'Remote' },
  { type: 'TRANSACTION_CONFIRMED', transactionId: 1, idTagStatus: 'Accepted' },
  { type: 'TRANSACTION_CONFIRMED', transactionId: 1, idTagStatus: 'Invalid' },
  fault('OVER_CURRENT'),
  fault('RELAY_WELDED'),
  { type: 'FAULT_CLEARED', code: 'OVER_CURRENT' },
  { type: 'FAULT_CLEARED', code: 'RELAY_WELDED' },
  { type: 'SET_AVAILABILITY', operative: false },
  { type: 'SET_AVAILABILITY', operative: true },
  { type: 'SET_LIMIT', amps: 0 },
  { type: 'SET_LIMIT', amps: 16 },
  { type: 'RESERVE', reservationId: 1, idTag: 'TAG-1', expiresAt: T0 + 60_000, now: T0 },
  { type: 'CANCEL_RESERVATION', reservationId: 1 },
];

/** Every resting state and the OCPP status it reports (the table in the report). */
const STATES: Record<string, ConnectorStatus> = {
  '"Available"': 'Available',
  '{"Preparing":"WaitingForAuthorization"}': 'Preparing',
  '{"Preparing":"WaitingForCable"}': 'Preparing',
  '"Reserved"': 'Reserved',
  '"Unavailable"': 'Unavailable',
  '"Finishing"': 'Finishing',
  '"Faulted"': 'Faulted',
  '{"Transaction":"Charging"}': 'Charging',
  '{"Transaction":"SuspendedEV"}': 'SuspendedEV',
  '{"Transaction":"SuspendedEVSE"}': 'SuspendedEVSE',
  '{"Transaction":"Faulted"}': 'Faulted',
};

describe('state graph', () => {
  const paths = getShortestPaths(connectorMachine, {
    input: INPUT,
    events: EVENTS,
    serializeState: (snapshot) => JSON.stringify(snapshot.value),
  });

  it('reaches every state, and only the states in the table', () => {
    expect(paths.map((p) => JSON.stringify(p.state.value)).sort()).toEqual(Object.keys(STATES).sort());
  });

  it.each(paths.map((p) => [JSON.stringify(p.state.value), p] as const))('%s: replayed on an actor, reports its status', (key, path) => {
    const actor = createActor(connectorMachine, { clock: new SimulatedClock(T0), input: INPUT }).start();
    for (const step of path.steps) actor.send(step.event);
    const snapshot = actor.getSnapshot();
    expect(JSON.stringify(snapshot.value)).toBe(key);
    expect(statusOf(snapshot)).toBe(STATES[key]);
    actor.stop();
  });

  it('every resting state node carries exactly one status tag; the transient route states none', () => {
    const atomic = (node: AnyStateNode): AnyStateNode[] => {
      const children = Object.values(node.states);
      return children.length === 0 ? [node] : children.flatMap(atomic);
    };
    const statusTags = (node: AnyStateNode | undefined): string[] =>
      node ? [...node.tags.filter((t) => (CONNECTOR_STATUSES as readonly string[]).includes(t)), ...statusTags(node.parent)] : [];
    for (const node of atomic(connectorMachine.root)) {
      expect(statusTags(node), node.id).toHaveLength(node.key === 'route' ? 0 : 1);
      if (node.key === 'route') expect(node.always?.length, node.id).toBeGreaterThan(0);
    }
  });
});
