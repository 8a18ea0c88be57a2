/**
 * OCPP 1.6 SmartCharging end to end (issue 16): a whole Agent on simulated hardware and virtual
 * time against the embedded strict CSMS over a real socket. The profiles the CSMS sets must reach
 * the control pilot (the PWM offer), the simulated EV must draw what is offered, and MeterValues and
 * StatusNotifications must show it; the profiles survive a restart on the same data directory.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ChargingProfileStore } from './chargingLimits/ChargingProfileStore.js';
import type { SetChargingProfileRequest } from './ocpp16/messages.js';
import { CP, T0, agentFixture, cleanupAgents, startSession, type AgentFixture } from '../test/support/agentFixture.js';

const dirs: string[] = [];
afterEach(async () => {
  await cleanupAgents();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

const MIN = 60_000;
type Profile = SetChargingProfileRequest['csChargingProfiles'];
type Sampled = { measurand?: string; value: string; context?: string };

const txDefault10: Profile = {
  chargingProfileId: 1,
  stackLevel: 0,
  chargingProfilePurpose: 'TxDefaultProfile',
  chargingProfileKind: 'Absolute',
  chargingSchedule: { startSchedule: new Date(T0).toISOString(), chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 10 }] },
};

const offerOf = (f: AgentFixture) => f.sim.connectors[0]!.pilot.currentOfferA;
/** What the simulated EV draws, A on L1, as the meter reads it. */
const evCurrent = async (f: AgentFixture) => (await f.sim.connectors[0]!.meter.read()).currentA[0]!;
const lastSample = (f: AgentFixture) => f.sent('MeterValues').at(-1)!.meterValue[0]!.sampledValue as Sampled[];
const valueOf = (sv: Sampled[], measurand: string) => Number(sv.find((s) => s.measurand === measurand)?.value);

