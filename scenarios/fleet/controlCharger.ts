/**
 * Control commands on one fleet charger, done the way a person or the network would do them:
 * an EV plugs into the simulated connector, a card is held to the simulated reader, a simulated
 * device misbehaves, the socket drops. Transactions start and stop through the agent's own
 * connector machines (the same events a card or the CSMS's RemoteStart produce), so what the
 * CSMS sees is what a real charger would send.
 *
 * Every function checks first and acts after: a refused command (4xx) changes nothing.
 */
import { DEFAULT_REQUEST_TOKEN_TYPE, type IdTokenKind } from '../../agent/auth/idToken.js';
import type { Agent } from '../../agent/Agent.js';
import type { SimulatedCharger } from '../../hal/sim/createSimulatedCharger.js';
import type { SimConnector } from '../../hal/sim/SimConnector.js';
import { fail, FAULT_KINDS, ok, type ChargerView, type CommandResult, type FaultDevice, type FleetCommand, type StopReasonName } from './controlTypes.js';

export interface ControlledCharger {
  readonly id: string;
  readonly agent: Agent;
  readonly sim: SimulatedCharger;
  behaviour: { stop(): void } | undefined;
}

/** Control state the fleet keeps per charger (only for chargers a command touched). */
export interface ControlState {
  /** Chargers whose connection was closed through the API. */
  readonly closed: Set<string>;
}

export function viewOf(m: ControlledCharger, state: ControlState): ChargerView {
  const { agent, sim } = m;
  return {
    id: m.id,
    connection: agent.link.state,
    accepted: agent.link.isAccepted,
    ocppVersion: agent.options.ocppVersion ?? '1.6',
    closedByControl: state.closed.has(m.id),
    sessions: m.behaviour !== undefined,
    connectors: sim.connectors.map((hw) => {
      const c = agent.connector(hw.connectorId)!;
      const transactionId = agent.transactions.transactionIdOn(hw.connectorId);
      return {
        connectorId: hw.connectorId,
        status: c.status,
        errorCode: c.errorCode,
        plugged: hw.ev.plugged,
        ...(transactionId !== undefined && { transactionId }),
        hasTransaction: c.hasTransaction,
        faults: faultsOf(hw),
      };
    }),
    faults: [...sim.rfid.activeFaults],
  };
}

function faultsOf(hw: SimConnector): string[] {
  return [hw.relay, hw.meter, hw.pilot, hw.lock].flatMap((d) => (d ? [...d.activeFaults] : []));
}

function connectorOf(m: ControlledCharger, connector: number): SimConnector | CommandResult {
  const hw = m.sim.connectors[connector - 1];
  return hw ?? fail(404, `charger ${m.id} has no connector ${connector} (it has ${m.sim.connectors.length})`);
}

const isResult = (x: unknown): x is CommandResult => typeof x === 'object' && x !== null && 'status' in x && 'body' in x;

/** Runs a charger command (everything but list/add/remove/ramp, which are the fleet's). */
export async function runChargerCommand(m: ControlledCharger, state: ControlState, cmd: FleetCommand): Promise<CommandResult> {
  switch (cmd.type) {
    case 'get':
      return ok(viewOf(m, state));
    case 'plug':
    case 'unplug': {
      const hw = connectorOf(m, cmd.connector);
      if (isResult(hw)) return hw;
      if (hw.ev.plugged === (cmd.type === 'plug')) return fail(409, `connector ${cmd.connector} of ${m.id} is already ${hw.ev.plugged ? 'plugged in' : 'unplugged'}`);
      if (cmd.type === 'plug') hw.ev.plugIn();
      else hw.ev.unplug();
      return ok(viewOf(m, state));
    }
    case 'tap':
      if (!m.agent.acceptsSessions) return fail(409, `charger ${m.id} is stopping`);
      m.sim.rfid.tap(cmd.uid);
      return ok({ id: m.id, uid: cmd.uid }, 202);
    case 'fault':
      return injectFault(m, state, cmd.device, cmd.kind, cmd.connector);
    case 'clearFaults':
      return clearFaults(m, state, cmd.device, cmd.connector);
    case 'connection':
      return connection(m, state, cmd.action);
    case 'startTransaction':
      return startTransaction(m, cmd.connector, cmd.idTag, cmd.idTokenType ?? DEFAULT_REQUEST_TOKEN_TYPE);
    case 'stopTransaction':
      return stopTransaction(m, cmd.connector, cmd.reason);
    default:
      return fail(422, `command ${cmd.type} does not apply to one charger`);
  }
}

