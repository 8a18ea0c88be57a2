/**
 * MQTT commands against a real mosquitto on 127.0.0.1 with an in-process agent (virtual time,
 * simulated hardware, embedded strict CSMS): each command with a valid payload changes the
 * charger and replies ok; an invalid one replies with an error and changes nothing; with the
 * option off nothing is even subscribed.
 */
import { connectAsync } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { agentFixture, CP, startSession } from './support/agentFixture.js';
import type { TelemetryPublisher} from '../agent/telemetry/TelemetryPublisher.js';
import { type TelemetryPublisherOptions } from '../agent/telemetry/TelemetryPublisher.js';
import type { CommandReplyPayload } from '../agent/telemetry/topics.js';
import { JournalError } from '../agent/store/JournalError.js';
import { MemoryJournal, type JournalEntry, type JournalRecord } from '../agent/store/TransactionJournal.js';
import { telemetryTestbed } from './support/telemetryTestbed.js';
import { record, startMosquitto, type Recorder } from './support/mosquitto.js';

const CARD = '04A1B2C3D4E5F6';

/** A journal whose writes and probes fail (ENOSPC) once `failing` is set. */
class FailingJournal extends MemoryJournal {
  failing = false;
  override append(entry: JournalEntry): Promise<JournalRecord> {
    return this.failing ? Promise.reject(new JournalError('JOURNAL_FULL', 'transaction journal is full (test)')) : super.append(entry);
  }
  probe(): Promise<void> {
    return this.failing ? Promise.reject(new JournalError('JOURNAL_FULL', 'transaction journal is full (test)')) : Promise.resolve();
  }
}
const BASE = `test/${CP}`;
const tb = telemetryTestbed({ intervalMs: 0, commands: true });

/** Starts the publisher and waits until its command subscription is in place (its `online` is out). */
async function startPublisher(r: Recorder, opts: Partial<TelemetryPublisherOptions> = {}): Promise<TelemetryPublisher> {
  const publisher = tb.startPublisher(opts);
  await r.waitFor((m) => m.some((x) => x.topic === `${BASE}/online`), 'online');
  if (opts.commands === false) return publisher;
  // The subscription is in place once an (unknown) probe command gets its reply.
  const deadline = performance.now() + 5000;
  while (r.on(`${BASE}/cmd/probe/result`).length === 0) {
    if (performance.now() > deadline) throw new Error('command subscription not confirmed');
    await r.client.publishAsync(`${BASE}/cmd/probe`, '{}', { qos: 1 });
    await new Promise((res) => setTimeout(res, 50));
  }
  return publisher;
}

/** Publishes a command and returns its reply (from `<base>/cmd/<name>/result`). */
async function command(r: Recorder, name: string, body: unknown): Promise<CommandReplyPayload> {
  const topic = `${BASE}/cmd/${name}/result`;
  const before = r.on(topic).length;
  await r.client.publishAsync(`${BASE}/cmd/${name}`, typeof body === 'string' ? body : JSON.stringify(body), { qos: 1 });
  // Real I/O (a CSMS Authorize for start_session) may need the agent to settle.
  const deadline = performance.now() + 5000;
  while (r.on(topic).length === before) {
    if (performance.now() > deadline) throw new Error(`no reply on ${topic}`);
    await tb.f.settle();
    await new Promise((res) => setTimeout(res, 10));
  }
  return r.on<CommandReplyPayload>(topic).at(-1)!;
}

const pilot = () => tb.f.agent.options.hardware.connectors[0]!.pilot;
const connector = () => tb.f.agent.connectors[0]!;

