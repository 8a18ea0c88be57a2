/**
 * OcppLink against a real strict ocpp-rpc server on 127.0.0.1, with virtual time: connection
 * management, registration (OCPP 1.6 §4.2), heartbeats and stop().
 */
import { afterEach, describe, expect, it } from 'vitest';
import { StubCsms } from './testing/StubCsms.js';
import { BOOT, cleanupLinks, eventually, freePort, linkFixture, quiet } from './testing/linkFixture.js';

afterEach(cleanupLinks);

const STATUS = { connectorId: 1, errorCode: 'NoError', status: 'Available' } as const;

describe('OcppLink registration', () => {
  it('boots, takes the heartbeat interval from an Accepted answer and beats on the clock', async () => {
    const f = await linkFixture({ csms: { boot: () => ({ status: 'Accepted', interval: 60 }) } });
    const accepted = new Promise((resolve) => f.link.once('accepted', resolve));
    f.link.start();
    expect(f.link.state).toBe('connecting');
    expect(await accepted).toMatchObject({ status: 'Accepted', interval: 60 });
    expect(f.states).toEqual(['connecting', 'booting', 'accepted']);
    expect(f.link.isAccepted).toBe(true);
    expect(f.csms().calls[0]).toEqual({ action: 'BootNotification', params: BOOT, identity: 'CP1' });
    expect(f.config.getInt('HeartbeatInterval')).toBe(60);
    await f.idle();

    f.clock.advance(59_999);
    await quiet();
    expect(f.csms().count('Heartbeat')).toBe(0);
    f.clock.advance(1);
    await eventually(() => expect(f.csms().count('Heartbeat')).toBe(1));
    await f.idle();
    f.clock.advance(60_000);
    await eventually(() => expect(f.csms().count('Heartbeat')).toBe(2));
    await f.idle();

    // A HeartbeatInterval changed by the CSMS applies at once, not after the old interval.
    expect(await f.csms().client.call('ChangeConfiguration', { key: 'HeartbeatInterval', value: '10' })).toEqual({ status: 'Accepted' });
    f.clock.advance(10_000);
    await eventually(() => expect(f.csms().count('Heartbeat')).toBe(3));
  });

  it('answers the CSMS while Pending, sends only what TriggerMessage asked for, boots again after `interval`', async () => {
    const f = await linkFixture({ csms: { boot: (n) => (n === 1 ? { status: 'Pending', interval: 20 } : { status: 'Accepted', interval: 300 }) } });
    f.link.start();
    await f.until('pending');
    await expect(f.link.call('Heartbeat', {})).rejects.toMatchObject({ name: 'OcppLinkError', code: 'NOT_ACCEPTED' });

    const cp = f.csms().client;
    expect(await cp.call('GetConfiguration', { key: ['HeartbeatInterval'] })).toEqual({ configurationKey: [{ key: 'HeartbeatInterval', readonly: false, value: '300' }] });
    expect(await cp.call('RemoteStartTransaction', { idTag: 'TAG1' })).toEqual({ status: 'Rejected' });
    expect(await cp.call('RemoteStopTransaction', { transactionId: 1 })).toEqual({ status: 'Rejected' });
    expect(f.control.of('remoteStart')).toEqual([]);
    expect(f.control.of('remoteStop')).toEqual([]);

    expect(await cp.call('TriggerMessage', { requestedMessage: 'StatusNotification', connectorId: 1 })).toEqual({ status: 'Accepted' });
    expect(f.control.of('trigger')).toEqual([['StatusNotification', 1]]);
    await expect(f.link.call('StatusNotification', STATUS)).resolves.toEqual({});
    await expect(f.link.call('StatusNotification', STATUS)).rejects.toMatchObject({ code: 'NOT_ACCEPTED' });
    expect(f.csms().count('StatusNotification')).toBe(1);

    f.clock.advance(19_999);
    await quiet();
    expect(f.csms().count('BootNotification')).toBe(1);
    f.clock.advance(1);
    await f.until('accepted');
    expect(f.csms().count('BootNotification')).toBe(2);
    expect(f.states).toEqual(['connecting', 'booting', 'pending', 'booting', 'accepted']);
  });

  it('lets a TriggerMessage for all connectors send one StatusNotification per connector and one for the charger', async () => {
    const f = await linkFixture({ connectors: 2, csms: { boot: () => ({ status: 'Pending', interval: 600 }) } });
    f.link.start();
    await f.until('pending');
    expect(await f.csms().client.call('TriggerMessage', { requestedMessage: 'StatusNotification' })).toEqual({ status: 'Accepted' });
    for (const connectorId of [0, 1, 2]) await f.link.call('StatusNotification', { ...STATUS, connectorId });
    await expect(f.link.call('StatusNotification', STATUS)).rejects.toMatchObject({ code: 'NOT_ACCEPTED' });
  });

  it('neither sends nor answers while Rejected, then boots again after `interval`', async () => {
    const f = await linkFixture({ csms: { boot: (n) => (n === 1 ? { status: 'Rejected', interval: 30 } : { status: 'Accepted' }) } });
    f.link.start();
    await f.until('rejected');
    const cp = f.csms().client;
    await expect(cp.call('GetConfiguration', {}, { callTimeoutMs: 300 })).rejects.toThrow(/timeout/i);
    await expect(cp.call('Reset', { type: 'Hard' }, { callTimeoutMs: 300 })).rejects.toThrow(/timeout/i);
    expect(f.control.calls).toEqual([]);
    expect(f.csms().frames.filter((frame) => Array.isArray(frame) && frame[0] !== 2)).toEqual([]); // no CALLRESULT/CALLERROR at all
    await expect(f.link.call('Heartbeat', {})).rejects.toMatchObject({ code: 'NOT_ACCEPTED' });
    await expect(f.link.call('BootNotification', BOOT)).rejects.toMatchObject({ code: 'NOT_ACCEPTED' });
    expect(f.link.pendingCalls).toBe(0);

    f.clock.advance(29_999);
    await quiet();
    expect(f.csms().count('BootNotification')).toBe(1);
    f.clock.advance(1);
    await f.until('accepted');
    expect(f.csms().count('BootNotification')).toBe(2);
  });

  it('keeps the Rejected interval across a new connection', async () => {
    const f = await linkFixture({ csms: { boot: (n) => (n === 1 ? { status: 'Rejected', interval: 60 } : { status: 'Accepted' }) } });
    f.link.start();
    await f.until('rejected');
    await f.csms().client.close({ code: 1001 });
    await eventually(() => expect(f.reconnecting).toHaveLength(1));
    f.clock.advance(f.reconnecting[0]!.delayMs);
    await eventually(() => expect(f.csms().clients).toHaveLength(2));
    await f.until('rejected'); // new socket, same verdict: no BootNotification before the interval
    f.clock.advance(60_000 - f.reconnecting[0]!.delayMs - 1);
    await quiet();
    expect(f.csms().count('BootNotification')).toBe(1);
    f.clock.advance(1);
    await f.until('accepted');
    expect(f.csms().count('BootNotification')).toBe(2);
  });

  it('chooses its own growing back-off when Pending comes with interval 0', async () => {
    const f = await linkFixture({
      csms: { boot: (n) => (n < 3 ? { status: 'Pending', interval: 0 } : { status: 'Accepted' }) },
      link: { bootRetry: { initialDelayMs: 4000, maxDelayMs: 60_000 }, random: () => 0 },
    });
    f.link.start();
    await f.until('pending');
    f.clock.advance(1999); // equal jitter with random 0: half the 4 s window
    await quiet();
    expect(f.csms().count('BootNotification')).toBe(1);
    f.clock.advance(1);
    await eventually(() => expect(f.csms().count('BootNotification')).toBe(2));
    await f.until('pending');
    f.clock.advance(3999); // then half of 8 s
    await quiet();
    expect(f.csms().count('BootNotification')).toBe(2);
    f.clock.advance(1);
    await f.until('accepted');
  });

  it('boots again when the charger asks for it (TriggerMessage BootNotification)', async () => {
    const f = await linkFixture();
    let accepted = 0;
    f.link.on('accepted', () => void accepted++);
    f.link.start();
    await f.until('accepted');
    await f.link.sendBootNotification();
    expect(f.csms().count('BootNotification')).toBe(2);
    expect(accepted).toBe(2);
  });

  it('survives a boot payload factory that throws: retries with back-off, never rejects', async () => {
    let fail = true;
    const f = await linkFixture({
      link: {
        boot: () => {
          if (fail) throw new Error('serial number unreadable');
          return BOOT;
        },
        bootRetry: { initialDelayMs: 2000, maxDelayMs: 2000 },
        random: () => 1,
      },
    });
    f.link.start();
    await eventually(() => expect(f.errors.map((e) => e.message)).toEqual(['serial number unreadable']));
    await expect(f.link.sendBootNotification()).resolves.toBeUndefined();
    expect(f.link.state).toBe('booting');
    fail = false;
    f.clock.advance(2000);
    await f.until('accepted');
  });

  it('sends the Basic-auth password with the identity', async () => {
    const f = await linkFixture({ link: { password: 's3cret' } });
    f.link.start();
    await f.until('accepted');
    expect(f.csms().handshakes).toEqual([{ identity: 'CP1', password: 's3cret' }]);
  });
});