function injectFault(m: ControlledCharger, state: ControlState, device: FaultDevice, kind: string, connector: number): CommandResult {
  if (!FAULT_KINDS[device].includes(kind)) return fail(422, `kind: ${device} faults are ${FAULT_KINDS[device].join(', ')}; got "${kind}"`);
  if (device === 'rfid') {
    for (let i = 0; i < m.sim.rfid.garbageFaultThreshold; i++) m.sim.rfid.sendGarbage();
    return ok({ id: m.id, device, kind, charger: viewOf(m, state) }, 201);
  }
  if (device === 'tamper') {
    if (!m.sim.tamper) return fail(409, `charger ${m.id} has no cabinet switch (hal.sim.tamperSwitch / EVSE_SIM_TAMPER_SWITCH)`);
    m.sim.tamper.open();
    return ok({ id: m.id, device, kind, shows: 'now', charger: viewOf(m, state) }, 201);
  }
  const hw = connectorOf(m, connector);
  if (isResult(hw)) return hw;
  if (device === 'lock' && !hw.lock) return fail(409, `connector ${connector} of charger ${m.id} has a tethered cable: no lock to jam`);
  let shows = 'now';
  if (device === 'meter') {
    if (kind === 'timeout') hw.meter.stopAnswering();
    else hw.meter.returnInvalid();
    // A meter fault shows on a read: read once now, as the next poll would.
    void hw.meter.read().catch(() => undefined);
  } else if (device === 'relay') {
    if (kind === 'stuck') hw.relay.stick();
    else hw.relay.weld();
    shows = kind === 'stuck' ? 'at the next close of the contactor' : 'at the next open of the contactor';
  } else if (device === 'pilot') {
    hw.ev.injectPilotError(kind as 'E' | 'F');
  } else {
    hw.lock!.jam();
    shows = 'at the next lock or unlock';
  }
  return ok({ id: m.id, device, kind, connector, shows, charger: viewOf(m, state) }, 201);
}

function clearFaults(m: ControlledCharger, state: ControlState, device: FaultDevice | undefined, connector: number | undefined): CommandResult {
  if (device === 'rfid') return fail(409, 'a card reader fault clears at the next good card read: tap a card (POST /chargers/{id}/rfid)');
  if (connector !== undefined && !m.sim.connectors[connector - 1]) return fail(404, `charger ${m.id} has no connector ${connector} (it has ${m.sim.connectors.length})`);
  // Shutting the door does not end a tamper fault: the CSMS does (MaintenanceMode).
  if ((!device || device === 'tamper') && connector === undefined) m.sim.tamper?.shut();
  if (device === 'tamper') return m.sim.tamper ? ok(viewOf(m, state)) : fail(409, `charger ${m.id} has no cabinet switch (hal.sim.tamperSwitch / EVSE_SIM_TAMPER_SWITCH)`);
  const targets = connector === undefined ? m.sim.connectors : [m.sim.connectors[connector - 1]!];
  for (const hw of targets) {
    if (!device || device === 'meter') {
      hw.meter.answerAgain();
      void hw.meter.read().catch(() => undefined);
    }
    if (!device || device === 'relay') hw.relay.repair();
    if (!device || device === 'pilot') hw.ev.clearPilotError();
    if (!device || device === 'lock') hw.lock?.unjam();
  }
  return ok(viewOf(m, state));
}

async function connection(m: ControlledCharger, state: ControlState, action: 'open' | 'close'): Promise<CommandResult> {
  const link = m.agent.link;
  if (!m.agent.acceptsSessions) return fail(409, `charger ${m.id} is stopping`);
  if (action === 'close') {
    if (state.closed.has(m.id)) return fail(409, `the connection of ${m.id} is already closed`);
    state.closed.add(m.id);
    // Dropped without a close handshake, as a network failure would; no reconnect until opened.
    await link.stop({ abrupt: true });
    return ok({ id: m.id, connection: link.state }, 202);
  }
  if (!state.closed.has(m.id)) return fail(409, `the connection of ${m.id} is not closed (it is ${link.state}); only a closed connection can be opened`);
  state.closed.delete(m.id);
  link.start();
  return ok({ id: m.id, connection: link.state }, 202);
}

async function startTransaction(m: ControlledCharger, connector: number, idTag: string, idTokenType: IdTokenKind): Promise<CommandResult> {
  const hw = connectorOf(m, connector);
  if (isResult(hw)) return hw;
  // The charger's own rules, as for a card or a remote start: not while stopping, a usable
  // connector (not reserved for another idTag or group), a writable journal, an authorized idTag.
  const started = await m.agent.sessions.start({ origin: 'api', idTag, idTokenType, connectorId: connector });
  if (!started.ok) return fail(409, `${m.id}: ${started.message}${started.authorization ? ` (${started.authorization.source})` : ''}`);
  // Authorized first, then the EV plugs in (a refused start leaves the connector as it was).
  if (!hw.ev.plugged) hw.ev.plugIn();
  const a = started.authorization;
  return ok({ id: m.id, connector, idTag, ...(a && { authorization: a.status, source: a.source }) }, 202);
}

function stopTransaction(m: ControlledCharger, connector: number, reason: StopReasonName): CommandResult {
  const hw = connectorOf(m, connector);
  if (isResult(hw)) return hw;
  const stopped = m.agent.sessions.stopOn(connector, reason);
  if (!stopped.ok) return fail(409, `connector ${connector} of ${m.id} has no transaction`);
  return ok({ id: m.id, connector, reason, ...(stopped.transactionId !== undefined && { transactionId: stopped.transactionId }) }, 202);
}

/** Canonical ids are padded to the same width, so (length, text) orders them by position. */
export const byPosition = (a: string, b: string): number => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

/** One page of chargers (ordered by position), filtered by id prefix. */
export function listViews(members: ControlledCharger[], state: ControlState, q: { prefix?: string; offset: number; limit: number }) {
  const ids = members.filter((m) => !q.prefix || m.id.startsWith(q.prefix)).sort((a, b) => byPosition(a.id, b.id));
  return { total: ids.length, offset: q.offset, limit: q.limit, chargers: ids.slice(q.offset, q.offset + q.limit).map((m) => viewOf(m, state)) };
}
