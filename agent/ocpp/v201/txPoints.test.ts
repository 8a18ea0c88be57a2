/**
 * TxCtrlr.TxStartPoint and TxStopPoint over a strict 2.0.1 CSMS: where a transaction begins (the
 * first listed point that occurs: the plug-in, the authorization, or both as PowerPathClosed) and
 * ends (the unplug, the end of the authorization, either, the end of energy transfer), each with its
 * exact TransactionEvent sequence (eventType, seqNo, triggerReason, chargingState, idToken,
 * stoppedReason); the EVConnectionTimeOut of a transaction begun at one point and never completed;
 * both points stored across a restart, and a transaction begun without idToken replayed from the
 * durable journal after one. The default (PowerPathClosed) is transactionEvent.test.ts's.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileJournal } from '../../store/FileJournal.js';
import type { SetVariableDataType } from '../../ocpp201/messages.js';
import { SimulatedClock } from '../../../hal/clock.js';
import { createSimulatedCharger } from '../../../hal/sim/createSimulatedCharger.js';
import { CP, T0, agentFixture, cleanupAgents } from '../../../test/support/agentFixture.js';
import { agent201Fixture, cleanupAgents201, type Agent201Fixture, type Agent201FixtureOptions } from '../../../test/support/agent201Fixture.js';

const dirs: string[] = [];
afterEach(async () => {
  await cleanupAgents201();
  await cleanupAgents();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

const SECOND = 1000;
const CARD = '04A1B2C3D4E5F6';
const TX_CTRLR = { name: 'TxCtrlr' };

/** The events sent so far, each as [seqNo, eventType, triggerReason, chargingState, idToken, stoppedReason]. */
const sequence = (f: Agent201Fixture) =>
  f.sent('TransactionEvent').map((e) => [e.seqNo, e.eventType, e.triggerReason, e.transactionInfo.chargingState, e.idToken?.idToken, e.transactionInfo.stoppedReason]);

/** The Started of a transaction begun at the plug-in: no idToken yet, chargingState EVConnected. */
const BEGUN_AT_PLUG_IN = [0, 'Started', 'CablePluggedIn', 'EVConnected', undefined, undefined] as const;
/** Then the card authorizes it (Updated with its idToken) and energy flows. */
const CARD_AUTHORIZES = [
  [1, 'Updated', 'Authorized', undefined, CARD, undefined],
  [2, 'Updated', 'ChargingStateChanged', 'Charging', undefined, undefined],
] as const;
/** Then the unplug ends it. */
const ENDED_BY_UNPLUG = [3, 'Ended', 'EVCommunicationLost', undefined, undefined, 'EVDisconnected'] as const;

async function setPoints(f: Agent201Fixture, points: { TxStartPoint?: string; TxStopPoint?: string }): Promise<void> {
  const setVariableData = Object.entries(points).map(([name, attributeValue]) => ({ component: TX_CTRLR, variable: { name }, attributeValue })) as [SetVariableDataType, ...SetVariableDataType[]];
  const { setVariableResult } = await f.call('SetVariables', { setVariableData });
  expect(setVariableResult.map((r) => r.attributeStatus)).toEqual(setVariableData.map(() => 'Accepted'));
}

async function get(f: Agent201Fixture, name: string): Promise<string | undefined> {
  return (await f.call('GetVariables', { getVariableData: [{ component: TX_CTRLR, variable: { name } }] })).getVariableResult[0]!.attributeValue;
}

async function station(points: { TxStartPoint?: string; TxStopPoint?: string }, opts: Agent201FixtureOptions = {}): Promise<Agent201Fixture> {
  const f = await agent201Fixture({ connectors: 1, ...opts });
  await setPoints(f, points);
  return f;
}

/** Every event of one transaction is sent: the one id, seqNo 0.. without gaps. */
function expectOneTransaction(f: Agent201Fixture): void {
  const sent = f.sent('TransactionEvent');
  expect(new Set(sent.map((e) => e.transactionInfo.transactionId)).size).toBe(1);
  expect(sent.map((e) => e.seqNo)).toEqual(sent.map((_, i) => i));
}

