/**
 * What the station tells a strict 2.0.1 CSMS after an outage, on the virtual clock:
 * OCPPCommCtrlr.OfflineThreshold (B04: every EVSE's status after a long outage, only the changed
 * ones after a short one) and QueueAllMessages (every status change of the outage, in order, with
 * the transaction's events where they belong; a reservation's expiry), both written by SetVariables
 * and kept across a restart with the same configuration file.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { agent201Fixture, cleanupAgents201, type Agent201Fixture } from '../../../test/support/agent201Fixture.js';
import { StubCsms } from '../testing/StubCsms.js';
import type { StatusNotificationRequest, TransactionEventRequest } from '../../ocpp201/messages.js';

const dirs: string[] = [];
afterEach(async () => {
  await cleanupAgents201();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const COMM = { name: 'OCPPCommCtrlr' };

/** The CSMS (`csms`, else the fixture's) goes away; resolves once the station knows (its port, for the CSMS that comes back). */
async function csmsDown(f: Agent201Fixture, csms: StubCsms = f.csms): Promise<number> {
  const { port } = csms;
  await csms.close();
  await vi.waitFor(() => expect(f.agent.link.isAccepted).toBe(false), { timeout: 5000, interval: 5 });
  return port;
}

/** A CSMS on the same port again; resolves once the station is accepted there (no new boot: same profile). */
async function csmsBack(f: Agent201Fixture, port: number): Promise<StubCsms> {
  const back = await StubCsms.start({ port, version: '2.0.1', boot: () => ({ interval: 3600 }) });
  closers.push(back);
  await vi.waitFor(async () => {
    await f.advance(SECOND);
    expect(f.agent.link.isAccepted).toBe(true);
  }, { timeout: 5000, interval: 5 });
  await f.settle();
  return back;
}
const closers: StubCsms[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c.close();
});

const statuses = (csms: StubCsms) => csms.calls.filter((c) => c.action === 'StatusNotification').map((c) => c.params as unknown as StatusNotificationRequest);
const evseStatuses = (csms: StubCsms) => statuses(csms).map((s) => `${s.evseId}:${s.connectorStatus}`);

async function set(f: Agent201Fixture, variable: string, attributeValue: string) {
  const { setVariableResult } = await f.call('SetVariables', { setVariableData: [{ component: COMM, variable: { name: variable }, attributeValue }] });
  return setVariableResult[0]!;
}

describe('OCPPCommCtrlr.OfflineThreshold', () => {
  it('after an outage shorter than OfflineThreshold only the EVSEs whose status changed are reported; after a longer one every EVSE', async () => {
    const f = await agent201Fixture({ connectors: 2 });
    expect(await set(f, 'OfflineThreshold', '60')).toMatchObject({ attributeStatus: 'Accepted' });

    // Short: 10 s without the CSMS, EVSE 1 plugged in meanwhile.
    let port = await csmsDown(f);
    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(9 * SECOND);
    let back = await csmsBack(f, port);
    expect(back.count('BootNotification')).toBe(0);
    expect(evseStatuses(back)).toEqual(['1:Occupied']);

    // Long: two minutes, nothing changed: every EVSE all the same.
    port = await csmsDown(f, back);
    await f.advance(2 * MINUTE, 10 * SECOND);
    back = await csmsBack(f, port);
    expect(evseStatuses(back)).toEqual(['1:Occupied', '2:Available']);

    // Short again, nothing changed: nothing to tell.
    port = await csmsDown(f, back);
    await f.advance(5 * SECOND);
    back = await csmsBack(f, port);
    expect(evseStatuses(back)).toEqual([]);
  });

  it('0 (the default) reports every EVSE after every reconnection, as a boot does', async () => {
    const f = await agent201Fixture({ connectors: 2 });
    const got = await f.call('GetVariables', { getVariableData: [{ component: COMM, variable: { name: 'OfflineThreshold' } }] });
    expect(got.getVariableResult[0]).toMatchObject({ attributeStatus: 'Accepted', attributeValue: '0' });
    const port = await csmsDown(f);
    await f.advance(2 * SECOND);
    const back = await csmsBack(f, port);
    expect(evseStatuses(back)).toEqual(['1:Available', '2:Available']);
  });

  it('takes whole seconds from 0 on: other values are Rejected (InvalidValue)', async () => {
    const f = await agent201Fixture({ connectors: 1 });
    for (const bad of ['-1', '1.5', 'true', 'abc']) expect(await set(f, 'OfflineThreshold', bad)).toMatchObject({ attributeStatus: 'Rejected', attributeStatusInfo: { reasonCode: 'InvalidValue' } });
    expect(f.config.getInt('OfflineThreshold')).toBe(0);
  });
});

