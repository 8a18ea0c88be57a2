/**
 * Property test: random event sequences (and clock advances) against the connector machine.
 *
 * The test keeps its own model of the world from the events it sent and the commands it got back
 * (never from the machine's context), and checks the safety and bookkeeping invariants after every
 * command and every step. A final "drain" checks that the connector always returns to rest.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { SimulatedClock } from '../../hal/clock.js';
import { HAL_ERRORS, type HalErrorCode, type PilotState } from '../../hal/index.js';
import { connectorMachine } from './connectorMachine.js';
import { errorCodeOf, hasTransaction, statusOf } from './connectorSelectors.js';
import {
  CONNECTOR_STATUSES,
  type ConnectorCommand,
  type ConnectorEvent,
  type ConnectorInput,
  type IdTagStatus,
  type StopReason,
} from './connectorTypes.js';

const PILOTS: PilotState[] = ['A', 'B', 'C', 'D', 'E', 'F'];
// Weighted towards a plugged-in EV, so that sessions happen often.
const PILOT_EVENTS: PilotState[] = ['A', 'A', 'A', 'B', 'B', 'B', 'C', 'C', 'C', 'C', 'D', 'E', 'F'];
const FAULT_CODES: HalErrorCode[] = ['OVER_CURRENT', 'PILOT_FAULT', 'RELAY_WELDED'];
const TAGS = ['T1', 'T2', 'T3'];
const STOP_REASONS: StopReason[] = ['Remote', 'SoftReset', 'HardReset', 'UnlockCommand', 'Local', 'Other'];
const ID_TAG_STATUSES: IdTagStatus[] = ['Accepted', 'Accepted', 'Invalid', 'Blocked', 'Expired', 'ConcurrentTx'];

/** A RESERVE carries clock times; the generator says "relative to now" and the runner fills them in. */
type Step =
  | { kind: 'event'; event: Exclude<ConnectorEvent, { type: 'RESERVE' }> }
  | { kind: 'reserve'; reservationId: number; idTag: string; parentIdTag: string | undefined; ttlMs: number }
  | { kind: 'advance'; ms: number };

const event = (a: fc.Arbitrary<Exclude<ConnectorEvent, { type: 'RESERVE' }>>): fc.Arbitrary<Step> =>
  a.map((e) => ({ kind: 'event' as const, event: e }));

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: event(fc.constantFrom(...PILOT_EVENTS).map((state) => ({ type: 'PILOT' as const, state }))) },
  {
    weight: 4,
    arbitrary: event(
      fc
        .record({ idTag: fc.constantFrom(...TAGS), parent: fc.constantFrom(undefined, 'G'), remote: fc.boolean() })
        .map(({ idTag, parent, remote }) => ({ type: 'AUTHORIZED' as const, idTag, remote, ...(parent && { parentIdTag: parent }) })),
    ),
  },
  { weight: 1, arbitrary: event(fc.constantFrom(...STOP_REASONS).map((reason) => ({ type: 'STOP' as const, reason }))) },
  {
    weight: 2,
    arbitrary: event(
      fc.constantFrom(...ID_TAG_STATUSES).map((idTagStatus) => ({ type: 'TRANSACTION_CONFIRMED' as const, transactionId: 1, idTagStatus })),
    ),
  },
  {
    weight: 1,
    arbitrary: event(
      fc.constantFrom(...FAULT_CODES).map((code) => ({
        type: 'FAULT' as const,
        fault: { code, ocppErrorCode: HAL_ERRORS[code].ocpp, recoverable: HAL_ERRORS[code].recoverable, info: '' },
      })),
    ),
  },
  { weight: 3, arbitrary: event(fc.constantFrom(...FAULT_CODES).map((code) => ({ type: 'FAULT_CLEARED' as const, code }))) },
  { weight: 1, arbitrary: event(fc.boolean().map((operative) => ({ type: 'SET_AVAILABILITY' as const, operative }))) },
  { weight: 2, arbitrary: event(fc.constantFrom(0, 3, 6, 16, 32, 80).map((amps) => ({ type: 'SET_LIMIT' as const, amps }))) },
  {
    weight: 1,
    arbitrary: fc
      .record({
        reservationId: fc.constantFrom(1, 2),
        idTag: fc.constantFrom(...TAGS),
        parentIdTag: fc.constantFrom(undefined, 'G'),
        ttlMs: fc.constantFrom(-1, 0, 1_000, 90_000),
      })
      .map((r) => ({ kind: 'reserve' as const, ...r })),
  },
  { weight: 1, arbitrary: event(fc.constantFrom(1, 2).map((reservationId) => ({ type: 'CANCEL_RESERVATION' as const, reservationId }))) },
  { weight: 2, arbitrary: fc.constantFrom(1, 1_000, 59_999, 60_000, 120_000).map((ms) => ({ kind: 'advance' as const, ms })) },
);

