/**
 * Each handler against a recording fake of the ChargePointControl port and a real (in-memory)
 * OcppConfiguration. The same handlers behind the real strict link: OcppLink.calls.test.ts.
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { OcppConfiguration } from '../../../store/OcppConfiguration.js';
import { OcppCallError } from '../../errors.js';
import { RecordingControl } from '../../testing/RecordingControl.js';
import { KEY_NAMES_16 } from '../../../ocpp16/configurationKeys.js';
import type { ReserveNowRequest } from '../../../ocpp16/messages.js';
import { cancelReservation } from './CancelReservation.js';
import { changeAvailability } from './ChangeAvailability.js';
import { changeConfiguration } from './ChangeConfiguration.js';
import { clearCache } from './ClearCache.js';
import { dataTransfer } from './DataTransfer.js';
import { getConfiguration } from './GetConfiguration.js';
import { HANDLED_ACTIONS, HANDLERS, handlerFor } from './index.js';
import { remoteStartTransaction } from './RemoteStartTransaction.js';
import { setChargingProfile } from './SetChargingProfile.js';
import { clearChargingProfile } from './ClearChargingProfile.js';
import { getCompositeSchedule } from './GetCompositeSchedule.js';
import { remoteStopTransaction } from './RemoteStopTransaction.js';
import { reserveNow } from './ReserveNow.js';
import { reset } from './Reset.js';
import { sendLocalList } from './SendLocalList.js';
import { getLocalListVersion } from './GetLocalListVersion.js';
import { triggerMessage } from './TriggerMessage.js';
import { unlockConnector } from './UnlockConnector.js';

async function control(readonlyValues: Record<string, number | boolean | string> = {}) {
  const log = pino({ level: 'silent' });
  const config = await OcppConfiguration.open({ file: null, log, readonlyValues: { NumberOfConnectors: 2, ...readonlyValues } });
  return new RecordingControl(config, log, 2);
}

describe('handler table', () => {
  it('holds one handler per answered action, and nothing inherited', () => {
    expect([...HANDLED_ACTIONS].sort()).toEqual([
      'CancelReservation',
      'CertificateSigned',
      'ChangeAvailability',
      'ChangeConfiguration',
      'ClearCache',
      'ClearChargingProfile',
      'DataTransfer',
      'DeleteCertificate',
      'ExtendedTriggerMessage',
      'GetCompositeSchedule',
      'GetConfiguration',
      'GetDiagnostics',
      'GetInstalledCertificateIds',
      'GetLocalListVersion',
      'GetLog',
      'InstallCertificate',
      'RemoteStartTransaction',
      'RemoteStopTransaction',
      'ReserveNow',
      'Reset',
      'SendLocalList',
      'SetChargingProfile',
      'SignedUpdateFirmware',
      'TriggerMessage',
      'UnlockConnector',
      'UpdateFirmware',
    ]);
    expect(handlerFor('Reset')).toBe(HANDLERS.Reset);
    for (const name of ['FooBar', 'toString', 'constructor', '__proto__', 'Heartbeat']) expect(handlerFor(name)).toBeUndefined();
    expect(Object.isFrozen(HANDLERS)).toBe(true);
  });
});

describe('RemoteStartTransaction', () => {
  it('passes the request on, or refuses a connector that is not ours without asking', async () => {
    const c = await control();
    expect(await remoteStartTransaction(c, { idTag: 'A', connectorId: 2 })).toEqual({ status: 'Accepted' });
    expect(await remoteStartTransaction(c, { idTag: 'B' })).toEqual({ status: 'Accepted' });
    c.overrides.remoteStart = async () => 'Rejected';
    expect(await remoteStartTransaction(c, { idTag: 'C', connectorId: 1 })).toEqual({ status: 'Rejected' });
    for (const connectorId of [0, 3, -1]) expect(await remoteStartTransaction(c, { idTag: 'D', connectorId })).toEqual({ status: 'Rejected' });
    expect(c.of('remoteStart')).toEqual([[{ idTag: 'A', connectorId: 2 }], [{ idTag: 'B' }], [{ idTag: 'C', connectorId: 1 }]]);
  });
});

describe('SmartCharging on a charge point without the service (the port leaves chargingLimits out)', () => {
  const profile = {
    chargingProfileId: 1,
    stackLevel: 0,
    chargingProfilePurpose: 'TxProfile' as const,
    chargingProfileKind: 'Relative' as const,
    chargingSchedule: { chargingRateUnit: 'A' as const, chargingSchedulePeriod: [{ startPeriod: 0, limit: 6 }] },
  };
  it('answers NotSupported / Unknown / Rejected, and a remote start with a chargingProfile is Rejected without starting', async () => {
    const c = await control();
    expect(await setChargingProfile(c, { connectorId: 1, csChargingProfiles: profile })).toEqual({ status: 'NotSupported' });
    expect(await clearChargingProfile(c, {})).toEqual({ status: 'Unknown' });
    expect(await getCompositeSchedule(c, { connectorId: 1, duration: 60 })).toEqual({ status: 'Rejected' });
    expect(await remoteStartTransaction(c, { idTag: 'A', connectorId: 1, chargingProfile: profile })).toEqual({ status: 'Rejected' });
    expect(c.of('remoteStart')).toEqual([]);
  });
});

describe('RemoteStopTransaction, Reset, ClearCache, CancelReservation', () => {
  it('RemoteStopTransaction of an id not known yet is decided again once the StartTransaction in flight is answered', async () => {
    const c = await control();
    let known = false;
    c.overrides.remoteStop = () => (known ? 'Accepted' : 'Rejected');
    // The StartTransaction.conf arrived in the same read as this call: taken in only afterwards.
    c.overrides.startAnswered = () => Promise.resolve().then(() => void (known = true));
    expect(await remoteStopTransaction(c, { transactionId: 7 })).toEqual({ status: 'Accepted' });
    expect(c.of('remoteStop')).toEqual([[7], [7]]);
    // No StartTransaction in flight: an unknown id is Rejected at once.
    known = false;
    c.overrides.startAnswered = () => undefined;
    expect(await remoteStopTransaction(c, { transactionId: 9 })).toEqual({ status: 'Rejected' });
  });


  it('answer with what the charge point says', async () => {
    const c = await control();
    c.overrides.remoteStop = (id) => (id === 7 ? 'Accepted' : 'Rejected');
    expect(await remoteStopTransaction(c, { transactionId: 7 })).toEqual({ status: 'Accepted' });
    expect(await remoteStopTransaction(c, { transactionId: 8 })).toEqual({ status: 'Rejected' });
    expect(reset(c, { type: 'Hard' })).toEqual({ status: 'Accepted' });
    expect(await clearCache(c, {})).toEqual({ status: 'Accepted' });
    c.overrides.cancelReservation = () => 'Rejected';
    expect(cancelReservation(c, { reservationId: 5 })).toEqual({ status: 'Rejected' });
    expect(c.calls).toEqual([
      { method: 'remoteStop', args: [7] },
      { method: 'remoteStop', args: [8] },
      { method: 'reset', args: ['Hard'] },
      { method: 'clearCache', args: [] },
      { method: 'cancelReservation', args: [5] },
    ]);
  });
});

describe('ChangeAvailability', () => {
  it('takes 0 for the whole charger, passes the availability on and rejects unknown connectors', async () => {
    const c = await control();
    c.overrides.changeAvailability = (id) => (id === 1 ? 'Scheduled' : 'Accepted');
    expect(changeAvailability(c, { connectorId: 0, type: 'Inoperative' })).toEqual({ status: 'Accepted' });
    expect(changeAvailability(c, { connectorId: 1, type: 'Operative' })).toEqual({ status: 'Scheduled' });
    expect(changeAvailability(c, { connectorId: 3, type: 'Operative' })).toEqual({ status: 'Rejected' });
    expect(changeAvailability(c, { connectorId: -1, type: 'Operative' })).toEqual({ status: 'Rejected' });
    expect(c.of('changeAvailability')).toEqual([
      [0, false],
      [1, true],
    ]);
  });
});

describe('GetConfiguration', () => {
  it('answers every key when none is asked for', async () => {
    const c = await control();
    for (const request of [{}, { key: [] }]) {
      const response = await getConfiguration(c, request);
      // All but the 2.0.1 variables 1.6 has nothing to act on (below).
      expect(response.configurationKey?.map((k) => k.key)).toEqual(KEY_NAMES_16);
      expect(response).not.toHaveProperty('unknownKey');
    }
  });

  it('answers the keys asked for and names the unknown ones', async () => {
    const c = await control();
    expect(await getConfiguration(c, { key: ['NumberOfConnectors', 'Nope'] })).toEqual({
      configurationKey: [{ key: 'NumberOfConnectors', readonly: true, value: '2' }],
      unknownKey: ['Nope'],
    });
  });

  it('honours GetConfigurationMaxKeys', async () => {
    const c = await control({ GetConfigurationMaxKeys: 2 });
    expect((await getConfiguration(c, { key: ['HeartbeatInterval', 'ResetRetries'] })).configurationKey).toHaveLength(2);
    let caught: unknown;
    try {
      getConfiguration(c, { key: ['HeartbeatInterval', 'ResetRetries', 'X'] });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(OcppCallError);
    expect((caught as OcppCallError).code).toBe('OccurenceConstraintViolation');
  });

  it('does not show OCPP 2.0.1 variables 1.6 has nothing to act on (OfflineThreshold): unknown, and ChangeConfiguration NotSupported', async () => {
    const c = await control();
    expect((await getConfiguration(c, {})).configurationKey?.map((k) => k.key)).not.toContain('OfflineThreshold');
    expect(await getConfiguration(c, { key: ['OfflineThreshold', 'QueueAllMessages'] })).toEqual({
      configurationKey: [{ key: 'QueueAllMessages', readonly: false, value: 'false' }],
      unknownKey: ['OfflineThreshold'],
    });
    expect(await changeConfiguration(c, { key: 'OfflineThreshold', value: '60' })).toEqual({ status: 'NotSupported' });
    expect(c.config.getInt('OfflineThreshold')).toBe(0);
  });
});

describe('ChangeConfiguration', () => {
  it('changes and reports the status from the configuration store', async () => {
    const c = await control();
    expect(await changeConfiguration(c, { key: 'HeartbeatInterval', value: '90' })).toEqual({ status: 'Accepted' });
    expect(c.config.getInt('HeartbeatInterval')).toBe(90);
    expect(await changeConfiguration(c, { key: 'HeartbeatInterval', value: 'ninety' })).toEqual({ status: 'Rejected' });
    expect(await changeConfiguration(c, { key: 'NumberOfConnectors', value: '3' })).toEqual({ status: 'Rejected' });
    expect(await changeConfiguration(c, { key: 'Brightness', value: '3' })).toEqual({ status: 'NotSupported' });
    expect(c.config.getInt('HeartbeatInterval')).toBe(90);
  });
});

describe('UnlockConnector', () => {
  it('unlocks our connectors and answers NotSupported for others', async () => {
    const c = await control();
    expect(await unlockConnector(c, { connectorId: 2 })).toEqual({ status: 'Unlocked' });
    c.overrides.unlockConnector = async () => 'UnlockFailed';
    expect(await unlockConnector(c, { connectorId: 1 })).toEqual({ status: 'UnlockFailed' });
    for (const connectorId of [0, 3]) expect(await unlockConnector(c, { connectorId })).toEqual({ status: 'NotSupported' });
    expect(c.of('unlockConnector')).toEqual([[2], [1]]);
  });
});

describe('DataTransfer', () => {
  it('leaves vendor extensions to the charge point', async () => {
    const c = await control();
    expect(await dataTransfer(c, { vendorId: 'acme', messageId: 'x' })).toEqual({ status: 'UnknownVendorId' });
    c.overrides.dataTransfer = async (req) => (req.vendorId === 'evse-agent' ? { status: 'Accepted', data: 'pong' } : { status: 'UnknownVendorId' });
    expect(await dataTransfer(c, { vendorId: 'evse-agent', data: 'ping' })).toEqual({ status: 'Accepted', data: 'pong' });
  });
});

describe('TriggerMessage', () => {
  it.each(['BootNotification', 'DiagnosticsStatusNotification', 'FirmwareStatusNotification', 'Heartbeat', 'MeterValues', 'StatusNotification'] as const)(
    'hands %s to the charge point',
    async (requestedMessage) => {
      const c = await control();
      expect(triggerMessage(c, { requestedMessage })).toEqual({ status: 'Accepted' });
      expect(triggerMessage(c, { requestedMessage, connectorId: 0 })).toEqual({ status: 'Accepted' });
      expect(c.of('trigger')).toEqual([
        [requestedMessage, undefined],
        [requestedMessage, 0],
      ]);
    },
  );

  it('rejects connectors that are not ours and answers NotImplemented for other messages', async () => {
    const c = await control();
    expect(triggerMessage(c, { requestedMessage: 'StatusNotification', connectorId: 3 })).toEqual({ status: 'Rejected' });
    expect(triggerMessage(c, { requestedMessage: 'LogStatusNotification' as never })).toEqual({ status: 'NotImplemented' });
    expect(c.of('trigger')).toEqual([]);
    c.overrides.trigger = () => 'NotImplemented';
    expect(triggerMessage(c, { requestedMessage: 'FirmwareStatusNotification' })).toEqual({ status: 'NotImplemented' });
  });
});

describe('ReserveNow', () => {
  const request = (connectorId: number): ReserveNowRequest => ({ connectorId, expiryDate: '2026-01-01T01:00:00Z', idTag: 'TAG', reservationId: 1 });

  it('reserves our connectors and rejects others', async () => {
    const c = await control();
    expect(reserveNow(c, request(1))).toEqual({ status: 'Accepted' });
    c.overrides.reserveNow = () => 'Occupied';
    expect(reserveNow(c, request(2))).toEqual({ status: 'Occupied' });
    expect(reserveNow(c, request(3))).toEqual({ status: 'Rejected' });
    expect(c.of('reserveNow')).toEqual([[request(1)], [request(2)]]);
  });

  it('reserves connector 0 only when ReserveConnectorZeroSupported', async () => {
    const without = await control({ ReserveConnectorZeroSupported: false });
    expect(reserveNow(without, request(0))).toEqual({ status: 'Rejected' });
    expect(without.of('reserveNow')).toEqual([]);
    const withZero = await control();
    expect(reserveNow(withZero, request(0))).toEqual({ status: 'Accepted' });
  });
});

describe('SendLocalList / GetLocalListVersion', () => {
  it('a charge point without a list answers NotSupported and version -1', async () => {
    const c = await control();
    expect(await sendLocalList(c, { listVersion: 1, updateType: 'Full' })).toEqual({ status: 'NotSupported' });
    expect(await getLocalListVersion(c, {})).toEqual({ listVersion: -1 });
  });

  it('passes the update on while LocalAuthListEnabled, and answers NotSupported / -1 without asking when it is false', async () => {
    const c = await control();
    const seen: unknown[] = [];
    const withList = Object.assign(c, {
      sendLocalList: async (req: unknown) => (seen.push(req), 'VersionMismatch' as const),
      localListVersion: () => 7,
    });
    expect(await sendLocalList(withList, { listVersion: 3, updateType: 'Differential' })).toEqual({ status: 'VersionMismatch' });
    expect(await getLocalListVersion(withList, {})).toEqual({ listVersion: 7 });
    expect(seen).toEqual([{ listVersion: 3, updateType: 'Differential' }]);
    await c.config.set('LocalAuthListEnabled', false);
    expect(await sendLocalList(withList, { listVersion: 4, updateType: 'Full' })).toEqual({ status: 'NotSupported' });
    expect(await getLocalListVersion(withList, {})).toEqual({ listVersion: -1 });
    expect(seen).toHaveLength(1);
  });
});