const step = (f: Agent201Fixture) => f.advance(SECOND);

describe('TxStartPoint', () => {
  it('EVConnected: Started at the plug-in (CablePluggedIn, EVConnected, no idToken); the card is an Updated Authorized with its idToken, then energy flows', async () => {
    const f = await station({ TxStartPoint: 'EVConnected' });
    const ev = f.sim.connectors[0]!.ev;
    ev.plugIn();
    await step(f);
    await f.waitForSent('TransactionEvent');
    expect(f.agent.connectors[0]!.hasTransaction).toBe(true);
    expect(f.sim.connectors[0]!.relay.state).toBe('open'); // nobody authorized: no energy
    f.sim.rfid.tap(CARD);
    await step(f);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    ev.unplug();
    await step(f);
    await f.waitForSent('TransactionEvent', 4);
    expect(sequence(f)).toEqual([
      BEGUN_AT_PLUG_IN,
      ...CARD_AUTHORIZES,
      ENDED_BY_UNPLUG,
    ]);
    expect(f.sent('TransactionEvent')[1]!.idToken).toEqual({ idToken: CARD, type: 'ISO14443' });
    expectOneTransaction(f);
    // Causal order per EVSE (DESIGN.md §11): the plug-in's Occupied is the status of the session the
    // Started begins, so it follows it (as a 1.6 status follows its StartTransaction); Available only after Ended.
    const order = f.csms.calls.filter((c) => c.action === 'TransactionEvent' || c.action === 'StatusNotification').map((c) => (c.action === 'TransactionEvent' ? String(c.params.eventType) : String(c.params.connectorStatus)));
    expect(order).toEqual(['Available', 'Started', 'Occupied', 'Updated', 'Updated', 'Ended', 'Available']);
    // The shared services see the driver too: the stop names the card that authorized it.
    await f.settle();
    expect(f.sent('TransactionEvent')).toHaveLength(4);
  });

  it('EVConnected: a RequestStartTransaction authorizes the transaction begun at the plug-in (Updated RemoteStart with its remoteStartId and idToken)', async () => {
    const f = await station({ TxStartPoint: 'EVConnected' });
    f.sim.connectors[0]!.ev.plugIn();
    await step(f);
    await f.waitForSent('TransactionEvent');
    expect(await f.call('RequestStartTransaction', { idToken: { idToken: 'APP-9', type: 'Central' }, remoteStartId: 77 })).toEqual({ status: 'Accepted' });
    await step(f);
    await f.waitForSent('TransactionEvent', 3);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    const [, authorized, charging] = f.sent('TransactionEvent');
    expect(authorized).toMatchObject({ eventType: 'Updated', seqNo: 1, triggerReason: 'RemoteStart', idToken: { idToken: 'APP-9', type: 'Central' }, transactionInfo: { remoteStartId: 77 } });
    expect(charging).toMatchObject({ eventType: 'Updated', seqNo: 2, triggerReason: 'ChargingStateChanged', transactionInfo: { chargingState: 'Charging' } });
    expectOneTransaction(f);
  });

  it('EVConnected: the answer to the Updated Authorized binds the transaction — an idToken the CSMS refuses there ends it (Deauthorized, StopTxOnInvalidId)', async () => {
    const refuseAtUpdate = { TransactionEvent: (p: Record<string, unknown>) => (p.triggerReason === 'Authorized' ? { idTokenInfo: { status: 'Invalid' } } : {}) };
    const f = await station({ TxStartPoint: 'EVConnected' }, { csms: { answers: refuseAtUpdate } });
    f.sim.connectors[0]!.ev.plugIn();
    await step(f);
    f.sim.rfid.tap(CARD);
    await step(f);
    await step(f);
    await f.waitForSent('TransactionEvent', 4);
    // Energy flowed from the authorization until the CSMS's answer refused the idToken.
    expect(sequence(f)).toEqual([
      BEGUN_AT_PLUG_IN,
      ...CARD_AUTHORIZES,
      [3, 'Ended', 'Deauthorized', undefined, undefined, 'DeAuthorized'],
    ]);
    expect(f.agent.connectors[0]!.hasTransaction).toBe(false);
  });

  it('EVConnected: no authorization within EVConnectionTimeOut ends it (EVConnectTimeout, Timeout), without an idToken', async () => {
    const f = await station({ TxStartPoint: 'EVConnected' }, { ocpp: { ConnectionTimeOut: 30 } });
    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(29 * SECOND);
    expect(f.agent.connectors[0]!.hasTransaction).toBe(true);
    await f.advance(2 * SECOND);
    await f.waitForSent('TransactionEvent', 2);
    expect(sequence(f)).toEqual([
      BEGUN_AT_PLUG_IN,
      [1, 'Ended', 'EVConnectTimeout', undefined, undefined, 'Timeout'],
    ]);
    expect(f.agent.connectors[0]!.hasTransaction).toBe(false);
    // A card now begins a new transaction on the cable still plugged in (the old one is over).
    f.sim.rfid.tap(CARD);
    await step(f);
    await f.waitForSent('TransactionEvent', 3);
    expect(sequence(f)[2]).toEqual([0, 'Started', 'Authorized', 'Charging', CARD, undefined]);
  });

  it('Authorized: Started at the card before any cable (Authorized, Idle, idToken); the plug-in is an Updated CablePluggedIn', async () => {
    const f = await station({ TxStartPoint: 'Authorized' });
    f.sim.rfid.tap(CARD);
    await step(f);
    await f.waitForSent('TransactionEvent');
    f.sim.connectors[0]!.ev.plugIn();
    await step(f);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    f.sim.rfid.tap(CARD);
    await step(f);
    await f.waitForSent('TransactionEvent', 3);
    expect(sequence(f)).toEqual([
      [0, 'Started', 'Authorized', 'Idle', CARD, undefined],
      [1, 'Updated', 'CablePluggedIn', 'Charging', undefined, undefined],
      [2, 'Ended', 'StopAuthorized', undefined, CARD, 'Local'],
    ]);
    expectOneTransaction(f);
  });

  it('Authorized: no cable within EVConnectionTimeOut ends it (EVConnectTimeout, Timeout); a remote start likewise, with its remoteStartId', async () => {
    const f = await station({ TxStartPoint: 'Authorized' }, { ocpp: { ConnectionTimeOut: 30 } });
    f.sim.rfid.tap(CARD);
    await f.advance(31 * SECOND);
    await f.waitForSent('TransactionEvent', 2);
    expect(sequence(f)).toEqual([
      [0, 'Started', 'Authorized', 'Idle', CARD, undefined],
      [1, 'Ended', 'EVConnectTimeout', undefined, undefined, 'Timeout'],
    ]);
    expect(await f.call('RequestStartTransaction', { idToken: { idToken: 'APP-9', type: 'Central' }, remoteStartId: 42, evseId: 1 })).toEqual({ status: 'Accepted' });
    await f.advance(31 * SECOND);
    await f.waitForSent('TransactionEvent', 4);
    const [started, ended] = f.sent('TransactionEvent').slice(2);
    expect(started).toMatchObject({ eventType: 'Started', seqNo: 0, triggerReason: 'RemoteStart', idToken: { idToken: 'APP-9', type: 'Central' }, transactionInfo: { remoteStartId: 42, chargingState: 'Idle' } });
    expect(ended).toMatchObject({ eventType: 'Ended', seqNo: 1, triggerReason: 'EVConnectTimeout', transactionInfo: { stoppedReason: 'Timeout' } });
  });

  it('EVConnected,Authorized: whichever comes first begins it — the plug-in one session, the card the next', async () => {
    const f = await station({ TxStartPoint: 'Authorized,EVConnected' });
    expect(await get(f, 'TxStartPoint')).toBe('EVConnected,Authorized');
    const ev = f.sim.connectors[0]!.ev;
    ev.plugIn();
    await step(f);
    f.sim.rfid.tap(CARD);
    await step(f);
    ev.unplug();
    await step(f);
    f.sim.rfid.tap(CARD);
    await step(f);
    ev.plugIn();
    await step(f);
    await f.waitForSent('TransactionEvent', 6);
    expect(sequence(f)).toEqual([
      BEGUN_AT_PLUG_IN,
      ...CARD_AUTHORIZES,
      ENDED_BY_UNPLUG,
      [0, 'Started', 'Authorized', 'Idle', CARD, undefined],
      [1, 'Updated', 'CablePluggedIn', 'Charging', undefined, undefined],
    ]);
  });

  it('PowerPathClosed with another point: the other comes first (Authorized,PowerPathClosed begins at the card)', async () => {
    const f = await station({ TxStartPoint: 'PowerPathClosed,Authorized' });
    f.sim.rfid.tap(CARD);
    await step(f);
    await f.waitForSent('TransactionEvent');
    expect(sequence(f)).toEqual([[0, 'Started', 'Authorized', 'Idle', CARD, undefined]]);
  });
});