const RUNS = 1000;
const steps = fc.array(stepArb, { minLength: 10, maxLength: 80, size: 'medium' });

const inputArb: fc.Arbitrary<ConnectorInput> = fc.record({
  connectorId: fc.constant(1),
  maxCurrentA: fc.constantFrom(16, 32),
  connectionTimeoutMs: fc.constant(60_000),
  stopTransactionOnInvalidId: fc.boolean(),
  stopTransactionOnEVSideDisconnect: fc.boolean(),
  ventilation: fc.boolean(),
  operative: fc.constantFrom(true, true, true, false),
  pilot: fc.constantFrom(...PILOTS),
});

/** What the test believes, built only from what it sent and what it was told to do. */
class World {
  pilot: PilotState;
  faults = new Set<HalErrorCode>();
  contactorClosed = false;
  offeredA = 0;
  pilotHeld = false;
  transactionOpen = false;
  idTagRejected = false;
  confirmed = false;
  starts = 0;
  stops = 0;
  readonly statuses = new Set<string>();

  constructor(readonly input: ConnectorInput) {
    this.pilot = input.pilot;
  }

  /** Before the machine sees the event. */
  observe(e: ConnectorEvent): void {
    // Reading F while we hold the pilot at F is our own voltage, not the vehicle (documented contract).
    if (e.type === 'PILOT' && !(e.state === 'F' && this.pilotHeld)) this.pilot = e.state;
    if (e.type === 'FAULT') this.faults.add(e.fault.code);
    if (e.type === 'FAULT_CLEARED') this.faults.delete(e.code);
    // Only the first StartTransaction.conf of a transaction counts.
    if (e.type === 'TRANSACTION_CONFIRMED' && this.transactionOpen && !this.confirmed) {
      this.confirmed = true;
      this.idTagRejected = e.idTagStatus !== 'Accepted';
    }
  }

  get noFault(): boolean {
    return this.faults.size === 0 && this.pilot !== 'E' && this.pilot !== 'F' && (this.pilot !== 'D' || this.input.ventilation);
  }

  /** Every command must change something, and be allowed at that moment. */
  command(c: ConnectorCommand): void {
    switch (c.type) {
      case 'closeContactor':
        ensure(!this.contactorClosed, 'closeContactor while closed');
        this.contactorClosed = true;
        break;
      case 'openContactor':
        ensure(this.contactorClosed, 'openContactor while open');
        this.contactorClosed = false;
        break;
      case 'offerCurrent':
        ensure(c.amps !== this.offeredA, 'offerCurrent without a change');
        ensure(c.amps === 0 || (c.amps >= 6 && c.amps <= this.input.maxCurrentA), `offer of ${c.amps} A`);
        this.offeredA = c.amps;
        break;
      case 'pilotUnavailable':
        ensure(c.unavailable !== this.pilotHeld, 'pilotUnavailable without a change');
        this.pilotHeld = c.unavailable;
        break;
      case 'startTransaction':
        ensure(!this.transactionOpen, 'startTransaction during a transaction');
        ensure(this.noFault && !this.pilotHeld, 'startTransaction while faulted or inoperative');
        this.transactionOpen = true;
        this.idTagRejected = false;
        this.confirmed = false;
        this.starts++;
        break;
      case 'stopTransaction':
        ensure(this.transactionOpen, 'stopTransaction without a transaction');
        ensure(!this.contactorClosed, 'stopTransaction with the contactor closed');
        ensure(this.offeredA === 0, 'stopTransaction with PWM on');
        this.transactionOpen = false;
        this.stops++;
        break;
      case 'authorizationIgnored':
        break;
    }
  }
}

/** A plain assertion, cheap enough for every step of every run (the label is built on failure only). */
function ensure(ok: boolean, what: string | (() => string)): void {
  if (!ok) throw new Error(typeof what === 'string' ? what : what());
}