describe('OcppLink connection management', () => {
  it('retries an unreachable CSMS with exponential back-off on the clock until it comes up', async () => {
    const port = await freePort();
    const f = await linkFixture({ csms: false, url: `ws://127.0.0.1:${port}/ocpp` });
    f.link.start();
    const expected = [1000, 2000, 4000, 8000, 8000];
    for (let i = 0; i < expected.length; i++) {
      await eventually(() => expect(f.reconnecting).toHaveLength(i + 1));
      expect(f.reconnecting[i]).toEqual({ attempt: i + 1, delayMs: expected[i] });
      expect(f.link.state).toBe('connecting');
      if (i === expected.length - 1) break;
      f.clock.advance(expected[i]! - 1);
      await quiet(20);
      expect(f.reconnecting).toHaveLength(i + 1); // not a millisecond early
      f.clock.advance(1);
    }
    expect(f.errors.map((e) => (e as { code?: string }).code)).toEqual(Array(5).fill('CONNECT_FAILED'));

    const csms = await StubCsms.start({ port });
    try {
      f.clock.advance(8000);
      await f.until('accepted');
      // An answered boot makes the connection stable: the next loss starts from the first window.
      await csms.client.close({ code: 1001 });
      await eventually(() => expect(f.reconnecting).toHaveLength(6));
      expect(f.reconnecting[5]).toEqual({ attempt: 1, delayMs: 1000 });
    } finally {
      await f.link.stop();
      await csms.close();
    }
  });

  it('reconnects after the CSMS closes the socket and boots again', async () => {
    const f = await linkFixture();
    f.link.start();
    await f.until('accepted');
    expect(f.clock.pendingTimers).toBe(1); // the heartbeat
    await f.csms().client.close({ code: 1001, reason: 'maintenance' });
    await eventually(() => expect(f.disconnected).toEqual([{ code: 1001, reason: 'maintenance' }]));
    expect(f.link.state).toBe('connecting');
    expect(f.clock.pendingTimers).toBe(1); // the reconnect timer only: no heartbeat while offline
    await expect(f.link.call('Heartbeat', {})).rejects.toMatchObject({ code: 'NOT_CONNECTED' });

    f.clock.advance(999);
    await quiet();
    expect(f.csms().clients).toHaveLength(1);
    f.clock.advance(1);
    await f.until('accepted');
    expect(f.csms().clients).toHaveLength(2);
    expect(f.csms().count('BootNotification')).toBe(2);
  });

  it('waits RetryBackOffWaitMinimum plus a random part of up to RetryBackOffRandomRange, doubling RetryBackOffRepeatTimes times, then stays (random from the injected source)', async () => {
    const port = await freePort();
    const f = await linkFixture({ csms: false, url: `ws://127.0.0.1:${port}/ocpp`, link: { random: () => 0.25 }, ocpp: { RetryBackOffWaitMinimum: 2, RetryBackOffRandomRange: 4, RetryBackOffRepeatTimes: 2 } });
    f.link.start();
    // 2 s · 2^min(n, 2) + 0.25 · 4 s: 3 s, 5 s, 9 s, 9 s
    const expected = [3000, 5000, 9000, 9000];
    for (let i = 0; i < expected.length; i++) {
      await eventually(() => expect(f.reconnecting).toHaveLength(i + 1));
      expect(f.reconnecting[i]).toEqual({ attempt: i + 1, delayMs: expected[i] });
      f.clock.advance(expected[i]! - 1);
      await quiet(20);
      expect(f.reconnecting).toHaveLength(i + 1); // not a millisecond early
      // The keys are read at every attempt: a change (ChangeConfiguration, SetVariables) applies to the next wait.
      if (i === expected.length - 1) expect(await f.config.change('RetryBackOffRandomRange', '0')).toBe('Accepted');
      f.clock.advance(1);
    }
    await eventually(() => expect(f.reconnecting).toHaveLength(5));
    expect(f.reconnecting[4]).toEqual({ attempt: 5, delayMs: 8000 });
  });
});