describe('TxStopPoint', () => {
  async function charging(f: Agent201Fixture): Promise<void> {
    f.sim.connectors[0]!.ev.plugIn();
    await step(f);
    f.sim.rfid.tap(CARD);
    await step(f);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
  }

  it('EVConnected alone: the card ends the authorization (Updated StopAuthorized, EVConnected, energy stops), the unplug the transaction', async () => {
    const f = await station({ TxStopPoint: 'EVConnected' });
    expect(await get(f, 'TxStopPoint')).toBe('EVConnected');
    await charging(f);
    f.sim.rfid.tap(CARD);
    await step(f);
    expect(f.agent.connectors[0]!.hasTransaction).toBe(true);
    expect(f.sim.connectors[0]!.relay.state).toBe('open');
    f.sim.connectors[0]!.ev.unplug();
    await step(f);
    await f.waitForSent('TransactionEvent', 3);
    expect(sequence(f)).toEqual([
      [0, 'Started', 'Authorized', 'Charging', CARD, undefined],
      [1, 'Updated', 'StopAuthorized', 'EVConnected', CARD, undefined],
      [2, 'Ended', 'EVCommunicationLost', undefined, undefined, 'EVDisconnected'],
    ]);
  });

  it('StopTxOnEVSideDisconnect written after TxStopPoint EVConnected: TxStopPoint reads Authorized and the card ends the transaction again', async () => {
    const f = await station({ TxStopPoint: 'EVConnected' });
    const { setVariableResult } = await f.call('SetVariables', { setVariableData: [{ component: TX_CTRLR, variable: { name: 'StopTxOnEVSideDisconnect' }, attributeValue: 'false' }] });
    expect(setVariableResult[0]!.attributeStatus).toBe('Accepted');
    expect(await get(f, 'TxStopPoint')).toBe('Authorized');
    await charging(f);
    f.sim.rfid.tap(CARD);
    await step(f);
    await f.waitForSent('TransactionEvent', 2);
    expect(sequence(f)[1]).toEqual([1, 'Ended', 'StopAuthorized', undefined, CARD, 'Local']);
  });

  it('PowerPathClosed: the unplug ends it, and so does the card', async () => {
    const f = await station({ TxStopPoint: 'PowerPathClosed' });
    expect(f.config.getBool('StopTransactionOnEVSideDisconnect')).toBe(true);
    await charging(f);
    f.sim.connectors[0]!.ev.unplug();
    await step(f);
    await charging(f);
    f.sim.rfid.tap(CARD);
    await step(f);
    await f.waitForSent('TransactionEvent', 4);
    expect(sequence(f)).toEqual([
      [0, 'Started', 'Authorized', 'Charging', CARD, undefined],
      [1, 'Ended', 'EVCommunicationLost', undefined, undefined, 'EVDisconnected'],
      [0, 'Started', 'Authorized', 'Charging', CARD, undefined],
      [1, 'Ended', 'StopAuthorized', undefined, CARD, 'Local'],
    ]);
  });

  it('EnergyTransfer: the EV stopping to draw ends it (ChargingStateChanged, SuspendedEV, StoppedByEV); the pause before energy flowed does not', async () => {
    const f = await station({ TxStopPoint: 'EnergyTransfer' });
    expect(await get(f, 'TxStopPoint')).toBe('EnergyTransfer');
    await charging(f);
    f.sim.connectors[0]!.ev.suspend();
    await step(f);
    await f.waitForSent('TransactionEvent', 2);
    expect(sequence(f)).toEqual([
      [0, 'Started', 'Authorized', 'Charging', CARD, undefined],
      [1, 'Ended', 'ChargingStateChanged', 'SuspendedEV', undefined, 'StoppedByEV'],
    ]);
    expect(f.agent.connectors[0]!.hasTransaction).toBe(false);
    expect(f.sim.connectors[0]!.relay.state).toBe('open');
  });

  it('EnergyTransfer: a full battery ends it the same way (charging finished)', async () => {
    const f = await station({ TxStopPoint: 'EnergyTransfer' });
    f.sim.connectors[0]!.ev.setSoC(0.995);
    await charging(f);
    await f.advance(60 * 60 * SECOND, 60 * SECOND);
    await f.waitForSent('TransactionEvent', 2);
    expect(f.sim.connectors[0]!.ev.full).toBe(true);
    expect(sequence(f)).toEqual([
      [0, 'Started', 'Authorized', 'Charging', CARD, undefined],
      [1, 'Ended', 'ChargingStateChanged', 'SuspendedEV', undefined, 'StoppedByEV'],
    ]);
  });

  it('ParkingBayOccupancy and DataSigned are Rejected with why; the stored points are kept', async () => {
    const f = await station({ TxStopPoint: 'EVConnected,Authorized' });
    const { setVariableResult } = await f.call('SetVariables', {
      setVariableData: [
        { component: TX_CTRLR, variable: { name: 'TxStopPoint' }, attributeValue: 'ParkingBayOccupancy' },
        { component: TX_CTRLR, variable: { name: 'TxStartPoint' }, attributeValue: 'DataSigned' },
        { component: TX_CTRLR, variable: { name: 'TxStartPoint' }, attributeValue: 'EnergyTransfer' },
      ],
    });
    expect(setVariableResult.map((r) => [r.attributeStatus, r.attributeStatusInfo?.reasonCode])).toEqual([['Rejected', 'UnsupportedParam'], ['Rejected', 'UnsupportedParam'], ['Rejected', 'UnsupportedParam']]);
    expect(setVariableResult[0]!.attributeStatusInfo?.additionalInfo).toContain('no parking bay sensor');
    expect(setVariableResult[1]!.attributeStatusInfo?.additionalInfo).toContain('no meter that signs');
    expect(await get(f, 'TxStopPoint')).toBe('EVConnected,Authorized');
    expect(await get(f, 'TxStartPoint')).toBe('PowerPathClosed');
  });
});