function run(input: ConnectorInput, steps: Step[], machine: typeof connectorMachine = connectorMachine) {
  const clock = new SimulatedClock();
  const world = new World(input);
  const actor = createActor(machine, { clock, input });
  actor.on('*', (c) => world.command(c));
  actor.start();

  const send = (e: ConnectorEvent) => {
    world.observe(e);
    actor.send(e);
  };
  const check = (after: () => string) => {
    const snap = actor.getSnapshot();
    const is = (what: string, ok: boolean) => ensure(ok, () => `${what} after ${after()}`);
    is('exactly one status tag', CONNECTOR_STATUSES.filter((s) => snap.hasTag(s)).length === 1);
    const status = statusOf(snap);
    world.statuses.add(status);
    // The safety invariant, from the test's own model.
    if (world.contactorClosed) {
      is(`contactor closed with pilot ${world.pilot}`, world.pilot === 'C' || (world.pilot === 'D' && input.ventilation));
      is('contactor closed unauthorized', world.transactionOpen && !world.idTagRejected);
      is('contactor closed while inoperative', !world.pilotHeld);
      is('contactor closed with a fault', world.noFault);
      is('contactor closed without PWM', world.offeredA >= 6);
    }
    const mayDraw = world.transactionOpen && !world.idTagRejected && world.noFault;
    if (world.offeredA > 0) is('PWM on without an authorized, fault-free transaction', mayDraw);
    is('Charging ⇔ contactor closed', (status === 'Charging') === world.contactorClosed);
    is('hasTransaction ⇔ started and not stopped', hasTransaction(snap) === world.transactionOpen);
    const inTransaction = ['Charging', 'SuspendedEV', 'SuspendedEVSE'].includes(status);
    if (inTransaction) is(`${status} without a transaction`, world.transactionOpen);
    if (!inTransaction && status !== 'Faulted') is(`${status} with a transaction`, !world.transactionOpen);
    if (!world.noFault) is('fault not reported as Faulted', status === 'Faulted');
    is('errorCode ⇔ Faulted', (status === 'Faulted') === (errorCodeOf(snap) !== 'NoError'));
    if (status === 'Unavailable') is('Unavailable with the pilot released', world.pilotHeld);
    if (world.pilotHeld) is(`pilot held in ${status}`, status === 'Unavailable' || status === 'Faulted');
    if (status === 'Available') is(`Available with pilot ${world.pilot}`, world.pilot === 'A');
    if (status === 'Finishing') is(`Finishing with pilot ${world.pilot}`, ['B', 'C', 'D'].includes(world.pilot));
    is('more than one timer armed', clock.pendingTimers <= 1);
    is('start/stop pairing', world.stops === world.starts || world.stops === world.starts - 1);
  };

  check(() => 'start');
  steps.forEach((step, i) => {
    if (step.kind === 'advance') clock.advance(step.ms);
    else if (step.kind === 'event') send(step.event);
    else {
      const now = clock.now();
      const { reservationId, idTag, parentIdTag, ttlMs } = step;
      send({ type: 'RESERVE', reservationId, idTag, expiresAt: now + ttlMs, now, ...(parentIdTag && { parentIdTag }) });
    }
    check(() => `step ${i} ${JSON.stringify(step)}`);
  });

  // Drain: whatever happened, these bring the connector back to rest.
  for (const e of [
    { type: 'STOP', reason: 'Remote' },
    ...FAULT_CODES.map((code) => ({ type: 'FAULT_CLEARED', code })),
    { type: 'PILOT', state: 'A' },
    { type: 'SET_AVAILABILITY', operative: true },
    { type: 'CANCEL_RESERVATION', reservationId: 1 },
    { type: 'CANCEL_RESERVATION', reservationId: 2 },
  ] as ConnectorEvent[]) send(e);
  clock.advance(24 * 3600_000);
  check(() => 'drain');
  expect(statusOf(actor.getSnapshot())).toBe('Available');
  expect([world.transactionOpen, world.contactorClosed, world.offeredA, world.pilotHeld]).toEqual([false, false, 0, false]);
  expect(world.stops).toBe(world.starts);
  expect(clock.pendingTimers).toBe(0);
  actor.stop();
  return world;
}

describe('connector machine under random event sequences', () => {
  it('keeps its invariants and always returns to rest', () => {
    let sessions = 0;
    const statuses = new Set<string>();
    fc.assert(
      fc.property(inputArb, steps, (input, steps) => {
        const world = run(input, steps);
        sessions += world.starts;
        for (const s of world.statuses) statuses.add(s);
      }),
      { numRuns: RUNS },
    );
    // The generator must reach transactions and every status, or the invariants prove little.
    expect(sessions).toBeGreaterThan(RUNS / 2);
    expect([...statuses].sort()).toEqual([...CONNECTOR_STATUSES].sort());
  });

  it('finds a counterexample when the contactor guard is weakened (the checks are not vacuous)', () => {
    // "The EV asks for power" alone is the classic bug: it charges with PWM off or unauthorized.
    const weakened = connectorMachine.provide({ guards: { contactorMayClose: ({ context }) => ['C', 'D'].includes(context.pilot) } });
    const details = fc.check(
      fc.property(inputArb, steps, (input, steps) => void run(input, steps, weakened)),
      { numRuns: RUNS },
    );
    expect(details.failed).toBe(true);
    expect(String(details.errorInstance)).toMatch(/contactor closed|Charging ⇔ contactor|PWM on/);
  });
});