describe('SmartCharging: profiles drive the pilot, the EV and the meter values', () => {
  it('TxDefaultProfile 10 A, then a TxProfile of 6 A from minute 5 and 0 A from minute 10; GetCompositeSchedule; ClearChargingProfile', async () => {
    const f = await agentFixture({ ocpp: { MeterValueSampleInterval: 60, MeterValuesSampledData: 'Current.Offered,Power.Active.Import' } });
    expect(await f.csms.call(CP, 'SetChargingProfile', { connectorId: 1, csChargingProfiles: txDefault10 })).toEqual({ status: 'Accepted' });
    await startSession(f);
    expect(offerOf(f)).toBe(10);
    expect(await evCurrent(f)).toBeCloseTo(10, 0);

    // A TxProfile needs the running transaction; one that names another transaction is refused.
    const transactionId = f.agent.transactions.transactionIdOn(1)!;
    const tx: Profile = {
      chargingProfileId: 2,
      transactionId,
      stackLevel: 1,
      chargingProfilePurpose: 'TxProfile',
      chargingProfileKind: 'Absolute',
      chargingSchedule: {
        startSchedule: new Date(T0 + 5 * MIN).toISOString(),
        chargingRateUnit: 'A',
        chargingSchedulePeriod: [
          { startPeriod: 0, limit: 6 },
          { startPeriod: 300, limit: 0 },
        ],
      },
    };
    expect(await f.csms.call(CP, 'SetChargingProfile', { connectorId: 1, csChargingProfiles: { ...tx, transactionId: transactionId + 1 } })).toEqual({ status: 'Rejected' });
    expect(await f.csms.call(CP, 'SetChargingProfile', { connectorId: 1, csChargingProfiles: tx })).toEqual({ status: 'Accepted' });
    expect(offerOf(f)).toBe(10); // its schedule has not started: the TxDefaultProfile still applies

    const now = f.clock.now();
    const toS = (t: number) => Math.round((t - now) / 1000);
    expect(await f.csms.call(CP, 'GetCompositeSchedule', { connectorId: 1, duration: 900 })).toEqual({
      status: 'Accepted',
      connectorId: 1,
      scheduleStart: new Date(now).toISOString(),
      chargingSchedule: {
        duration: 900,
        startSchedule: new Date(now).toISOString(),
        chargingRateUnit: 'A',
        chargingSchedulePeriod: [
          { startPeriod: 0, limit: 10 },
          { startPeriod: toS(T0 + 5 * MIN), limit: 6 },
          { startPeriod: toS(T0 + 10 * MIN), limit: 0 },
        ],
      },
    });
    expect((await f.csms.call(CP, 'GetCompositeSchedule', { connectorId: 1, duration: 60, chargingRateUnit: 'W' })).chargingSchedule?.chargingSchedulePeriod).toEqual([{ startPeriod: 0, limit: 10 * 230 * 3 }]);

    // The offer changes at the period boundary (the timer fires on it), not at the next sample.
    await f.advance(T0 + 5 * MIN - 1 - f.clock.now());
    expect(offerOf(f)).toBe(10);
    await f.advance(1);
    expect(offerOf(f)).toBe(6);
    expect(await evCurrent(f)).toBeCloseTo(6, 0);
    await f.advance(2 * MIN);
    expect(valueOf(lastSample(f), 'Current.Offered')).toBe(6);
    expect(valueOf(lastSample(f), 'Power.Active.Import')).toBeCloseTo(6 * 230 * 3, -2);
    expect(f.agent.connectors[0]!.status).toBe('Charging');

    await f.advance(T0 + 10 * MIN - f.clock.now());
    expect(offerOf(f)).toBe(0);
    expect(f.agent.connectors[0]!.status).toBe('SuspendedEVSE');
    expect(await evCurrent(f)).toBe(0);
    await f.advance(2 * MIN);
    expect(valueOf(lastSample(f), 'Current.Offered')).toBe(0);
    expect(valueOf(lastSample(f), 'Power.Active.Import')).toBe(0);
    expect(f.sent('StatusNotification').filter((s) => s.connectorId === 1).at(-1)).toMatchObject({ status: 'SuspendedEVSE', errorCode: 'NoError', info: 'chargingProfile limit 0 A' });

    // Clearing the TxProfile returns to the TxDefaultProfile; an id nobody has is Unknown.
    expect(await f.csms.call(CP, 'ClearChargingProfile', { id: 99 })).toEqual({ status: 'Unknown' });
    expect(await f.csms.call(CP, 'ClearChargingProfile', { id: 2 })).toEqual({ status: 'Accepted' });
    await f.advance(1000);
    expect(offerOf(f)).toBe(10);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    expect(f.statusTrail(1)).toEqual(['Available', 'Preparing', 'SuspendedEV', 'Charging', 'SuspendedEVSE', 'Charging']);
  });

  it('RemoteStartTransaction with a chargingProfile: the TxProfile binds before the first offer, and ends with the transaction', async () => {
    const f = await agentFixture();
    const offers: number[] = [];
    f.sim.connectors[0]!.pilot.on('offer', (a) => void offers.push(a));
    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(1000);
    const chargingProfile: Profile = {
      chargingProfileId: 7,
      stackLevel: 0,
      chargingProfilePurpose: 'TxProfile',
      chargingProfileKind: 'Relative',
      chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 6 }] },
    };
    expect(await f.csms.call(CP, 'RemoteStartTransaction', { idTag: 'REMOTE-1', connectorId: 1, chargingProfile: { ...chargingProfile, chargingProfilePurpose: 'TxDefaultProfile' } })).toEqual({ status: 'Rejected' });
    expect(await f.csms.call(CP, 'RemoteStartTransaction', { idTag: 'REMOTE-1', connectorId: 1, chargingProfile })).toEqual({ status: 'Accepted' });
    await f.advance(2000);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    expect(offers).toEqual([6]); // never the connector's 32 A first
    expect(await evCurrent(f)).toBeCloseTo(6, 0);

    expect(await f.csms.call(CP, 'RemoteStopTransaction', { transactionId: f.agent.transactions.transactionIdOn(1)! })).toEqual({ status: 'Accepted' });
    await f.advance(2000);
    expect(f.agent.chargingLimits.profiles).toEqual([]);
    expect((await f.csms.call(CP, 'GetCompositeSchedule', { connectorId: 1, duration: 60 })).chargingSchedule?.chargingSchedulePeriod).toEqual([{ startPeriod: 0, limit: 32 }]);
    // Without a transaction a TxProfile has nothing to bind to.
    expect(await f.csms.call(CP, 'SetChargingProfile', { connectorId: 1, csChargingProfiles: chargingProfile })).toEqual({ status: 'Rejected' });
  });

  it('SmartCharging keys are reported read-only; a profile beyond them is Rejected', async () => {
    const f = await agentFixture();
    const answer = await f.csms.call(CP, 'GetConfiguration', {
      key: ['ChargingScheduleAllowedChargingRateUnit', 'ChargingScheduleMaxPeriods', 'ChargeProfileMaxStackLevel', 'MaxChargingProfilesInstalled', 'ConnectorSwitch3to1PhaseSupported', 'SupportedFeatureProfiles'],
    });
    expect(Object.fromEntries(answer.configurationKey!.map((k) => [k.key, [k.value, k.readonly]]))).toEqual({
      ChargingScheduleAllowedChargingRateUnit: ['Current,Power', true],
      ChargingScheduleMaxPeriods: ['24', true],
      ChargeProfileMaxStackLevel: ['8', true],
      MaxChargingProfilesInstalled: ['16', true],
      ConnectorSwitch3to1PhaseSupported: ['false', true],
      SupportedFeatureProfiles: ['Core,Reservation,SmartCharging,RemoteTrigger', true],
    });
    expect(await f.csms.call(CP, 'SetChargingProfile', { connectorId: 1, csChargingProfiles: { ...txDefault10, stackLevel: 9 } })).toEqual({ status: 'Rejected' });
    expect(await f.csms.call(CP, 'SetChargingProfile', { connectorId: 0, csChargingProfiles: { ...txDefault10, chargingProfilePurpose: 'ChargePointMaxProfile' } })).toEqual({ status: 'Accepted' });
    expect(await f.csms.call(CP, 'SetChargingProfile', { connectorId: 1, csChargingProfiles: { ...txDefault10, chargingProfileId: 3, chargingProfilePurpose: 'ChargePointMaxProfile' } })).toEqual({ status: 'Rejected' });
  });
});

