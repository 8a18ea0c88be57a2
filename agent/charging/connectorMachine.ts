/**
 * The connector machine: one connector's IEC 61851 pilot, authorization, transaction,
 * reservation, availability and faults, reported as an OCPP 1.6 connector status.
 *
 * Pure: it only decides. Every side effect is an emitted {@link ConnectorCommand}, executed
 * literally by the controller (`actor.on('closeContactor', …)`); a command is emitted only when it
 * changes the commanded output (`context.outputs`), which starts at rest: contactor open, PWM
 * off, pilot released. Subscribe with `actor.on('*', …)` before `start()`: an inoperative start
 * emits `pilotUnavailable` at once. Delays run on the clock given to `createActor`.
 *
 * The OCPP status of every resting state is its tag (statusOf, connectorSelectors.ts). The `route` states are
 * transient: they hold the mapping from pilot/session/availability/faults to a state, so that
 * every "where now?" (after a fault clears, a transaction ends, availability returns) is
 * answered in one place.
 *
 * Its guards (the invariants) are in connectorGuards.ts; what callers read from a snapshot
 * (status, error code, transaction, reservation) in connectorSelectors.ts.
 */
import { and, emit, enqueueActions, not, or, setup, assign, type SnapshotFrom } from 'xstate';
import type { IdTokenKind } from '../auth/idToken.js';
import { cableIn, connectorGuards, desiredOffer, wantsLock } from './connectorGuards.js';
import type {
  ConnectorCommand, ConnectorContext, ConnectorEvent, ConnectorInput, ConnectorStatus, TransactionEndReason,
} from './connectorTypes.js';

// Actions take what they read as XState action params, never from `event` directly: each of the
// below is wired to one kind of event and gets that event (typed: wiring one to a transition of
// another event does not compile); endTransaction, wired to several, gets the stop it makes.
type StopParams = { reason: TransactionEndReason; idTag?: string; idTokenType?: IdTokenKind };
type EventOf<T extends ConnectorEvent['type']> = Extract<ConnectorEvent, { type: T }>;
/** An action wired to one kind of event, taking that event as its params. */
const withEvent = <A extends string, T extends ConnectorEvent['type']>(type: A, _event: T) => ({ type, params: ({ event }: { event: EventOf<T> }) => event });
const recordPilot = withEvent('recordPilot', 'PILOT');
const configure = withEvent('configure', 'CONFIGURE');
const recordLimit = withEvent('recordLimit', 'SET_LIMIT');
const recordFault = withEvent('recordFault', 'FAULT');
const clearFault = withEvent('clearFault', 'FAULT_CLEARED');
const authorize = withEvent('authorize', 'AUTHORIZED');
const authorizeReservation = withEvent('authorizeReservation', 'AUTHORIZED');
const ignoreAuthorization = withEvent('ignoreAuthorization', 'AUTHORIZED');
const recordLock = withEvent('recordLock', 'LOCK_STATE');
const reserve = withEvent('reserve', 'RESERVE');
const confirmTransaction = withEvent('confirmTransaction', 'TRANSACTION_CONFIRMED');
const setAvailability = withEvent('setAvailability', 'SET_AVAILABILITY');
const scheduleAvailability = withEvent('scheduleAvailability', 'SET_AVAILABILITY');
const resumeTransaction = withEvent('resumeTransaction', 'RESUME_TRANSACTION');
const authorizeTransaction = withEvent('authorizeTransaction', 'AUTHORIZED');
const endAuthorization = withEvent('endAuthorization', 'AUTHORIZED');

/**
 * The machine's settings from its input: the input itself when it is complete (as the agent
 * builds it: one object per connector instead of two), else a copy with the defaults filled in.
 * The input's start-only fields (pilot, operative, locked) then ride along unread.
 */
