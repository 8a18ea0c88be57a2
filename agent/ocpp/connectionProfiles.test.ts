/**
 * Connection profiles over real WebSockets on 127.0.0.1 against strict ocpp-rpc CSMSs, on the
 * virtual clock: a primary CSMS that is down, a fallback that is up; NetworkProfileConnectionAttempts
 * failed attempts on one profile move to the next, NetworkConfigurationPriority orders them, and a
 * lost connection starts again with the most preferred one (OCPP 1.6 here, as keys from the
 * settings; OCPP 2.0.1 through the device model below).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { agent201Fixture, cleanupAgents201, CP201 } from '../../test/support/agent201Fixture.js';
import { StubCsms } from './testing/StubCsms.js';
import { cleanupLinks, eventually, freePort, linkFixture, quiet } from './testing/linkFixture.js';

afterEach(cleanupLinks);
afterEach(cleanupAgents201);

const stubs: StubCsms[] = [];
afterEach(async () => {
  for (const s of stubs.splice(0)) await s.close();
});
async function stub(opts: Parameters<typeof StubCsms.start>[0] = {}): Promise<StubCsms> {
  const s = await StubCsms.start(opts);
  stubs.push(s);
  return s;
}

describe('connection profiles (OCPP 1.6: csms.fallbackUrls and the keys)', () => {
  it('moves to the fallback after NetworkProfileConnectionAttempts failures, and back to the primary when that connection is lost', async () => {
    const primaryPort = await freePort();
    const fallback = await stub();
    const f = await linkFixture({
      csms: false,
      url: `ws://127.0.0.1:${primaryPort}/ocpp`,
      link: { fallbackUrls: [fallback.url] },
      readonlyValues: { NetworkConnectionProfiles: 2 },
      ocpp: { NetworkProfileConnectionAttempts: 2 },
    });
    f.link.start();
    // Two attempts on the primary (the first at once, the second after 1 s) …
    await eventually(() => expect(f.reconnecting).toEqual([{ attempt: 1, delayMs: 1000 }]));
    f.clock.advance(1000);
    await eventually(() => expect(f.reconnecting).toHaveLength(2));
    expect(f.reconnecting[1]).toEqual({ attempt: 2, delayMs: 2000 }); // the back-off goes on across profiles
    expect(f.errors.map((e) => e.message)).toEqual([expect.stringContaining(`:${primaryPort}/`), expect.stringContaining(`:${primaryPort}/`)]);
    expect(fallback.handshakes).toEqual([]);
    // … then the fallback.
    f.clock.advance(2000);
    await f.until('accepted');
    expect(fallback.handshakes).toEqual([{ identity: 'CP1', password: undefined }]);
    expect(fallback.count('BootNotification')).toBe(1);

    // The primary is back; the fallback drops the connection: the charger tries the primary first.
    const primary = await stub({ port: primaryPort });
    await fallback.client.close({ code: 1001 });
    await eventually(() => expect(f.reconnecting).toHaveLength(3));
    expect(f.reconnecting[2]).toEqual({ attempt: 1, delayMs: 1000 }); // the CSMS had answered: the count starts again
    f.clock.advance(1000);
    await f.until('accepted');
    expect(primary.count('BootNotification')).toBe(1);
    expect(fallback.clients).toHaveLength(1);
  });

  it('tries the slots in the order of NetworkConfigurationPriority; a slot the charger lacks is Rejected', async () => {
    const primary = await stub();
    const fallback = await stub();
    const f = await linkFixture({ csms: false, url: primary.url, link: { fallbackUrls: [fallback.url] }, readonlyValues: { NetworkConnectionProfiles: 2 } });
    expect(await f.config.change('NetworkConfigurationPriority', '3,1')).toBe('Rejected');
    expect(await f.config.change('NetworkConfigurationPriority', '2,1')).toBe('Accepted');
    f.link.start();
    await f.until('accepted');
    expect(fallback.count('BootNotification')).toBe(1);
    expect(primary.handshakes).toEqual([]);
    // With "1" only the primary is tried, NetworkProfileConnectionAttempts (3) times; then the station
    // falls back to the profile of its last accepted connection, slot 2 (B10.FR.07).
    expect(await f.config.change('NetworkConfigurationPriority', '1')).toBe('Accepted');
    await primary.close();
    await fallback.client.close({ code: 1001 });
    for (let i = 0; i < 3; i++) {
      await eventually(() => expect(f.reconnecting).toHaveLength(i + 1));
      await quiet();
      expect(fallback.clients).toHaveLength(1);
      f.clock.advance(f.reconnecting[i]!.delayMs);
    }
    await eventually(() => expect(f.reconnecting).toHaveLength(4)); // the third attempt on slot 1 failed
    f.clock.advance(f.reconnecting[3]!.delayMs);
    await f.until('accepted');
    expect(fallback.clients).toHaveLength(2);
    expect(f.errors.filter((e) => e.message.includes(`:${new URL(primary.url).port}/`))).toHaveLength(3);
  });
});

describe('connection profiles and the back-off through the OCPP 2.0.1 device model', () => {
  it('SetVariables of the RetryBackOff* and NetworkProfile* variables govern the next reconnect; the fallback takes over with a new boot (B10.FR.10)', async () => {
    const fallback = await stub({ version: '2.0.1' });
    const f = await agent201Fixture({ fallbackUrls: [fallback.url] });
    const get = (name: string) => ({ component: { name: 'OCPPCommCtrlr' }, variable: { name } });
    const set = (name: string, attributeValue: string) => ({ component: { name: 'OCPPCommCtrlr' }, variable: { name }, attributeValue });
    const { setVariableResult } = await f.call('SetVariables', {
      setVariableData: [
        set('RetryBackOffWaitMinimum', '2'),
        set('RetryBackOffRandomRange', '1'),
        set('RetryBackOffRepeatTimes', '1'),
        set('NetworkProfileConnectionAttempts', '1'),
        set('NetworkConfigurationPriority', '1,3'),
        set('NetworkConfigurationPriority', '1,2'),
        set('RetryBackOffWaitMinimum', '-1'),
      ],
    });
    expect(setVariableResult.map((r) => r.attributeStatus)).toEqual(['Accepted', 'Accepted', 'Accepted', 'Accepted', 'Rejected', 'Accepted', 'Rejected']);
    const { getVariableResult } = await f.call('GetVariables', {
      getVariableData: [get('RetryBackOffWaitMinimum'), get('RetryBackOffRandomRange'), get('RetryBackOffRepeatTimes'), get('NetworkConfigurationPriority'), get('NetworkProfileConnectionAttempts'), get('ActiveNetworkProfile')],
    });
    expect(getVariableResult.map((r) => r.attributeValue)).toEqual(['2', '1', '1', '1,2', '1', '1']);

    const reconnecting: { attempt: number; delayMs: number }[] = [];
    f.agent.link.on('reconnecting', (r) => void reconnecting.push(r));
    await f.csms.close(); // the primary goes away
    // 2 s + the random part (the fixture's random source gives all of RandomRange: 1 s); one attempt, then the fallback after 2·2 s + 1 s.
    await eventually(() => expect(reconnecting).toEqual([{ attempt: 1, delayMs: 3000 }]));
    await f.advance(3000);
    await eventually(() => expect(reconnecting).toEqual([{ attempt: 1, delayMs: 3000 }, { attempt: 2, delayMs: 5000 }]));
    expect(fallback.handshakes).toEqual([]);
    await f.advance(5000);
    await eventually(() => expect(fallback.count('StatusNotification')).toBe(2)); // both EVSEs again, on the new connection
    expect(fallback.handshakes.map((h) => h.identity)).toEqual([CP201]);
    // Another connection profile (another CSMS): the station boots there (B10.FR.10), reason PowerUp as at its start.
    expect(fallback.count('BootNotification')).toBe(1);
    expect(f.agent.link.state).toBe('accepted');
    const active = await fallback.client.call('GetVariables', { getVariableData: [get('ActiveNetworkProfile')] }) as { getVariableResult: { attributeValue?: string }[] };
    expect(active.getVariableResult[0]!.attributeValue).toBe('2');
  });
});

describe('returning to the preferred connection profile', () => {
  it('while on a fallback, the preferred profile is probed every preferredProbeIntervalMs; once it answers the station moves back and boots there', async () => {
    const fallback = await stub({ version: '2.0.1' });
    const f = await agent201Fixture({
      fallbackUrls: [fallback.url],
      ocpp: { NetworkProfileConnectionAttempts: 1 },
      agent: ({ csmsUrl }) => ({ csms: { url: csmsUrl, fallbackUrls: [fallback.url], callTimeoutMs: 10_000, preferredProbeIntervalMs: 60_000 } }),
    });
    const port = Number(new URL(f.csms.url).port);
    await f.csms.close(); // the primary goes away: one attempt there, then the fallback
    await vi.waitFor(async () => {
      await f.advance(1000);
      expect(fallback.count('StatusNotification')).toBe(2);
    }, { timeout: 5000, interval: 20 });
    expect(f.agent.link.connectionSlot).toBe(2);
    expect(fallback.count('BootNotification')).toBe(1); // another profile: a boot there (B10.FR.10)

    // A probe while the primary is still down changes nothing.
    await f.advance(60_000);
    await quiet();
    expect(f.agent.link.connectionSlot).toBe(2);
    expect(fallback.clients).toHaveLength(1);

    const primary = await stub({ version: '2.0.1', port });
    await f.advance(60_000); // the next probe: the primary answers the handshake
    await vi.waitFor(async () => {
      await f.advance(1000);
      expect(primary.count('BootNotification')).toBe(1);
    }, { timeout: 5000, interval: 20 });
    expect(f.agent.link.connectionSlot).toBe(1);
    expect(primary.handshakes).toHaveLength(2); // the probe (closed before any message) and the connection
    expect(primary.calls.map((c) => c.action).slice(0, 1)).toEqual(['BootNotification']);
  });
});
