/**
 * What the dashboard shows of one charger, as plain JSON: the status of each connector with its
 * faults explained, the OCPP connection, and the text its driver display shows. Pure functions of
 * the Agent (and the simulated hardware when there is one); ./ChargerFeed.ts calls them.
 */
import type { Agent } from '../../agent/Agent.js';
import { METER_DECIMALS, roundTo } from '../../agent/telemetry/meterPayload.js';
import { HAL_ERRORS, type HalErrorCode, type MeterReading } from '../../hal/index.js';
import type { SimulatedCharger } from '../../hal/sim/createSimulatedCharger.js';

/** A transaction's cost as the pricing service reports it. */
export interface TransactionCost {
  amount: number;
  currency: string;
  /** The text the driver is shown, e.g. "EUR 4.20 incl. VAT". */
  text?: string;
}

/** The text on a driver display: lines, and a payload for a QR code when the screen asks the driver to act. */
export interface ScreenText {
  readonly lines: readonly string[];
  readonly qr?: string;
}

/**
 * Where the screen text of a connector comes from. The display service (agent/display/, issue 17
 * item 1) plugs in here, e.g. the `content` of the HAL display standing at the connector (a
 * DisplayContent fits this shape); until it does, the dashboard derives a text from the connector
 * status. The view is rebuilt with every sample (1 s), or at once on `ChargerFeed.refresh()`.
 */
export type CurrentScreen = (connectorId: number) => ScreenText | undefined;

export interface FaultView {
  code: string;
  ocppErrorCode: string;
  recoverable: boolean;
  /** What the fault means, from the HAL error catalogue (hal/errors.ts). */
  explanation: string;
  /** What happens next: clears by itself, or needs a technician. */
  remedy: string;
}

export interface ConnectorView {
  connectorId: number;
  status: string;
  errorCode: string;
  info?: string;
  /** An EV is plugged in (known only with simulated hardware). */
  plugged?: boolean;
  powerW?: number;
  energyWh?: number;
  currentA?: number[];
  voltageV?: number[];
  /** The EVSE's temperature, °C (its sensor's last reading; absent without a sensor or a value). */
  temperatureC?: number;
  /** The current limit in force, A, and what binds it (a charging profile, the local limit, the temperature, the cable, the hardware). */
  limit?: { amps: number; source: string };
  /**
   * The running transaction: idTag masked (absent while one begun at the plug-in awaits its driver),
   * energy so far, cost so far (with a pricing service).
   */
  transaction?: { localId: string; transactionId?: number; idTag?: string; startedAt: string; energyWh?: number; cost?: TransactionCost };
  faults: FaultView[];
  /** `display`: what the display service shows; `status`: derived from the status (no display service). */
  screen: ScreenText & { source: 'display' | 'status' };
}

export interface ChargerView {
  chargePointId: string;
  at: string;
  hal: 'sim' | 'serial';
  /** The control actions (plug, card, faults) work: simulated hardware only. */
  simControls: boolean;
  ocpp: { state: string; accepted: boolean; csmsUrl: string; pendingCalls: number; undelivered: number };
  /** The charge point as a whole (OCPP connector 0). */
  chargePoint: { status: string; errorCode: string; info?: string };
  /** Faults of devices that belong to no connector (the card reader). */
  faults: FaultView[];
  connectors: ConnectorView[];
}

export interface ViewSource {
  agent: Agent;
  sim?: SimulatedCharger | undefined;
  csmsUrl: string;
  currentScreen?: CurrentScreen | undefined;
  /** The newest reading per connector (index 0 = connector 1). */
  readings: readonly (MeterReading | undefined)[];
  now: number;
}

export function explainFault(code: string, ocppErrorCode?: string): FaultView {
  const known = HAL_ERRORS[code as HalErrorCode] as (typeof HAL_ERRORS)[HalErrorCode] | undefined;
  const recoverable = known?.recoverable ?? true;
  return {
    code,
    ocppErrorCode: ocppErrorCode ?? known?.ocpp ?? 'OtherError',
    recoverable,
    explanation: known?.text ?? code,
    remedy: recoverable ? 'clears by itself once the device works again' : 'needs a technician: the connector stays out of order',
  };
}