describe('OcppLink.stop()', () => {
  it('closes the socket, cancels every timer and refuses further calls; start() works again', async () => {
    const f = await linkFixture();
    f.link.start();
    await f.until('accepted');
    const closed = new Promise((resolve) => f.csms().client.once('close', resolve));
    await f.link.stop();
    expect(f.link.state).toBe('stopped');
    expect(f.clock.pendingTimers).toBe(0);
    expect(await closed).toMatchObject({ code: 1000 });
    await expect(f.link.call('Heartbeat', {})).rejects.toMatchObject({ code: 'STOPPED' });
    expect(f.link.stop()).toBe(f.link.stop()); // idempotent

    f.link.start();
    await f.until('accepted');
    expect(f.csms().count('BootNotification')).toBe(2);
  });

  it('cancels a pending reconnect', async () => {
    const port = await freePort();
    const f = await linkFixture({ csms: false, url: `ws://127.0.0.1:${port}/ocpp` });
    f.link.start();
    await eventually(() => expect(f.reconnecting).toHaveLength(1));
    await f.link.stop();
    expect(f.clock.pendingTimers).toBe(0);
    f.clock.advance(60_000);
    await quiet();
    expect(f.reconnecting).toHaveLength(1);
  });

  it('rejects a call in flight and does not wait for a handler that hangs', async () => {
    const f = await linkFixture({ csms: { answers: { Heartbeat: () => new Promise(() => undefined) } } });
    f.control.overrides.unlockConnector = () => new Promise(() => undefined);
    f.link.start();
    await f.until('accepted');
    const inFlight = f.link.call('Heartbeat', {});
    void f.csms().client.call('UnlockConnector', { connectorId: 1 }).catch(() => undefined);
    await eventually(() => expect(f.control.of('unlockConnector')).toHaveLength(1));
    await eventually(() => expect(f.csms().count('Heartbeat')).toBe(1));
    await f.link.stop();
    await expect(inFlight).rejects.toMatchObject({ code: 'STOPPED' });
    expect(f.clock.pendingTimers).toBe(0);
  });
});