describe('TxStartPoint EVConnected with a cable already plugged in (E01.FR.02: connected and no transaction yet)', () => {
  it('a cable plugged in while the station was off begins the transaction once the station runs (Started, CablePluggedIn, no idToken); the card authorizes it', async () => {
    const f = await agent201Fixture({ connectors: 1, ocpp: { TxStartPoint: 'EVConnected' }, beforeAgent: (sim) => sim.connectors[0]!.ev.plugIn() });
    await step(f);
    await f.waitForSent('TransactionEvent');
    expect(f.agent.connectors[0]!.hasTransaction).toBe(true);
    expect(f.sim.connectors[0]!.relay.state).toBe('open'); // nobody authorized: no energy
    f.sim.rfid.tap(CARD);
    await step(f);
    await f.waitForSent('TransactionEvent', 3);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    expect(sequence(f)).toEqual([
      BEGUN_AT_PLUG_IN,
      ...CARD_AUTHORIZES,
    ]);
    expectOneTransaction(f);
  });

  it('TxStartPoint set to EVConnected while a cable waits for a card begins the transaction at once; a connector whose transaction just ended (Finishing) begins none', async () => {
    const f = await agent201Fixture({ connectors: 2 });
    const [one, two] = f.sim.connectors;
    one!.ev.plugIn();
    two!.ev.plugIn();
    await step(f);
    // Connector 2 charges and ends its transaction with the card; its cable stays in (Finishing).
    await f.call('RequestStartTransaction', { idToken: { idToken: CARD, type: 'ISO14443' }, remoteStartId: 1, evseId: 2 });
    await step(f);
    await f.call('RequestStopTransaction', { transactionId: f.sent('TransactionEvent')[0]!.transactionInfo.transactionId });
    await step(f);
    expect(f.agent.connectors[1]!.status).toBe('Finishing');
    const before = f.sent('TransactionEvent').length;
    expect(f.agent.connectors[0]!.hasTransaction).toBe(false);
    await setPoints(f, { TxStartPoint: 'EVConnected' });
    await step(f);
    await f.waitForSent('TransactionEvent', before + 1);
    await f.settle();
    const after = f.sent('TransactionEvent').slice(before);
    expect(after.map((e) => [e.seqNo, e.eventType, e.triggerReason, e.transactionInfo.chargingState, e.evse?.id, e.idToken])).toEqual([[0, 'Started', 'CablePluggedIn', 'EVConnected', 1, undefined]]);
    expect(f.agent.connectors[0]!.hasTransaction).toBe(true);
    expect(f.agent.connectors[1]!.hasTransaction).toBe(false);
  });

  it('a Reset of the EVSE ends the transaction begun at the plug-in (ImmediateReset) and the cable still plugged in begins the next one (Started, CablePluggedIn)', async () => {
    const f = await station({ TxStartPoint: 'EVConnected' });
    f.sim.connectors[0]!.ev.plugIn();
    await step(f);
    f.sim.rfid.tap(CARD);
    await step(f);
    await f.waitForSent('TransactionEvent', 3);
    const first = f.sent('TransactionEvent')[0]!.transactionInfo.transactionId;
    expect(await f.call('Reset', { type: 'Immediate', evseId: 1 })).toEqual({ status: 'Accepted' });
    await step(f);
    await f.waitForSent('TransactionEvent', 5);
    await f.settle();
    const events = f.sent('TransactionEvent').slice(3);
    expect(events.map((e) => [e.eventType, e.triggerReason, e.transactionInfo.chargingState, e.idToken?.idToken, e.transactionInfo.stoppedReason, e.transactionInfo.transactionId === first])).toEqual([
      ['Ended', 'ResetCommand', undefined, undefined, 'ImmediateReset', true],
      ['Started', 'CablePluggedIn', 'EVConnected', undefined, undefined, false],
    ]);
    expect(events[1]!.seqNo).toBe(0);
    expect(f.agent.connectors[0]!.hasTransaction).toBe(true);
    expect(f.sim.connectors[0]!.relay.state).toBe('open'); // nobody authorized the new one: no energy
  });
});