function settingsOf(input: ConnectorInput): ConnectorContext['settings'] {
  if (input.maxEnergyOnInvalidIdWh !== undefined && input.unlockConnectorOnEVSideDisconnect !== undefined && input.lock !== undefined) {
    return input as ConnectorContext['settings'];
  }
  // Literals, not spread/rest: V8 gives spread-built objects a hidden class of their own.
  return {
    connectorId: input.connectorId,
    maxCurrentA: input.maxCurrentA,
    connectionTimeoutMs: input.connectionTimeoutMs,
    stopTransactionOnInvalidId: input.stopTransactionOnInvalidId,
    stopTransactionOnEVSideDisconnect: input.stopTransactionOnEVSideDisconnect,
    maxEnergyOnInvalidIdWh: input.maxEnergyOnInvalidIdWh ?? 0,
    ventilation: input.ventilation,
    unlockConnectorOnEVSideDisconnect: input.unlockConnectorOnEVSideDisconnect ?? true,
    lock: input.lock ?? false,
    ...(input.transactionPoints !== undefined && { transactionPoints: input.transactionPoints }),
  };
}

export const connectorMachine = setup({
  types: {} as { context: ConnectorContext; events: ConnectorEvent; input: ConnectorInput; emitted: ConnectorCommand; tags: ConnectorStatus },
  guards: connectorGuards,
  actions: {
    recordPilot: assign(({ context }, { state }: EventOf<'PILOT'>) => ({ pilot: state, finishing: context.finishing && state !== 'A' })),
    configure: assign(({ context }, { settings }: EventOf<'CONFIGURE'>) => ({ settings: { ...context.settings, ...settings } })),
    recordLimit: assign((_, { amps, source }: EventOf<'SET_LIMIT'>) => ({ limitA: Number.isFinite(amps) ? Math.max(0, amps) : 0, limitSource: source ?? 'hardware' })),
    recordFault: assign(({ context }, { fault }: EventOf<'FAULT'>) => ({ faults: { ...context.faults, [fault.code]: fault } })),
    clearFault: assign(({ context }, { code }: EventOf<'FAULT_CLEARED'>) => {
      const { [code]: _cleared, ...faults } = context.faults;
      return { faults };
    }),
    authorize: assign((_, { idTag, idTokenType, parentIdTag, parentIdTagType, reservationId }: EventOf<'AUTHORIZED'>) => ({ authorization: { idTag, idTokenType, parentIdTag, parentIdTagType, reservationId }, finishing: false })),
    authorizeReservation: assign(({ context }, { idTag, idTokenType, parentIdTag, parentIdTagType }: EventOf<'AUTHORIZED'>) => ({
      authorization: { idTag, idTokenType, parentIdTag, parentIdTagType, reservationId: context.reservation?.reservationId },
      reservation: undefined,
    })),
    dropAuthorization: assign({ authorization: undefined }),
    // What the lock reports is what holds: a position moved by someone else (UnlockConnector) is
    // the commanded output from now on, and syncLock commands it back only if the session needs it.
    // Released while held after a session (UnlockConnector): the hold is over.
    recordLock: assign(({ context }, { locked }: EventOf<'LOCK_STATE'>) => ({
      lockConfirmed: locked,
      outputs: { ...context.outputs, locked },
      lockHeldFor: locked ? context.lockHeldFor : undefined,
    })),
    releaseHeldLock: assign({ lockHeldFor: undefined }),
    reserve: assign((_, { reservationId, idTag, idTokenType, parentIdTag, parentIdTagType, expiresAt, now }: EventOf<'RESERVE'>) => ({ reservation: { reservationId, idTag, idTokenType, parentIdTag, parentIdTagType, expiresAt, reservedAt: now } })),
    dropReservation: assign({ reservation: undefined }),
    ignoreAuthorization: emit((_, { idTag }: EventOf<'AUTHORIZED'>) => ({ type: 'authorizationIgnored' as const, idTag })),
    confirmTransaction: assign(({ context }, { transactionId, idTagStatus }: EventOf<'TRANSACTION_CONFIRMED'>) => ({
      transaction: context.transaction && { ...context.transaction, transactionId, idTagStatus },
    })),
    // MaxEnergyOnInvalidId: the EV may go on drawing up to the allowance, which the controller measures.
    grantAllowance: enqueueActions(({ context, enqueue }) => {
      if (!context.transaction) return;
      enqueue.assign({ transaction: { ...context.transaction, allowance: 'running' } });
      enqueue.emit({ type: 'limitEnergy', wh: context.settings.maxEnergyOnInvalidIdWh ?? 0 });
    }),
    spendAllowance: assign(({ context }) => ({ transaction: context.transaction && { ...context.transaction, allowance: 'spent' as const } })),
    setAvailability: assign((_, { operative }: EventOf<'SET_AVAILABILITY'>) => ({ operative, inoperativeScheduled: false })),
    // Answered "Scheduled" by the controller; an Operative request cancels a pending one.
    scheduleAvailability: assign((_, { operative }: EventOf<'SET_AVAILABILITY'>) => ({ inoperativeScheduled: !operative })),
    // The transaction was started (and journaled) before a restart: no startTransaction command.
    // Confirmed before the cut means Accepted (the recovery checked the idTag again); otherwise
    // the late StartTransaction.conf still decides, as for any offline start.
    resumeTransaction: assign((_, { idTag, idTokenType, parentIdTag, parentIdTagType, transactionId }: EventOf<'RESUME_TRANSACTION'>) => {
      return {
        transaction: { idTag, ...(idTokenType !== undefined && { idTokenType }), ...(parentIdTag !== undefined && { parentIdTag }), ...(parentIdTagType !== undefined && { parentIdTagType }), ...(transactionId !== undefined && { transactionId, idTagStatus: 'Accepted' as const }) },
        authorization: undefined,
        finishing: false,
        lockHeldFor: undefined,
      };
    }),
    beginTransaction: enqueueActions(({ context: { authorization: auth, pilot }, event, enqueue }) => {
      if (!auth) throw new Error('beginTransaction without an authorization');
      // The new session takes over a cable still held from the last one. Begun before the cable
      // (TransactionPoints.beginAtAuthorization): it waits for one for ConnectionTimeOut.
      enqueue.assign({ transaction: cableIn(pilot) ? { ...auth } : { ...auth, awaitingCable: true }, authorization: undefined, finishing: false, lockHeldFor: undefined });
      const { idTag, idTokenType, reservationId } = auth;
      // Begun by the plug-in (authorized while waiting for the cable), or by the authorization.
      enqueue.emit({ type: 'startTransaction', idTag, ...(idTokenType !== undefined && { idTokenType }), ...(reservationId !== undefined && { reservationId }), ...(event.type === 'PILOT' && { cablePluggedLast: true as const }), ...(!cableIn(pilot) && { incomplete: true as const }) });
    }),
    // TransactionPoints.beginAtPlugIn: begun by the cable alone; no energy until a driver is authorized.
    beginUnauthorized: enqueueActions(({ enqueue }) => {
      enqueue.assign({ transaction: { idTag: '', unauthorized: 'notYet' }, authorization: undefined, finishing: false, lockHeldFor: undefined });
      enqueue.emit({ type: 'startTransaction', cablePluggedLast: true, incomplete: true });
    }),
    // A driver authorized for the transaction begun at the plug-in: it is theirs from now on.
    authorizeTransaction: enqueueActions(({ context, enqueue }, { idTag, idTokenType, parentIdTag, parentIdTagType }: EventOf<'AUTHORIZED'>) => {
      const t = context.transaction;
      if (!t) return;
      enqueue.assign({
        transaction: {
          idTag,
          ...(idTokenType !== undefined && { idTokenType }),
          ...(parentIdTag !== undefined && { parentIdTag }),
          ...(parentIdTagType !== undefined && { parentIdTagType }),
          // The answer to this authorization binds it as a start's answer does (TRANSACTION_CONFIRMED again).
          ...(t.transactionId !== undefined && { transactionId: t.transactionId }),
        },
      });
      enqueue.emit({ type: 'transactionAuthorized', idTag, ...(idTokenType !== undefined && { idTokenType }) });
    }),
    // TransactionPoints.outlastAuthorization: the session's card ends its authorization, not the transaction.
    endAuthorization: enqueueActions(({ context, enqueue }, { idTag, idTokenType }: EventOf<'AUTHORIZED'>) => {
      if (!context.transaction) return;
      enqueue.assign({ transaction: { ...context.transaction, unauthorized: 'ended' } });
      enqueue.emit({ type: 'authorizationEnded', idTag, ...(idTokenType !== undefined && { idTokenType }) });
    }),
    // The first cable of a transaction begun before one.
    recordCable: assign(({ context }) => {
      const t = context.transaction;
      if (!t?.awaitingCable || !cableIn(context.pilot)) return {};
      const { awaitingCable: _plugged, ...rest } = t;
      return { transaction: rest };
    }),
    // The only emitter of stopTransaction, used only on transitions that leave Transaction:
    // hence exactly one stop per start. The contactor was opened by Charging's exit already.
    endTransaction: enqueueActions(({ context, enqueue }, { reason, idTag, idTokenType }: StopParams) => {
      const { outputs, transaction } = context;
      // A scheduled Inoperative applies now; no transaction means no PWM.
      const operative = context.operative && !context.inoperativeScheduled;
      // Unplugged at the EV and UnlockConnectorOnEVSideDisconnect false: the cable stays locked.
      // (Not for a transaction nobody was authorized for: no card could release it.)
      const holdLock = reason === 'EVDisconnected' && context.settings.lock && !context.settings.unlockConnectorOnEVSideDisconnect && transaction?.unauthorized !== 'notYet';
      // Without a transaction the lock is wanted only while held for it (wantsLock).
      const locked = holdLock && transaction !== undefined;
      enqueue.assign({
        lockHeldFor: locked ? { idTag: transaction.idTag, ...(transaction.parentIdTag !== undefined && { parentIdTag: transaction.parentIdTag }), ...(transaction.parentIdTagType !== undefined && { parentIdTagType: transaction.parentIdTagType }) } : undefined,
        transaction: undefined,
        authorization: undefined,
        finishing: context.pilot !== 'A',
        operative,
        inoperativeScheduled: false,
        outputs: { ...outputs, offeredA: 0, pilotHeld: !operative, locked },
      });
      if (outputs.offeredA !== 0) enqueue.emit({ type: 'offerCurrent', amps: 0 });
      enqueue.emit({ type: 'stopTransaction', reason, ...(idTag !== undefined && { idTag }), ...(idTokenType !== undefined && { idTokenType }) });
      if (outputs.pilotHeld === operative) enqueue.emit({ type: 'pilotUnavailable', unavailable: !operative });
      if (outputs.locked !== locked) enqueue.emit({ type: locked ? 'lockConnector' : 'unlockConnector' });
    }),
    // Output actions: each emits its command only when it changes what was last commanded.
    closeContactor: enqueueActions(({ context: { outputs }, enqueue }) => {
      if (outputs.contactorClosed) return;
      enqueue.assign({ outputs: { ...outputs, contactorClosed: true } });
      enqueue.emit({ type: 'closeContactor' });
    }),
    openContactor: enqueueActions(({ context: { outputs }, enqueue }) => {
      if (!outputs.contactorClosed) return;
      enqueue.assign({ outputs: { ...outputs, contactorClosed: false } });
      enqueue.emit({ type: 'openContactor' });
    }),
    syncOffer: enqueueActions(({ context, enqueue }) => {
      const amps = desiredOffer(context);
      if (amps === context.outputs.offeredA) return;
      enqueue.assign({ outputs: { ...context.outputs, offeredA: amps } });
      enqueue.emit({ type: 'offerCurrent', amps });
    }),
    // After the assignments of the same transition: it reads the context they produced.
    // Never release the plug under load: a release opens the contactor first (Charging's exit,
    // which would come later in the same step, then finds it open).
    syncLock: enqueueActions(({ context: { outputs }, context, enqueue }) => {
      const locked = wantsLock(context);
      if (locked === outputs.locked) return;
      const contactorClosed = outputs.contactorClosed && locked;
      enqueue.assign({ outputs: { ...outputs, locked, contactorClosed } });
      if (contactorClosed !== outputs.contactorClosed) enqueue.emit({ type: 'openContactor' });
      enqueue.emit({ type: locked ? 'lockConnector' : 'unlockConnector' });
    }),
    syncPilot: enqueueActions(({ context, enqueue }) => {
      const pilotHeld = !context.operative;
      if (pilotHeld === context.outputs.pilotHeld) return;
      enqueue.assign({ outputs: { ...context.outputs, pilotHeld } });
      enqueue.emit({ type: 'pilotUnavailable', unavailable: pilotHeld });
    }),
  },
  delays: {
    connectionTimeout: ({ context }) => context.settings.connectionTimeoutMs,
    reservationExpiry: ({ context: { reservation: r } }) => (r ? Math.max(0, r.expiresAt - r.reservedAt) : 0),
  },
}).createMachine({
  id: 'connector',
  // Literals, not spread/rest: V8 gives spread-built objects a hidden class of their own (≈ 300 B
  // each; the context lives as long as the connector, 10,000 times in a fleet).
  context: ({ input }) => ({
    settings: settingsOf(input),
    pilot: input.pilot,
    operative: input.operative,
    inoperativeScheduled: false,
    limitA: input.maxCurrentA,
    limitSource: 'hardware',
    faults: {},
    authorization: undefined,
    transaction: undefined,
    reservation: undefined,
    finishing: false,
    outputs: { contactorClosed: false, offeredA: 0, pilotHeld: false, locked: (input.lock ?? false) && (input.locked ?? false) },
    lockConfirmed: input.locked ?? false,
    lockHeldFor: undefined,
  }),
  // A persisted Inoperative holds the pilot at F from the start; a lock found engaged is released.
  entry: ['syncPilot', 'syncLock'],
  initial: 'route',
  // Defaults for the states that do not say otherwise (children take precedence).
  on: {
    PILOT: [
      { guard: 'isOwnPilotF' },
      { guard: or(['reportsPilotError', 'refusesVentilation']), actions: recordPilot, target: '.Faulted' },
      { actions: recordPilot },
    ],
    FAULT: { actions: recordFault, target: '.Faulted' },
    FAULT_CLEARED: { actions: clearFault },
    SET_LIMIT: { actions: recordLimit },
    CONFIGURE: { actions: [configure, 'syncLock'] },
    LOCK_STATE: { actions: [recordLock, 'syncLock'] },
    SET_AVAILABILITY: { guard: 'changesAvailability', actions: [setAvailability, 'syncPilot'], target: '.route' },
    AUTHORIZED: [{ guard: 'releasesHeldLock', actions: ['releaseHeldLock', 'syncLock'] }, { actions: ignoreAuthorization }],
  },
  states: {
    route: {
      always: [
        { guard: 'faulted', target: 'Faulted' },
        { guard: not('operative'), target: 'Unavailable' },
        { guard: 'reserved', target: 'Reserved' },
        { guard: and(['authorizedForNext', 'cableIn']), actions: ['beginTransaction', 'syncLock'], target: 'Transaction' },
        { guard: and(['authorizedForNext', 'beginsAtAuthorization']), actions: ['beginTransaction', 'syncLock'], target: 'Transaction' },
        { guard: 'authorizedForNext', target: 'Preparing.WaitingForCable' },
        { guard: 'finishing', target: 'Finishing' },
        { guard: and(['cableIn', 'beginsAtPlugIn']), actions: ['beginUnauthorized', 'syncLock'], target: 'Transaction' },
        { guard: 'cableIn', target: 'Preparing' },
        { target: 'Available' },
      ],
    },
    Available: {
      tags: 'Available',
      on: {
        PILOT: { guard: 'plugsIn', actions: recordPilot, target: 'route' },
        AUTHORIZED: [
          { guard: 'releasesHeldLock', actions: ['releaseHeldLock', 'syncLock'] },
          { actions: authorize, target: 'route' },
        ],
        RESERVE: { guard: 'reservationInFuture', actions: reserve, target: 'Reserved' },
      },
    },
    Preparing: {
      tags: 'Preparing',
      initial: 'WaitingForAuthorization',
      states: {
        WaitingForAuthorization: {
          on: {
            PILOT: { guard: 'unplugs', actions: recordPilot, target: '#connector.route' },
            AUTHORIZED: { actions: authorize, target: '#connector.route' },
            RESUME_TRANSACTION: { actions: [resumeTransaction, 'syncLock'], target: '#connector.Transaction' },
            // The cable was in before the start point said the plug-in (start-up, TxStartPoint changed).
            BEGIN_IF_PLUGGED_IN: { guard: and(['cableIn', 'beginsAtPlugIn']), actions: ['beginUnauthorized', 'syncLock'], target: '#connector.Transaction' },
          },
        },
        // Authorized before the cable: OCPP ConnectionTimeOut. Further cards are ignored.
        WaitingForCable: {
          after: { connectionTimeout: { actions: 'dropAuthorization', target: '#connector.route' } },
          on: { PILOT: { guard: 'plugsIn', actions: recordPilot, target: '#connector.route' } },
        },
      },
    },
    // A cable plugged in meanwhile keeps the connector Reserved (root PILOT records it).
    Reserved: {
      tags: 'Reserved',
      after: { reservationExpiry: { actions: 'dropReservation', target: 'route' } },
      on: {
        AUTHORIZED: [
          { guard: 'matchesReservation', actions: authorizeReservation, target: 'route' },
          { actions: ignoreAuthorization },
        ],
        CANCEL_RESERVATION: { guard: 'cancelsReservation', actions: 'dropReservation', target: 'route' },
        RESERVE: { guard: and(['replacesReservation', 'reservationInFuture']), actions: reserve, target: 'Reserved', reenter: true },
      },
    },
    // A reservation or pending authorization does not survive Unavailable or Faulted: their
    // timers belong to the states left, and the controller cannot promise them any more.
    Unavailable: { tags: 'Unavailable', entry: ['dropAuthorization', 'dropReservation'] },
    Finishing: {
      tags: 'Finishing',
      on: {
        PILOT: { guard: 'unplugs', actions: recordPilot, target: 'route' },
        AUTHORIZED: { actions: authorize, target: 'route' },
      },
    },
    Faulted: { tags: 'Faulted', entry: ['dropAuthorization', 'dropReservation'], always: { guard: not('faulted'), target: 'route' } },
    Transaction: {
      initial: 'route',
      on: {
        // Begun before the cable or before an authorization (TransactionPoints): what is missing
        // must come within ConnectionTimeOut, else the transaction ends. The controller arms that
        // timer only for such a transaction (startTransaction `incomplete`): a timer per running
        // transaction would cost every charging connector of a fleet.
        CONNECTION_TIMEOUT: { guard: 'transactionIncomplete', actions: { type: 'endTransaction', params: { reason: 'ConnectionTimeout' } }, target: '#connector.route' },
        STOP: { actions: { type: 'endTransaction', params: ({ event }) => ({ reason: event.reason }) }, target: '#connector.route' },
        AUTHORIZED: [
          // Begun at the plug-in: the first authorization makes it the driver's (a remote start too).
          { guard: 'awaitsAuthorization', actions: [authorizeTransaction, 'syncOffer'] },
          { guard: and(['isSessionCard', 'outlastsAuthorization']), actions: [endAuthorization, 'syncOffer'] },
          {
            guard: 'isSessionCard',
            actions: { type: 'endTransaction', params: ({ event }) => ({ reason: 'Local', idTag: event.idTag, ...(event.idTokenType !== undefined && { idTokenType: event.idTokenType }) }) },
            target: '#connector.route',
          },
          { actions: ignoreAuthorization },
        ],
        PILOT: [
          {
            guard: and(['unplugs', 'stopsOnEVSideDisconnect']),
            actions: [recordPilot, { type: 'endTransaction', params: { reason: 'EVDisconnected' } }],
            target: '#connector.route',
          },
          // The EV stopped drawing and the end of energy transfer ends the transaction (TransactionPoints).
          { guard: 'endsEnergyTransfer', actions: [recordPilot, { type: 'endTransaction', params: { reason: 'EnergyTransferEnded' } }], target: '#connector.route' },
          // Otherwise (also unplugged without StopTransactionOnEVSideDisconnect: SuspendedEV
          // until replugged) the child states follow the pilot through their `always` guards;
          // the lock follows UnlockConnectorOnEVSideDisconnect.
          { actions: [recordPilot, 'recordCable', 'syncLock'] },
        ],
        // The first StartTransaction.conf is binding; a later one cannot re-authorize the session.
        // (A transaction begun at the plug-in awaits one again once authorized: the answer to that.)
        TRANSACTION_CONFIRMED: [
          {
            guard: and(['awaitingConfirmation', 'idTagRejected', 'stopsOnInvalidId']),
            actions: [confirmTransaction, { type: 'endTransaction', params: { reason: 'DeAuthorized' } }],
            target: '#connector.route',
          },
          // A rejected idTag that may not stop the transaction may still draw MaxEnergyOnInvalidId…
          { guard: and(['awaitingConfirmation', 'idTagRejected', 'allowsEnergyOnInvalidId']), actions: [confirmTransaction, 'grantAllowance'] },
          // …otherwise it suspends (SuspendedEVSE) at once.
          { guard: 'awaitingConfirmation', actions: [confirmTransaction, 'syncOffer'] },
        ],
        ENERGY_ALLOWANCE_SPENT: { guard: 'allowanceRunning', actions: ['spendAllowance', 'syncOffer'] },
        FAULT: [
          { guard: 'faultIsRecoverable', actions: recordFault },
          // Not recoverable (e.g. RELAY_WELDED): the session cannot resume. Reason Other, not
          // EmergencyStop: OCPP reserves that for the emergency stop button being pressed.
          { actions: [recordFault, { type: 'endTransaction', params: { reason: 'Other' } }], target: '#connector.route' },
        ],
        SET_LIMIT: { actions: [recordLimit, 'syncOffer'] },
        SET_AVAILABILITY: { actions: scheduleAvailability },
        // The contactor waits for the lock's confirmation (the children re-route on their own).
        LOCK_STATE: { actions: [recordLock, 'syncLock', 'syncOffer'] },
      },
      // Each child holds while its condition holds and re-routes the moment it does not,
      // whichever event changed the context: the states cannot drift from the pilot/limit/faults.
      states: {
        route: {
          always: [
            { guard: 'faulted', target: 'Faulted' },
            { guard: 'evseWithholdsPower', target: 'SuspendedEVSE' },
            { guard: 'contactorMayClose', target: 'Charging' },
            { target: 'SuspendedEV' },
          ],
        },
        Charging: {
          tags: 'Charging',
          entry: ['syncOffer', 'closeContactor'],
          exit: 'openContactor',
          always: { guard: not('contactorMayClose'), target: 'route' },
        },
        SuspendedEV: {
          tags: 'SuspendedEV',
          entry: 'syncOffer',
          always: { guard: or(['faulted', 'evseWithholdsPower', 'contactorMayClose']), target: 'route' },
        },
        SuspendedEVSE: {
          tags: 'SuspendedEVSE',
          entry: 'syncOffer',
          always: { guard: or(['faulted', not('evseWithholdsPower')]), target: 'route' },
        },
        // A recoverable fault keeps the transaction; the contactor opened on leaving Charging.
        Faulted: { tags: 'Faulted', entry: 'syncOffer', always: { guard: not('faulted'), target: 'route' } },
      },
    },
  },
});

export type ConnectorSnapshot = SnapshotFrom<typeof connectorMachine>;
