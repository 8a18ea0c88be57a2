/** The OCPP configuration keys the connector machines follow, as machine settings and input. */
import type { OcppConfiguration } from '../store/OcppConfiguration.js';

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
 * A connector's machine input. A literal, not a spread: the controller keeps it, and V8 gives
 * spread-built objects a hidden class of their own (≈ 300 B per charger; docs/fleet.md).
 */
export function connectorInput(config: OcppConfiguration, maxCurrentA: number, operative: boolean, ventilation: boolean) {
  const s = connectorSettings(config);
  return { maxCurrentA, connectionTimeoutMs: s.connectionTimeoutMs, stopTransactionOnInvalidId: s.stopTransactionOnInvalidId, stopTransactionOnEVSideDisconnect: s.stopTransactionOnEVSideDisconnect, maxEnergyOnInvalidIdWh: s.maxEnergyOnInvalidIdWh, unlockConnectorOnEVSideDisconnect: s.unlockConnectorOnEVSideDisconnect, ventilation, operative };
}

/** Whether a change of this key must reach the connector machines. */
export const isConnectorSetting = (key: string): boolean =>
  key === 'ConnectionTimeOut' || key === 'StopTransactionOnInvalidId' || key === 'StopTransactionOnEVSideDisconnect' || key === 'MaxEnergyOnInvalidId' || key === 'UnlockConnectorOnEVSideDisconnect';