/** A 2.0.1 station with EVConnected stored whose power is cut during a transaction: the journal keeps it open. */
async function cutDuring(begin: (f: Agent201Fixture) => Promise<void>, ocpp: Agent201FixtureOptions['ocpp'] = {}): Promise<{ configFile: string; journalFile: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'evse-txpoints-cut-'));
  dirs.push(dir);
  const configFile = join(dir, 'ocpp-config.json');
  const journalFile = join(dir, 'journal.log');
  const journal = await FileJournal.open({ file: journalFile });
  const f = await agent201Fixture({ connectors: 1, configFile, ocpp, agent: () => ({ journal }) });
  await setPoints(f, { TxStartPoint: 'EVConnected' }); // stored: in effect after the restart
  await begin(f);
  expect(f.agent.connectors[0]!.hasTransaction).toBe(true);
  await journal.close(); // power cut: nothing after this reaches the disk
  await f.close();
  return { configFile, journalFile };
}

describe('TxStartPoint EVConnected after a power loss, the cable still plugged in', () => {
  it('the interrupted transaction (begun at the plug-in, nobody to resume it for) is Ended PowerLoss, and the cable begins no second one', async () => {
    const { configFile, journalFile } = await cutDuring(async (f) => {
      f.sim.connectors[0]!.ev.plugIn();
      await step(f);
      await f.waitForSent('TransactionEvent');
    }, { ResumeTransactionOnPowerLoss: true });
    const journal = await FileJournal.open({ file: journalFile });
    const g = await agent201Fixture({ connectors: 1, configFile, ocpp: { ResumeTransactionOnPowerLoss: true }, agent: () => ({ journal }), beforeAgent: (sim) => sim.connectors[0]!.ev.plugIn() });
    expect(await get(g, 'TxStartPoint')).toBe('EVConnected');
    await step(g);
    await g.waitForSent('TransactionEvent');
    await step(g);
    await g.settle();
    // (seqNo aside: this fixture keeps the seqNos in memory, so the restart numbers the Ended from 0.)
    expect(sequence(g).map((e) => e.slice(1))).toEqual([['Ended', 'AbnormalCondition', undefined, undefined, 'PowerLoss']]);
    expect(g.agent.connectors[0]!.hasTransaction).toBe(false);
    expect(g.agent.connectors[0]!.status).toBe('Preparing');
    // Plugged in again, the cable begins a new transaction.
    g.sim.connectors[0]!.ev.unplug();
    await step(g);
    g.sim.connectors[0]!.ev.plugIn();
    await step(g);
    await g.waitForSent('TransactionEvent', 2);
    expect(sequence(g)[1]).toEqual(BEGUN_AT_PLUG_IN);
    expect(g.sent('TransactionEvent')[1]!.transactionInfo.transactionId).not.toBe(g.sent('TransactionEvent')[0]!.transactionInfo.transactionId);
    await g.close();
    await journal.close();
  });

  it('ResumeTransactionOnPowerLoss: the transaction begun by card and cable goes on under its id, and the cable begins no second one', async () => {
    let transactionId = '';
    const ocpp = { ResumeTransactionOnPowerLoss: true, AllowOfflineTxForUnknownId: true };
    const { configFile, journalFile } = await cutDuring(async (f) => {
      f.sim.rfid.tap(CARD); // the card first: the plug-in begins the transaction with its idToken
      await step(f);
      f.sim.connectors[0]!.ev.plugIn();
      await step(f);
      await f.waitForSent('TransactionEvent');
      expect(f.agent.connectors[0]!.status).toBe('Charging');
      transactionId = f.sent('TransactionEvent')[0]!.transactionInfo.transactionId;
    }, ocpp);
    const journal = await FileJournal.open({ file: journalFile });
    const g = await agent201Fixture({ connectors: 1, configFile, ocpp, agent: () => ({ journal }), beforeAgent: (sim) => sim.connectors[0]!.ev.plugIn() });
    expect(await get(g, 'TxStartPoint')).toBe('EVConnected');
    await step(g);
    await step(g);
    await g.settle();
    expect(g.agent.connectors[0]!.status).toBe('Charging');
    expect(g.sent('TransactionEvent').every((e) => e.transactionInfo.transactionId === transactionId && e.eventType !== 'Started')).toBe(true);
    await g.close();
    await journal.close();
  });
});