describe('OCPPCommCtrlr.QueueAllMessages', () => {
  /** An outage during which EVSE 1 is plugged in, charges on a card, and is unplugged again. */
  async function sessionOffline(f: Agent201Fixture): Promise<StubCsms> {
    const port = await csmsDown(f);
    const c = f.sim.connectors[0]!;
    c.ev.plugIn();
    await f.advance(2 * SECOND);
    f.sim.rfid.tap('04A1B2C3D4E5F6');
    await f.advance(5 * SECOND);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    c.ev.unplug();
    await f.advance(5 * SECOND);
    expect(f.agent.connectors[0]!.status).toBe('Available');
    return csmsBack(f, port);
  }

  /**
   * The order the CSMS got EVSE 1's statuses and transaction events in (causal order is per EVSE:
   * another EVSE's status may come between), then EVSE 2's statuses.
   */
  const story = (csms: StubCsms) => [
    ...csms.calls
      .filter((c) => (c.action === 'StatusNotification' && (c.params as unknown as StatusNotificationRequest).evseId === 1) || c.action === 'TransactionEvent')
      .map((c) => (c.action === 'StatusNotification' ? `1:${(c.params as unknown as StatusNotificationRequest).connectorStatus}` : `tx:${(c.params as unknown as TransactionEventRequest).eventType}`)),
    ...evseStatuses(csms).filter((s) => s.startsWith('2:')),
  ];

  it('true: every status change of the outage goes out after it, in order with the transaction, with the time it happened', async () => {
    const f = await agent201Fixture({ connectors: 2, ocpp: { LocalAuthorizeOffline: true, AllowOfflineTxForUnknownId: true } });
    expect(await set(f, 'QueueAllMessages', 'true')).toMatchObject({ attributeStatus: 'Accepted' });
    const down = f.clock.now();
    const back = await sessionOffline(f);
    expect(story(back)).toEqual(['1:Occupied', 'tx:Started', 'tx:Ended', '1:Available', '2:Available']);
    const [occupied, available] = statuses(back).filter((s) => s.evseId === 1);
    // When it happened, during the outage (not when it was sent).
    expect(Date.parse(occupied!.timestamp)).toBeLessThan(Date.parse(available!.timestamp));
    expect(Date.parse(available!.timestamp)).toBeLessThan(f.clock.now() - SECOND);
    expect(Date.parse(occupied!.timestamp)).toBeGreaterThanOrEqual(down);
  });

  it('false (the default): only the statuses of now after the outage, the transaction events before them', async () => {
    const f = await agent201Fixture({ connectors: 2, ocpp: { LocalAuthorizeOffline: true, AllowOfflineTxForUnknownId: true } });
    const back = await sessionOffline(f);
    expect(story(back)).toEqual(['tx:Started', 'tx:Ended', '1:Available', '2:Available']);
  });

  it('true with a short outage under OfflineThreshold: the queued changes, and no repeat of the statuses the CSMS has', async () => {
    const f = await agent201Fixture({ connectors: 2, ocpp: { LocalAuthorizeOffline: true, AllowOfflineTxForUnknownId: true } });
    expect(await set(f, 'QueueAllMessages', 'true')).toMatchObject({ attributeStatus: 'Accepted' });
    expect(await set(f, 'OfflineThreshold', '600')).toMatchObject({ attributeStatus: 'Accepted' });
    const back = await sessionOffline(f);
    expect(story(back)).toEqual(['1:Occupied', 'tx:Started', 'tx:Ended', '1:Available']);
  });
});

describe('QueueAllMessages and reservations', () => {
  it('a reservation that runs out during an outage: ReservationStatusUpdate Expired after it with QueueAllMessages, none without', async () => {
    for (const queueAll of [true, false]) {
      const f = await agent201Fixture({ connectors: 1, ocpp: { QueueAllMessages: queueAll } });
      const expiryDateTime = new Date(f.clock.now() + MINUTE).toISOString();
      expect(await f.call('ReserveNow', { id: 21, expiryDateTime, idToken: { idToken: 'A1', type: 'Central' }, evseId: 1 })).toEqual({ status: 'Accepted' });
      const port = await csmsDown(f);
      await f.advance(2 * MINUTE, 10 * SECOND);
      expect(f.agent.connectors[0]!.status).toBe('Available');
      const back = await csmsBack(f, port);
      const updates = back.calls.filter((c) => c.action === 'ReservationStatusUpdate').map((c) => c.params);
      expect(updates).toEqual(queueAll ? [{ reservationId: 21, reservationUpdateStatus: 'Expired' }] : []);
      await cleanupAgents201();
    }
  });
});

describe('the values survive a restart', () => {
  it('OfflineThreshold and QueueAllMessages as set, read back by GetVariables and reported by GetBaseReport', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'evse-commctrl-'));
    dirs.push(dir);
    const configFile = join(dir, 'ocpp-config.json');
    const first = await agent201Fixture({ connectors: 1, configFile });
    expect(await set(first, 'OfflineThreshold', '300')).toMatchObject({ attributeStatus: 'Accepted' });
    expect(await set(first, 'QueueAllMessages', 'true')).toMatchObject({ attributeStatus: 'Accepted' });
    expect(await set(first, 'QueueAllMessages', 'maybe')).toMatchObject({ attributeStatus: 'Rejected', attributeStatusInfo: { reasonCode: 'InvalidValue' } });
    await first.close();

    const again = await agent201Fixture({ connectors: 1, configFile });
    const got = await again.call('GetVariables', { getVariableData: [
      { component: COMM, variable: { name: 'OfflineThreshold' } },
      { component: COMM, variable: { name: 'QueueAllMessages' } },
    ] });
    expect(got.getVariableResult.map((r) => r.attributeValue)).toEqual(['300', 'true']);
    expect(await again.call('GetBaseReport', { requestId: 7, reportBase: 'ConfigurationInventory' })).toEqual({ status: 'Accepted' });
    await vi.waitFor(() => expect(again.sent('NotifyReport').at(-1)?.tbc).toBe(false), { timeout: 5000, interval: 5 });
    const reported = again.sent('NotifyReport').flatMap((r) => r.reportData ?? []).filter((d) => d.component.name === 'OCPPCommCtrlr' && ['OfflineThreshold', 'QueueAllMessages'].includes(d.variable.name));
    expect(reported.map((d) => [d.variable.name, d.variableAttribute[0]!.value, d.variableAttribute[0]!.mutability, d.variableAttribute[0]!.persistent, d.variableCharacteristics?.dataType, d.variableCharacteristics?.unit])).toEqual([
      ['OfflineThreshold', '300', 'ReadWrite', true, 'integer', 's'],
      ['QueueAllMessages', 'true', 'ReadWrite', true, 'boolean', undefined],
    ]);
  });
});
