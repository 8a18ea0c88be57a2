/**
 * The smaller OCPP 2.0.1 CSMS calls over a strict 2.0.1 CSMS, each carried out by the service the
 * 1.6 face uses: TriggerMessage, UnlockConnector, ClearCache, SendLocalList / GetLocalListVersion,
 * DataTransfer and GetTransactionStatus.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { agent201Fixture, cleanupAgents201, type Agent201Fixture } from '../../../test/support/agent201Fixture.js';

afterEach(cleanupAgents201);

const SECOND = 1000;
const CARD = '04A1B2C3D4E5F6';

async function cardSession(f: Agent201Fixture, connectorId = 1): Promise<string> {
  f.sim.connectors[connectorId - 1]!.ev.plugIn();
  await f.advance(SECOND);
  f.sim.rfid.tap(CARD);
  await f.advance(SECOND);
  await f.waitForSent('TransactionEvent');
  return f.sent('TransactionEvent')[0]!.transactionInfo.transactionId;
}

describe('TriggerMessage', () => {
  it('sends Heartbeat and StatusNotification after its answer (a status again even when unchanged); BootNotification is Rejected once registered', async () => {
    const f = await agent201Fixture();
    expect(await f.call('TriggerMessage', { requestedMessage: 'Heartbeat' })).toEqual({ status: 'Accepted' });
    await f.waitForSent('Heartbeat');
    expect(await f.call('TriggerMessage', { requestedMessage: 'StatusNotification', evse: { id: 2, connectorId: 1 } })).toEqual({ status: 'Accepted' });
    await f.waitForSent('StatusNotification', 3);
    expect(f.sent('StatusNotification').at(-1)).toMatchObject({ evseId: 2, connectorId: 1, connectorStatus: 'Available' });
    expect(await f.call('TriggerMessage', { requestedMessage: 'BootNotification' })).toEqual({ status: 'Rejected' });
    expect(await f.call('TriggerMessage', { requestedMessage: 'StatusNotification', evse: { id: 3 } })).toEqual({ status: 'Rejected' });
    expect(await f.call('TriggerMessage', { requestedMessage: 'PublishFirmwareStatusNotification' })).toEqual({ status: 'NotImplemented' });
    await f.advance(SECOND);
    expect(f.csms.count('BootNotification')).toBe(1);
  });

  it('TransactionEvent: an Updated event with triggerReason Trigger for the running transaction; Rejected without one', async () => {
    const f = await agent201Fixture({ connectors: 1 });
    expect(await f.call('TriggerMessage', { requestedMessage: 'TransactionEvent' })).toEqual({ status: 'Rejected' });
    const id = await cardSession(f);
    expect(await f.call('TriggerMessage', { requestedMessage: 'TransactionEvent', evse: { id: 1 } })).toEqual({ status: 'Accepted' });
    await f.advance(SECOND);
    await f.waitForSent('TransactionEvent', 2);
    expect(f.sent('TransactionEvent')[1]).toMatchObject({ eventType: 'Updated', seqNo: 1, triggerReason: 'Trigger', transactionInfo: { transactionId: id } });
  });

  it('while Pending: the triggered message goes out before the station is accepted', async () => {
    const f = await agent201Fixture({ boot: false, csms: { boot: (n) => (n === 1 ? { status: 'Pending', interval: 600 } : { interval: 3600 }) } });
    await f.waitForSent('BootNotification');
    await f.advance(0);
    expect(await f.call('TriggerMessage', { requestedMessage: 'Heartbeat' })).toEqual({ status: 'Accepted' });
    await f.waitForSent('Heartbeat');
    expect(await f.call('TriggerMessage', { requestedMessage: 'BootNotification' })).toEqual({ status: 'Accepted' });
    await f.waitForSent('BootNotification', 2);
    expect(f.sent('BootNotification').map((b) => b.reason)).toEqual(['PowerUp', 'Triggered']);
  });
});

describe('UnlockConnector', () => {
  it('unlocks an idle connector, never one under a running transaction, and knows only connector 1 of each EVSE', async () => {
    const f = await agent201Fixture();
    expect(await f.call('UnlockConnector', { evseId: 2, connectorId: 1 })).toEqual({ status: 'Unlocked' });
    expect(await f.call('UnlockConnector', { evseId: 1, connectorId: 2 })).toEqual({ status: 'UnknownConnector' });
    expect(await f.call('UnlockConnector', { evseId: 3, connectorId: 1 })).toEqual({ status: 'UnknownConnector' });
    await cardSession(f, 1);
    expect(await f.call('UnlockConnector', { evseId: 1, connectorId: 1 })).toEqual({ status: 'OngoingAuthorizedTransaction' });
    await f.advance(SECOND);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
  });
});

describe('authorization lists', () => {
  it('ClearCache empties the cache, and is Rejected while the cache is disabled', async () => {
    const f = await agent201Fixture({ connectors: 1 });
    await cardSession(f);
    expect(f.agent.authCache.get(CARD)).toBeDefined();
    expect(await f.call('ClearCache', {})).toEqual({ status: 'Accepted' });
    expect(f.agent.authCache.get(CARD)).toBeUndefined();
    await f.call('SetVariables', { setVariableData: [{ component: { name: 'AuthCacheCtrlr' }, variable: { name: 'Enabled' }, attributeValue: 'false' }] });
    expect(await f.call('ClearCache', {})).toEqual({ status: 'Rejected' });
  });

  it('SendLocalList fills the one local list both versions use; GetLocalListVersion and LocalAuthListCtrlr.Entries report it', async () => {
    const f = await agent201Fixture();
    expect(await f.call('GetLocalListVersion', {})).toEqual({ versionNumber: 0 });
    expect(await f.call('SendLocalList', {
      versionNumber: 5,
      updateType: 'Full',
      localAuthorizationList: [
        { idToken: { idToken: 'AAA', type: 'ISO14443' }, idTokenInfo: { status: 'Accepted' } },
        { idToken: { idToken: 'BBB', type: 'ISO14443' }, idTokenInfo: { status: 'NoCredit' } },
      ],
    })).toEqual({ status: 'Accepted' });
    expect(await f.call('GetLocalListVersion', {})).toEqual({ versionNumber: 5 });
    expect(f.agent.localAuthList.get('AAA', 'ISO14443')).toMatchObject({ status: 'Accepted' });
    expect(f.agent.localAuthList.get('BBB', 'ISO14443')).toMatchObject({ status: 'NoCredit' });
    const { getVariableResult } = await f.call('GetVariables', { getVariableData: [{ component: { name: 'LocalAuthListCtrlr' }, variable: { name: 'Entries' } }] });
    expect(getVariableResult[0]!.attributeValue).toBe('2');
    await f.call('SetVariables', { setVariableData: [{ component: { name: 'LocalAuthListCtrlr' }, variable: { name: 'Enabled' }, attributeValue: 'false' }] });
    expect(await f.call('SendLocalList', { versionNumber: 6, updateType: 'Full' })).toEqual({ status: 'Failed' });
  });
});

describe('DataTransfer and GetTransactionStatus', () => {
  it('DataTransfer reaches the vendor handlers registered on the agent', async () => {
    const f = await agent201Fixture();
    f.agent.vendors.register('com.example', (req) => ({ status: 'Accepted', data: `echo:${req.data ?? ''}` }));
    expect(await f.call('DataTransfer', { vendorId: 'com.example', data: 'hi' as never })).toEqual({ status: 'Accepted', data: 'echo:hi' });
    expect(await f.call('DataTransfer', { vendorId: 'org.unknown' })).toMatchObject({ status: 'UnknownVendorId' });
  });

  it('GetTransactionStatus tells whether messages wait and whether the transaction still runs', async () => {
    const f = await agent201Fixture({ connectors: 1 });
    expect(await f.call('GetTransactionStatus', {})).toEqual({ messagesInQueue: false });
    const id = await cardSession(f);
    expect(await f.call('GetTransactionStatus', { transactionId: id })).toEqual({ ongoingIndicator: true, messagesInQueue: false });
    f.sim.connectors[0]!.ev.unplug();
    await f.advance(SECOND);
    await f.waitForSent('TransactionEvent', 2);
    expect(await f.call('GetTransactionStatus', { transactionId: id })).toEqual({ ongoingIndicator: false, messagesInQueue: false });
  });

  it('GetTransactionStatus counts only the messages of the transaction asked about, all of them without one', async () => {
    let release: (() => void) | undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let hold = false;
    const f = await agent201Fixture({ connectors: 2, csms: { answers: { TransactionEvent: async () => { if (hold) await held; return {}; } } } });
    const first = await cardSession(f, 1);
    await f.settle();
    // The second transaction's Started is sent and not answered: it waits, the first has nothing queued.
    f.sim.connectors[1]!.ev.plugIn();
    await f.advance(SECOND);
    hold = true;
    f.sim.rfid.tap('04C0FFEE');
    f.clock.advance(SECOND); // not advance(): it would wait for the station to be idle, which it is not while the Started waits
    await f.waitForSent('TransactionEvent', 2);
    const second = f.sent('TransactionEvent')[1]!.transactionInfo.transactionId;
    expect(second).not.toBe(first);
    expect(await f.call('GetTransactionStatus', { transactionId: first })).toEqual({ ongoingIndicator: true, messagesInQueue: false });
    expect(await f.call('GetTransactionStatus', { transactionId: second })).toEqual({ ongoingIndicator: true, messagesInQueue: true });
    expect(await f.call('GetTransactionStatus', {})).toEqual({ messagesInQueue: true });
    expect(await f.call('GetTransactionStatus', { transactionId: '123' })).toEqual({ ongoingIndicator: false, messagesInQueue: false });
    release!();
    await f.settle();
    expect(await f.call('GetTransactionStatus', { transactionId: second })).toEqual({ ongoingIndicator: true, messagesInQueue: false });
    expect(await f.call('GetTransactionStatus', {})).toEqual({ messagesInQueue: false });
  });
});