describe('across a restart', () => {
  it('the points are stored (GetVariables and GetBaseReport after the restart); a transaction begun at the plug-in without idToken is replayed from the journal, Ended without idToken', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'evse-txpoints-'));
    dirs.push(dir);
    const configFile = join(dir, 'ocpp-config.json');
    const journalFile = join(dir, 'journal.log');
    const before = await FileJournal.open({ file: journalFile });
    const f = await station({ TxStartPoint: 'EVConnected', TxStopPoint: 'EVConnected' }, { configFile, agent: () => ({ journal: before }) });
    // The CSMS goes away; the EV comes and goes: both events wait in the journal.
    await f.csms.close();
    await f.advance(5 * SECOND);
    f.sim.connectors[0]!.ev.plugIn();
    await step(f);
    expect(f.agent.connectors[0]!.hasTransaction).toBe(true);
    await f.close();
    await before.close();

    const after = await FileJournal.open({ file: journalFile });
    const g = await agent201Fixture({ connectors: 1, configFile, agent: () => ({ journal: after }) });
    await step(g);
    await g.waitForSent('TransactionEvent', 2);
    expect(sequence(g)).toEqual([
      BEGUN_AT_PLUG_IN,
      [1, 'Ended', 'AbnormalCondition', undefined, undefined, 'Reboot'],
    ]);
    expect(g.sent('TransactionEvent').every((e) => e.offline === true && e.idToken === undefined)).toBe(true);
    expect(await get(g, 'TxStartPoint')).toBe('EVConnected');
    expect(await get(g, 'TxStopPoint')).toBe('EVConnected');
    expect(await g.call('GetBaseReport', { requestId: 7, reportBase: 'ConfigurationInventory' })).toEqual({ status: 'Accepted' });
    await g.waitForSent('NotifyReport');
    await g.settle();
    const reported = g.sent('NotifyReport').flatMap((r) => r.reportData ?? []).filter((d) => d.component.name === 'TxCtrlr' && d.variable.name.startsWith('Tx'));
    expect(reported.map((d) => [d.variable.name, d.variableAttribute[0]!.value, d.variableAttribute[0]!.persistent])).toEqual([
      ['TxStartPoint', 'EVConnected', true],
      ['TxStopPoint', 'EVConnected', true],
    ]);
    // And in effect: the next plug-in begins a transaction at once.
    g.sim.connectors[0]!.ev.unplug();
    await step(g);
    g.sim.connectors[0]!.ev.plugIn();
    await step(g);
    await g.waitForSent('TransactionEvent', 3);
    expect(sequence(g)[2]).toEqual(BEGUN_AT_PLUG_IN);
    await g.close();
    await after.close();
  });
});

