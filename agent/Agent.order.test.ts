/**
 * Causal order per connector (DESIGN.md §11), as the strict CSMS receives it over the socket:
 * StartTransaction before the first status of its session, StopTransaction before the
 * Finishing/Available/Unavailable that follow the stop, also across a reconnect; statuses of other
 * connectors wait for nothing; MinimumStatusDuration drops statuses that did not last.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { agentFixture, cleanupAgents, CP, reconnectPending, startSession, type AgentFixture } from '../test/support/agentFixture.js';
import { callError } from '../scenarios/csms/EmbeddedCsms.js';

afterEach(cleanupAgents);

const CARD = '04A1B2C3D4E5F6';
const MINUTE = 60_000;

/** What the CSMS received from the charger for one connector, in arrival order: actions, statuses by name. */
function trail(f: AgentFixture, connectorId = 1): string[] {
  const txIds = new Set(f.csms.transactions(CP).filter((t) => t.connectorId === connectorId).map((t) => t.transactionId));
  return f.csms
    .traffic((r) => r.chargePointId === CP && r.direction === 'in' && r.kind === 'call')
    .flatMap((r) => {
      const p = r.payload as { connectorId?: number; status?: string; transactionId?: number };
      if (r.action === 'StatusNotification') return p.connectorId === connectorId ? [p.status!] : [];
      if (r.action === 'StartTransaction') return p.connectorId === connectorId ? ['StartTransaction'] : [];
      if (r.action === 'StopTransaction') return p.transactionId !== undefined && txIds.has(p.transactionId) ? ['StopTransaction'] : [];
      return [];
    });
}

/** The part of a trail from the first occurrence of `from` on. */
const from = (t: string[], first: string) => t.slice(t.indexOf(first));

describe('messages of one connector leave in the order things happened', () => {
  it('a card start: StartTransaction before SuspendedEV and Charging', async () => {
    const f = await agentFixture();
    await startSession(f, CARD);
    expect(trail(f)).toEqual(['Available', 'Preparing', 'StartTransaction', 'SuspendedEV', 'Charging']);
  });

  it('unplugging: StopTransaction before Available', async () => {
    const f = await agentFixture();
    await startSession(f, CARD);
    f.sim.connectors[0]!.ev.unplug();
    await f.advance(1000);
    expect(from(trail(f), 'StopTransaction')).toEqual(['StopTransaction', 'Available']);
  });

  it('a card stop, a remote stop and a reset: StopTransaction before Finishing', async () => {
    const f = await agentFixture();
    await startSession(f, CARD);
    f.sim.rfid.tap(CARD);
    await f.advance(1000);
    expect(from(trail(f), 'StopTransaction')).toEqual(['StopTransaction', 'Finishing']);

    f.sim.rfid.tap(CARD);
    await f.advance(1000);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    const [, second] = f.csms.transactions(CP);
    await f.csms.call(CP, 'RemoteStopTransaction', { transactionId: second!.transactionId });
    await f.advance(1000);
    expect(trail(f).slice(-2)).toEqual(['StopTransaction', 'Finishing']);

    f.sim.rfid.tap(CARD);
    await f.advance(1000);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    await f.csms.call(CP, 'Reset', { type: 'Soft' });
    await f.advance(5000);
    const last = f.csms.transactions(CP).at(-1)!;
    expect(last.stop).toMatchObject({ reason: 'SoftReset' });
    const t = trail(f);
    const stop = t.lastIndexOf('StopTransaction');
    expect(t.slice(stop - 1, stop + 2)).toEqual(['Charging', 'StopTransaction', 'Finishing']);
  });

  it('ChangeAvailability(Inoperative) during a transaction: Scheduled, then StopTransaction before Unavailable', async () => {
    const f = await agentFixture();
    await startSession(f, CARD);
    expect(await f.csms.call(CP, 'ChangeAvailability', { connectorId: 1, type: 'Inoperative' })).toEqual({ status: 'Scheduled' });
    await f.advance(1000);
    f.sim.rfid.tap(CARD);
    await f.advance(1000);
    expect(from(trail(f), 'StopTransaction')).toEqual(['StopTransaction', 'Unavailable']);
  });

  it('a status of another connector does not wait for this connector\'s transaction messages', async () => {
    const f = await agentFixture({ charger: { connectors: 2 }, ocpp: { TransactionMessageRetryInterval: 600 } });
    // The StartTransaction of connector 1 fails and waits 10 minutes for its retry; its stop waits behind it.
    f.csms.respondOnce('StartTransaction', callError('InternalError'));
    await startSession(f, CARD, 1);
    f.sim.connectors[0]!.ev.unplug();
    await f.advance(1000);
    f.sim.connectors[1]!.ev.plugIn();
    await f.advance(1000);
    expect(trail(f, 2)).toEqual(['Available', 'Preparing']);
    // Connector 1's Available waits behind its StopTransaction, which waits behind the retry.
    expect(trail(f, 1)).toEqual(['Available', 'Preparing', 'StartTransaction', 'SuspendedEV', 'Charging']);
    await f.advance(11 * MINUTE, MINUTE);
    expect(from(trail(f, 1), 'StopTransaction')).toEqual(['StopTransaction', 'Available']);
  });

  it('offline: after the reconnect the queued StartTransaction and StopTransaction go before the connector\'s current status', async () => {
    const f = await agentFixture({ ocpp: { AllowOfflineTxForUnknownId: true } });
    // The reconnect is answered Pending (10 minutes): the session happens while nothing can be sent.
    await reconnectPending(f);
    const before = trail(f).length;
    await startSession(f, CARD);
    await f.advance(MINUTE);
    f.sim.connectors[0]!.ev.unplug();
    await f.advance(MINUTE);
    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(MINUTE);
    expect(trail(f).length).toBe(before);

    await f.advance(10 * MINUTE, MINUTE); // Accepted boot
    expect(trail(f).slice(before)).toEqual(['StartTransaction', 'StopTransaction', 'Preparing']);
  });
});

describe('MinimumStatusDuration', () => {
  it('a status that lasts less is not sent; one that lasts is sent once it has, with the time it began', async () => {
    const f = await agentFixture({ ocpp: { MinimumStatusDuration: 5 } });
    const began = f.clock.now();
    await startSession(f, CARD); // Preparing for 1 s, SuspendedEV for no time at all, then Charging
    await f.advance(10_000);
    expect(trail(f)).toEqual(['Available', 'StartTransaction', 'Charging']);
    const charging = f.sent('StatusNotification').find((s) => s.status === 'Charging')!;
    expect(Date.parse(charging.timestamp ?? "")).toBeLessThan(began + 3000);
    expect(f.statuses.map((s) => s.status)).toContain('SuspendedEV'); // local observers still see every change
  });

  it('0 sends every status at once', async () => {
    const f = await agentFixture({ ocpp: { MinimumStatusDuration: 0 } });
    await startSession(f, CARD);
    expect(trail(f)).toEqual(['Available', 'Preparing', 'StartTransaction', 'SuspendedEV', 'Charging']);
  });
});
