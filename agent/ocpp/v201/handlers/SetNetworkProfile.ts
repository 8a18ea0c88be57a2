import type { Handler201 } from './Handler201.js';

/**
 * SetNetworkProfile (OCPP 2.0.1 B09): a connection profile into a configuration slot, used once
 * NetworkConfigurationPriority names that slot and the station connects anew (B10: a Reset, or a
 * lost connection). Only what this station can honour is Accepted: OCPP 2.0.1 over JSON (the link
 * speaks one version), no APN or VPN (the operating system owns the network; this station sets up
 * neither), a ws:// / wss:// URL that fits the security profile, which may not be lower than the
 * one in effect (NoSecurityDowngrade), and what that profile needs installed (a CSMS root for 2 and
 * 3, a station certificate for 3). Stored durably before Accepted; a failed write is Failed.
 */
export const setNetworkProfile: Handler201<'SetNetworkProfile'> = async (station, { configurationSlot, connectionData: d }) => {
  const profiles = station.networkProfiles;
  if (!profiles) return { status: 'Rejected', statusInfo: { reasonCode: 'UnsupportedRequest', additionalInfo: 'this station keeps no connection profiles' } };
  const invalid = (additionalInfo: string) => ({ status: 'Rejected' as const, statusInfo: { reasonCode: 'InvalidNetworkConf', additionalInfo } });
  if (d.ocppVersion !== 'OCPP20') return invalid(`ocppVersion ${d.ocppVersion}: this station speaks OCPP 2.0.1 (OCPP20) on its connection profiles`);
  if (d.ocppTransport !== 'JSON') return invalid(`ocppTransport ${d.ocppTransport}: only JSON (OCPP-J over WebSocket)`);
  if (d.apn) return invalid('apn: this station does not configure a cellular modem');
  if (d.vpn) return invalid('vpn: this station does not set up a VPN');
  try {
    const refusal = await profiles.propose(configurationSlot, { url: d.ocppCsmsUrl, securityProfile: d.securityProfile, messageTimeoutS: d.messageTimeout, ocppInterface: d.ocppInterface });
    if (refusal) {
      station.log.info({ configurationSlot, url: d.ocppCsmsUrl, securityProfile: d.securityProfile, ...refusal }, 'SetNetworkProfile rejected');
      return { status: 'Rejected', statusInfo: { reasonCode: refusal.reasonCode, additionalInfo: refusal.additionalInfo.slice(0, 512) } };
    }
  } catch (err) {
    station.log.error({ err, configurationSlot }, 'SetNetworkProfile: cannot store the connection profile');
    return { status: 'Failed', statusInfo: { reasonCode: 'WriteFailed', additionalInfo: String(err).slice(0, 512) } };
  }
  station.log.info({ configurationSlot, url: d.ocppCsmsUrl, securityProfile: d.securityProfile }, 'SetNetworkProfile: connection profile stored');
  return { status: 'Accepted' };
};