describe('under OCPP 1.6', () => {
  it('the stored points are vendor keys without effect: a 1.6 transaction begins only with an idTag, and a plug-in alone begins nothing', async () => {
    const f = await agentFixture({ ocpp: { TxStartPoint: 'EVConnected', TxStopPoint: 'EnergyTransfer' } });
    expect(await f.csms.call(CP, 'ChangeConfiguration', { key: 'TxStartPoint', value: 'Authorized,EVConnected' })).toEqual({ status: 'Accepted' });
    expect(await f.csms.call(CP, 'ChangeConfiguration', { key: 'TxStartPoint', value: 'DataSigned' })).toEqual({ status: 'Rejected' });
    const ev = f.sim.connectors[0]!.ev;
    ev.plugIn();
    await f.advance(SECOND);
    expect(f.agent.connectors[0]!.status).toBe('Preparing');
    expect(f.agent.connectors[0]!.hasTransaction).toBe(false);
    f.sim.rfid.tap(CARD);
    await f.advance(SECOND);
    ev.suspend(); // EnergyTransfer would end a 2.0.1 transaction here
    await f.advance(SECOND);
    expect(f.agent.connectors[0]!.hasTransaction).toBe(true);
    expect(f.sent('StartTransaction')).toEqual([expect.objectContaining({ connectorId: 1, idTag: CARD })]);
    expect(f.sent('StopTransaction')).toEqual([]);
  });

  it('a cable plugged in before the station started begins nothing with TxStartPoint EVConnected stored', async () => {
    const clock = new SimulatedClock(T0);
    const sim = createSimulatedCharger({ clock, connectors: 1 });
    sim.connectors[0]!.ev.plugIn();
    const f = await agentFixture({ clock, sim, ocpp: { TxStartPoint: 'EVConnected' } });
    await f.advance(2 * SECOND);
    expect(f.agent.connectors[0]!.status).toBe('Preparing');
    expect(f.agent.connectors[0]!.hasTransaction).toBe(false);
    expect(f.sent('StartTransaction')).toEqual([]);
  });
});