describe('the cable rating is one source of the limit', () => {
  it('a 13 A cable caps the offer until a lower profile binds', async () => {
    const f = await agentFixture({ charger: { ev: { cableRatingA: 13 } } });
    await startSession(f);
    expect(offerOf(f)).toBe(13);
    expect(f.agent.chargingLimits.limitOf(1)).toMatchObject({ amps: 13, source: 'cable', sources: { cable: 13, hardware: 32 } });
    expect(await f.csms.call(CP, 'SetChargingProfile', { connectorId: 1, csChargingProfiles: txDefault10 })).toEqual({ status: 'Accepted' });
    expect(offerOf(f)).toBe(10);
    expect(f.agent.chargingLimits.limitOf(1)).toMatchObject({ amps: 10, source: 'chargingProfile', sources: { chargingProfile: 10, cable: 13, hardware: 32 } });
  });
});

describe('SmartCharging offline', () => {
  it('a schedule goes on while the CSMS is unreachable: the offer changes at the boundary, the status follows, the messages wait', async () => {
    const f = await agentFixture();
    const schedule: Profile = { ...txDefault10, chargingSchedule: { ...txDefault10.chargingSchedule, chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }, { startPeriod: 600, limit: 0 }, { startPeriod: 1200, limit: 8 }] } };
    expect(await f.csms.call(CP, 'SetChargingProfile', { connectorId: 0, csChargingProfiles: schedule })).toEqual({ status: 'Accepted' });
    await startSession(f);
    expect(offerOf(f)).toBe(16);
    await f.csms.stop();
    await f.advance(2000);
    expect(f.agent.link.isAccepted).toBe(false);
    await f.advance(T0 + 10 * MIN - f.clock.now());
    expect(offerOf(f)).toBe(0);
    expect(f.agent.connectors[0]!.status).toBe('SuspendedEVSE');
    await f.advance(10 * MIN);
    expect(offerOf(f)).toBe(8);
    expect(await evCurrent(f)).toBeCloseTo(8, 0);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
  });
});

describe('SmartCharging across a restart', () => {
  it('a profile Accepted before a power cut applies after it (same data directory)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'evse-profiles-'));
    dirs.push(dir);
    const file = join(dir, 'charging-profiles.json');
    const log = pino({ level: 'silent' });
    const first = await agentFixture({ agent: { chargingProfiles: await ChargingProfileStore.open(file, log) } });
    const max8: Profile = { ...txDefault10, chargingProfileId: 11, chargingProfilePurpose: 'ChargePointMaxProfile', chargingSchedule: { ...txDefault10.chargingSchedule, chargingSchedulePeriod: [{ startPeriod: 0, limit: 8 }] } };
    expect(await first.csms.call(CP, 'SetChargingProfile', { connectorId: 0, csChargingProfiles: max8 })).toEqual({ status: 'Accepted' });
    // The power goes now: what was answered Accepted is on disk already.
    const reopened = await ChargingProfileStore.open(file, log);
    await first.close();

    const f = await agentFixture({ agent: { chargingProfiles: reopened } });
    await startSession(f);
    expect(offerOf(f)).toBe(8);
    expect(await evCurrent(f)).toBeCloseTo(8, 0);
    expect(f.agent.chargingLimits.limitOf(1)).toMatchObject({ amps: 8, source: 'chargingProfile', profileId: 11 });
  });
});