/** An idTag as the dashboard shows it: the first 4 characters (enough to tell cards apart on site). */
export function maskIdTag(idTag: string): string {
  return idTag.length <= 4 ? idTag : `${idTag.slice(0, 4)}…`;
}

export function chargerView(s: ViewSource): ChargerView {
  const { agent, sim } = s;
  const cp = agent.chargePointStatus();
  return {
    chargePointId: agent.chargePointId,
    at: new Date(s.now).toISOString(),
    hal: sim ? 'sim' : 'serial',
    simControls: sim !== undefined,
    ocpp: { state: agent.link.state, accepted: agent.link.isAccepted, csmsUrl: s.csmsUrl, pendingCalls: agent.link.pendingCalls, undelivered: agent.undelivered },
    chargePoint: { status: cp.status, errorCode: cp.errorCode, ...(cp.info !== undefined && { info: cp.info }) },
    faults: sim ? [...sim.rfid.activeFaults].map((code) => explainFault(code)) : [],
    connectors: agent.connectors.map((c) => connectorView(s, c.connectorId)),
  };
}

function connectorView(s: ViewSource, connectorId: number): ConnectorView {
  const c = s.agent.connector(connectorId)!;
  const status = c.currentStatus();
  const reading = s.readings[connectorId - 1];
  const tx = s.agent.transactions.get(connectorId);
  const transactionId = s.agent.transactions.transactionIdOn(connectorId);
  const temperatureC = s.agent.options.hardware.connectors.find((h) => h.connectorId === connectorId)?.temperature?.lastCelsius;
  const limit = s.agent.chargingLimits.limitOf(connectorId);
  const view: ConnectorView = {
    connectorId,
    status: status.status,
    errorCode: status.errorCode,
    ...(status.info !== undefined && { info: status.info }),
    ...(s.sim && { plugged: s.sim.connectors[connectorId - 1]?.ev.plugged ?? false }),
    ...(reading && { powerW: reading.powerW, energyWh: reading.energyWh, currentA: reading.currentA, voltageV: reading.voltageV }),
    ...(temperatureC !== undefined && { temperatureC: roundTo(temperatureC, METER_DECIMALS.temperatureC) }),
    ...(limit && { limit: { amps: limit.amps, source: limit.source } }),
    ...(tx && {
      transaction: {
        localId: tx.localId,
        ...(transactionId !== undefined && { transactionId }),
        ...(tx.idTag !== '' && { idTag: maskIdTag(tx.idTag) }),
        startedAt: new Date(tx.startedAt).toISOString(),
        ...(reading && { energyWh: Math.max(0, reading.energyWh - tx.meterStartWh) }),
      },
    }),
    faults: c.faults.map((f) => explainFault(f.code, f.ocppErrorCode)),
    screen: { source: 'status', lines: [] },
  };
  const shown = s.currentScreen?.(connectorId);
  view.screen = shown ? { ...shown, source: 'display' } : { source: 'status', lines: screenFromStatus(view) };
  return view;
}

const kW = (w: number | undefined) => `${((w ?? 0) / 1000).toFixed(1)} kW`;
const kWh = (wh: number | undefined) => `${((wh ?? 0) / 1000).toFixed(2)} kWh`;

/** A driver's screen told by the connector status alone (until the display service provides one). */
export function screenFromStatus(c: Pick<ConnectorView, 'status' | 'powerW' | 'transaction' | 'info'> & { faults: readonly FaultView[] }): string[] {
  switch (c.status) {
    case 'Available':
      return ['Ready', 'Plug in or tap your card'];
    case 'Preparing':
      return c.transaction ? ['Starting…'] : ['Tap your card or plug in', 'to start charging'];
    case 'Charging':
      return ['Charging', `${kW(c.powerW)}  ${kWh(c.transaction?.energyWh)}`];
    case 'SuspendedEV':
      return ['Paused by the vehicle', kWh(c.transaction?.energyWh)];
    case 'SuspendedEVSE':
      return ['Paused by the charger', kWh(c.transaction?.energyWh)];
    case 'Finishing':
      return ['Charging finished', 'Please unplug the cable'];
    case 'Reserved':
      return ['Reserved'];
    case 'Unavailable':
      return ['Out of service'];
    case 'Faulted':
      return ['Out of order', c.faults[0]?.explanation ?? c.info ?? 'fault'];
    default:
      return [c.status];
  }
}