describe('MQTT commands', () => {
  it('set_current_limit changes the PWM offer; invalid limits change nothing', async () => {
    const r = await tb.recorder();
    await startPublisher(r);
    await startSession(tb.f, CARD);
    expect(pilot().currentOfferA).toBe(32);

    for (const bad of [{ connector: 1, amps: 99 }, { connector: 1, amps: -1 }, { connector: 1, amps: '10' }, { connector: 2, amps: 10 }, { connector: 1, amps: 10, extra: 1 }, 'garbage']) {
      const reply = await command(r, 'set_current_limit', bad);
      expect(reply.ok, JSON.stringify(bad)).toBe(false);
      expect(reply.error).toEqual(expect.any(String));
      await tb.f.advance(1000);
      expect(pilot().currentOfferA).toBe(32);
    }

    expect(await command(r, 'set_current_limit', { connector: 1, amps: 10, correlation: 'lim-1' })).toEqual({ ok: true, correlation: 'lim-1' });
    await tb.f.advance(1000);
    expect(pilot().currentOfferA).toBe(10);
    expect(connector().status).toBe('Charging');
  });

  it('set_availability takes a connector out of service and back, persisted; invalid payloads change nothing', async () => {
    const r = await tb.recorder();
    await startPublisher(r);

    expect(await command(r, 'set_availability', { connector: 1, operative: 'no' })).toMatchObject({ ok: false, error: 'operative must be true or false' });
    expect(await command(r, 'set_availability', { connector: 5, operative: false })).toMatchObject({ ok: false, error: expect.stringMatching(/no connector 5/) });
    await tb.f.advance(1000);
    expect(connector().status).toBe('Available');
    expect(tb.f.agent.availability.isOperative(1)).toBe(true);

    expect(await command(r, 'set_availability', { connector: 0, operative: false })).toEqual({ ok: true });
    await tb.f.advance(1000);
    expect(connector().status).toBe('Unavailable');
    expect(tb.f.agent.availability.isOperative(1)).toBe(false);
    expect(tb.f.statusTrail(1).at(-1)).toBe('Unavailable');

    expect(await command(r, 'set_availability', { connector: 1, operative: true })).toEqual({ ok: true });
    await tb.f.advance(1000);
    expect(connector().status).toBe('Available');
    expect(tb.f.agent.availability.isOperative(1)).toBe(true);
  });

  it('set_availability during a session is scheduled until the session ends', async () => {
    const r = await tb.recorder();
    await startPublisher(r);
    await startSession(tb.f, CARD);
    expect(await command(r, 'set_availability', { connector: 1, operative: false })).toEqual({ ok: true, scheduled: true });
    await tb.f.advance(1000);
    expect(connector().status).toBe('Charging');
    tb.f.sim.connectors[0]!.ev.unplug();
    await tb.f.advance(5000);
    expect(connector().status).toBe('Unavailable');
  });

  it('start_session authorizes the idTag like a card and starts where the EV waits', async () => {
    const r = await tb.recorder();
    await startPublisher(r);
    tb.f.csms.setAuthorization((idTag) => (idTag === 'BLOCKED' ? 'Blocked' : 'Accepted'));
    tb.f.sim.connectors[0]!.ev.plugIn();
    await tb.f.advance(1000);
    expect(connector().status).toBe('Preparing');

    for (const bad of [{ idTag: '' }, { idTag: 'X'.repeat(21) }, { idTag: 42 }, { connector: 1 }, { idTag: 'A', connector: 3 }]) {
      expect((await command(r, 'start_session', bad)).ok, JSON.stringify(bad)).toBe(false);
    }
    expect(tb.f.sent('Authorize')).toEqual([]);

    expect(await command(r, 'start_session', { idTag: 'BLOCKED' })).toEqual({ ok: false, error: 'idTag not authorized (Blocked)' });
    await tb.f.advance(1000);
    expect(connector().status).toBe('Preparing');
    expect(tb.f.sent('StartTransaction')).toEqual([]);

    // Authorized by the CSMS even though AuthorizeRemoteTxRequests is false (an MQTT sender is not the CSMS).
    expect(tb.f.config.getBool('AuthorizeRemoteTxRequests')).toBe(false);
    expect(await command(r, 'start_session', { idTag: CARD, correlation: 42 })).toEqual({ ok: true, connector: 1, correlation: 42 });
    await tb.f.advance(2000);
    expect(connector().status).toBe('Charging');
    expect(tb.f.sent('Authorize').map((a) => a.idTag)).toEqual(['BLOCKED', CARD]);
    expect(tb.f.sent('StartTransaction')).toEqual([expect.objectContaining({ connectorId: 1, idTag: CARD })]);

    // Busy connector: refused before asking the CSMS.
    expect(await command(r, 'start_session', { idTag: 'OTHER', connector: 1 })).toEqual({ ok: false, error: 'no session can start on connector 1' });
    expect(tb.f.sent('Authorize')).toHaveLength(2);
  });

  it('start_session is refused while the transaction journal cannot be written: no StartTransaction, the contactor stays open', async () => {
    const journal = new FailingJournal();
    tb.f = await agentFixture({ journal });
    const r = await tb.recorder();
    await startPublisher(r);
    const relay = tb.f.sim.connectors[0]!.relay;
    const relayStates: string[] = [];
    relay.on('state', (s: string) => void relayStates.push(s));
    tb.f.sim.connectors[0]!.ev.plugIn();
    await tb.f.advance(1000);
    journal.failing = true; // after the start-up probe passed: only a probe before the start can find out
    expect(await command(r, 'start_session', { idTag: CARD })).toEqual({ ok: false, error: 'the transaction journal cannot be written' });
    await tb.f.advance(2000);
    expect(tb.f.sent('StartTransaction')).toEqual([]);
    expect(relayStates).toEqual([]);
    expect(tb.f.sent('Authorize')).toEqual([]); // refused before asking the CSMS
  });

  it('start_session is refused while the agent is stopping (its sessions are being ended)', async () => {
    tb.f = await agentFixture({ ocpp: { LocalPreAuthorize: true } });
    const r = await tb.recorder();
    await startPublisher(r);
    await startSession(tb.f, CARD); // CARD is in the cache now: authorized without a round trip
    // The CSMS holds its StopTransaction answer, so the agent stays in stop() until released.
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    tb.f.csms.respondTo('StopTransaction', async (_req, ctx) => {
      await held;
      return ctx.defaultReply();
    });
    const stopping = tb.f.agent.stop({ flushMs: 10_000 });
    await tb.f.csms.waitForCall(CP, 'StopTransaction', undefined, 5000);
    expect(connector().hasTransaction).toBe(false); // Finishing, cable in: a start would be possible but for the stop

    const topic = `${BASE}/cmd/start_session/result`;
    await r.client.publishAsync(`${BASE}/cmd/start_session`, JSON.stringify({ idTag: CARD }), { qos: 1 });
    await r.waitFor(() => r.on(topic).length === 1, 'start_session reply');
    expect(r.on(topic)).toEqual([{ ok: false, error: 'the charger is stopping' }]);
    release();
    await stopping;
    expect(tb.f.sent('StartTransaction')).toHaveLength(1);
    expect(tb.f.sim.connectors[0]!.relay.state).toBe('open');
  });

  it('stop_session stops the running transaction (reason Remote); without one it is an error', async () => {
    const r = await tb.recorder();
    await startPublisher(r);
    expect(await command(r, 'stop_session', { connector: 1 })).toEqual({ ok: false, error: 'no transaction on connector 1' });
    await startSession(tb.f, CARD);
    expect(await command(r, 'stop_session', { connector: '1' })).toMatchObject({ ok: false });
    expect(await command(r, 'stop_session', {})).toMatchObject({ ok: false, error: 'missing field(s): connector' });
    await tb.f.advance(1000);
    expect(connector().status).toBe('Charging');

    expect(await command(r, 'stop_session', { connector: 1 })).toEqual({ ok: true });
    await tb.f.advance(2000);
    expect(connector().hasTransaction).toBe(false);
    expect(tb.f.sent('StopTransaction')).toEqual([expect.objectContaining({ reason: 'Remote' })]);
  });

  it('an unknown command gets an error reply', async () => {
    const r = await tb.recorder();
    await startPublisher(r);
    expect(await command(r, 'reboot', {})).toMatchObject({ ok: false, error: expect.stringMatching(/unknown command "reboot"/) });
  });

  it('ignores commands when the option is off (no reply, no change)', async () => {
    const r = await tb.recorder();
    await startPublisher(r, { commands: false });
    await r.client.publishAsync(`${BASE}/cmd/set_availability`, JSON.stringify({ connector: 1, operative: false }), { qos: 1 });
    await r.client.publishAsync(`${BASE}/cmd/set_current_limit`, JSON.stringify({ connector: 1, amps: 6 }), { qos: 1 });
    await new Promise((res) => setTimeout(res, 500));
    await tb.f.advance(1000);
    expect(r.messages.filter((m) => m.topic.endsWith('/result'))).toEqual([]);
    expect(connector().status).toBe('Available');
    expect(tb.f.agent.availability.isOperative(1)).toBe(true);
  });

  it('replies on the MQTT 5 response topic with the correlation data; never into its own state topics', async () => {
    const r = await tb.recorder();
    await startPublisher(r, { mqtt: { url: tb.broker.url, reconnectMs: 200, protocolVersion: 5 } });
    const caller = await connectAsync(tb.broker.url, { protocolVersion: 5, clientId: `caller-${process.pid}` });
    tb.clients.push(caller);
    const got: { topic: string; body: CommandReplyPayload; correlation?: string }[] = [];
    caller.on('message', (topic, payload, packet) => got.push({ topic, body: JSON.parse(payload.toString()) as CommandReplyPayload, correlation: packet.properties?.correlationData?.toString() }));
    await caller.subscribeAsync('replies/#', { qos: 1 });

    await caller.publishAsync(`${BASE}/cmd/set_current_limit`, JSON.stringify({ connector: 1, amps: 16 }), { qos: 1, properties: { responseTopic: 'replies/me', correlationData: Buffer.from('req-7') } });
    const deadline = performance.now() + 5000;
    while (got.length === 0 && performance.now() < deadline) await new Promise((res) => setTimeout(res, 10));
    expect(got).toEqual([{ topic: 'replies/me', body: { ok: true }, correlation: 'req-7' }]);

    // A response topic inside the agent's own tree (here its status) falls back to the default.
    await caller.publishAsync(`${BASE}/cmd/stop_session`, JSON.stringify({ connector: 1 }), { qos: 1, properties: { responseTopic: `${BASE}/status` } });
    await r.waitFor(() => r.on(`${BASE}/cmd/stop_session/result`).length === 1, 'fallback reply');
    expect(r.messages.filter((m) => m.topic === `${BASE}/status` && !('status' in (m.json as object)))).toEqual([]);
  });
});

