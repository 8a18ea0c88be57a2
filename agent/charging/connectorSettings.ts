/** The OCPP configuration keys the connector machines follow, as machine settings and input. */
import type { ConnectorHardware } from '../../hal/index.js';
import type { OcppConfiguration } from '../store/OcppConfiguration.js';
import type { ConnectorInput } from './connectorTypes.js';

/** The OCPP keys the connector machines follow, as machine settings (a `CONFIGURE` event after a change). */
export function connectorSettings(config: OcppConfiguration) {
  return {
    connectionTimeoutMs: config.getInt('ConnectionTimeOut') * 1000,
    stopTransactionOnInvalidId: config.getBool('StopTransactionOnInvalidId'),
    stopTransactionOnEVSideDisconnect: config.getBool('StopTransactionOnEVSideDisconnect'),
    maxEnergyOnInvalidIdWh: config.getInt('MaxEnergyOnInvalidId'),
    unlockConnectorOnEVSideDisconnect: config.getBool('UnlockConnectorOnEVSideDisconnect'),
  };
}

/**
 * A connector's machine input, complete (every optional field set), so that the controller, the
 * actor and the machine's `settings` share this one object (three copies were ≈ 300 B per
 * charger). A literal, not a spread: V8 gives spread-built objects a hidden class of their own.
 */
export function connectorInput(config: OcppConfiguration, hw: ConnectorHardware, operative: boolean, ventilation: boolean): Required<Omit<ConnectorInput, 'transactionPoints'>> {
  const s = connectorSettings(config);
  return {
    connectorId: hw.connectorId,
    maxCurrentA: hw.pilot.maxCurrentA,
    connectionTimeoutMs: s.connectionTimeoutMs,
    stopTransactionOnInvalidId: s.stopTransactionOnInvalidId,
    stopTransactionOnEVSideDisconnect: s.stopTransactionOnEVSideDisconnect,
    maxEnergyOnInvalidIdWh: s.maxEnergyOnInvalidIdWh,
    ventilation,
    unlockConnectorOnEVSideDisconnect: s.unlockConnectorOnEVSideDisconnect,
    lock: hw.lock !== undefined,
    locked: hw.lock?.locked ?? false,
    operative,
    pilot: hw.pilot.state,
  };
}

/** Whether a change of this key must reach the connector machines. */
export const isConnectorSetting = (key: string): boolean =>
  key === 'ConnectionTimeOut' || key === 'StopTransactionOnInvalidId' || key === 'StopTransactionOnEVSideDisconnect' || key === 'MaxEnergyOnInvalidId' || key === 'UnlockConnectorOnEVSideDisconnect';