describe('MQTT commands behind a broker topic ACL (the example of docs/mqtt.md)', () => {
  const ACL = [
    'user evse-AGENT-T1',
    'topic write test/AGENT-T1/#',
    'topic read test/AGENT-T1/cmd/+',
    '',
    'user energy-manager',
    'topic write test/+/cmd/+',
    'topic read test/#',
    '',
    'user dashboard',
    'topic read test/#',
    '',
  ].join('\n');
  const USERS = { 'evse-AGENT-T1': 'cp-secret', 'energy-manager': 'em-secret', dashboard: 'db-secret' };

  it('only a client allowed to write cmd/ can command the charger', async () => {
    const secured = await startMosquitto({ users: USERS, acl: ACL });
    try {
      const manager = await record(secured.url, 'test/#', { username: 'energy-manager', password: 'em-secret' });
      const dashboard = await record(secured.url, 'test/#', { username: 'dashboard', password: 'db-secret' });
      tb.recorders.push(manager, dashboard);
      tb.startPublisher({ mqtt: { url: secured.url, reconnectMs: 200, username: 'evse-AGENT-T1', password: 'cp-secret' } });
      await manager.waitFor((m) => m.some((x) => x.topic === `${BASE}/online`), 'online');
      // Subscription in place: the manager's probe gets its reply.
      const deadline = performance.now() + 5000;
      while (manager.on(`${BASE}/cmd/probe/result`).length === 0) {
        if (performance.now() > deadline) throw new Error('command subscription not confirmed');
        await manager.client.publishAsync(`${BASE}/cmd/probe`, '{}', { qos: 1 });
        await new Promise((res) => setTimeout(res, 50));
      }

      // The dashboard may read but not write cmd/: the broker drops its command.
      await dashboard.client.publishAsync(`${BASE}/cmd/set_availability`, JSON.stringify({ connector: 1, operative: false, correlation: 'db' }), { qos: 1 });
      await new Promise((res) => setTimeout(res, 500));
      await tb.f.advance(1000);
      expect(connector().status).toBe('Available');
      expect(manager.on<CommandReplyPayload>(`${BASE}/cmd/set_availability/result`)).toEqual([]);

      await manager.client.publishAsync(`${BASE}/cmd/set_availability`, JSON.stringify({ connector: 1, operative: false, correlation: 'em' }), { qos: 1 });
      await manager.waitFor(() => manager.on(`${BASE}/cmd/set_availability/result`).length === 1, 'reply to the manager');
      expect(manager.on(`${BASE}/cmd/set_availability/result`)).toEqual([{ ok: true, correlation: 'em' }]);
      await tb.f.advance(1000);
      expect(connector().status).toBe('Unavailable');
      // Telemetry itself still flows under the charger's own ACL.
      expect(dashboard.on(`${BASE}/connector/1/status`).at(-1)).toMatchObject({ status: 'Unavailable' });
    } finally {
      const p = tb.publisher;
      tb.publisher = undefined;
      if (p) await Promise.race([p.stop(), new Promise((r) => setTimeout(r, 3000))]);
      p?.client.end(true);
      await secured.close();
    }
  });
});
