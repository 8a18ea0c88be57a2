/**
 * QueueAllMessages under OCPP 1.6 (a vendor key, honoured as OCPP 2.0.1 OCPPCommCtrlr does), over
 * the strict embedded CSMS: the status changes of an outage are kept and sent after the next
 * accepted boot, in order with the transaction messages of their connector, with the time they
 * happened; without it only the current status follows the transaction messages (Agent.order.test.ts).
 * Clock-aligned MeterValues outside a transaction are kept the same way.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { agentFixture, cleanupAgents, CP, reconnectPending, startSession, type AgentFixture } from '../test/support/agentFixture.js';
import { NO_REPLY } from '../scenarios/csms/ocppRpcServer.js';

afterEach(cleanupAgents);

const CARD = '04A1B2C3D4E5F6';
const MINUTE = 60_000;

/** Connector 1's statuses and transaction messages as the CSMS received them, in arrival order. */
function trail(f: AgentFixture): { what: string; timestamp?: string }[] {
  return f.csms
    .traffic((r) => r.chargePointId === CP && r.direction === 'in' && r.kind === 'call')
    .flatMap((r) => {
      const p = r.payload as { connectorId?: number; status?: string; timestamp?: string };
      if (r.action === 'StatusNotification') return p.connectorId === 1 ? [{ what: p.status!, timestamp: p.timestamp }] : [];
      if (r.action === 'StartTransaction' || r.action === 'StopTransaction') return [{ what: r.action }];
      return [];
    });
}

async function sessionWhilePending(f: AgentFixture): Promise<number> {
  // The reconnect is answered Pending (10 minutes): the session happens while nothing can be sent.
  await reconnectPending(f);
  const before = trail(f).length;
  await startSession(f, CARD);
  await f.advance(MINUTE);
  f.sim.connectors[0]!.ev.unplug();
  await f.advance(MINUTE);
  expect(trail(f).length).toBe(before);
  await f.advance(10 * MINUTE, MINUTE); // Accepted boot
  return before;
}

describe('QueueAllMessages (OCPP 1.6 vendor key)', () => {
  it('true: every status change of the outage, in order with StartTransaction and StopTransaction, then the current status', async () => {
    const f = await agentFixture({ ocpp: { AllowOfflineTxForUnknownId: true, QueueAllMessages: true } });
    const down = f.clock.now();
    const before = await sessionWhilePending(f);
    const after = trail(f).slice(before);
    expect(after.map((t) => t.what)).toEqual(['Preparing', 'StartTransaction', 'SuspendedEV', 'Charging', 'StopTransaction', 'Available', 'Available']);
    // Each kept status carries the time it happened, during the outage.
    const kept = after.filter((t) => t.timestamp !== undefined).slice(0, -1).map((t) => Date.parse(t.timestamp!));
    expect(kept).toEqual([...kept].sort((a, b) => a - b));
    expect(kept[0]).toBeGreaterThanOrEqual(down);
    expect(kept.at(-1)).toBeLessThan(down + 3 * MINUTE);
  });

  it('false (the default): the transaction messages, then only the current status', async () => {
    const f = await agentFixture({ ocpp: { AllowOfflineTxForUnknownId: true } });
    const before = await sessionWhilePending(f);
    expect(trail(f).slice(before).map((t) => t.what)).toEqual(['StartTransaction', 'StopTransaction', 'Available']);
  });

  it('true: clock-aligned MeterValues outside a transaction taken during the outage go out after it, oldest first; false: they are lost', async () => {
    for (const queueAll of [true, false]) {
      const f = await agentFixture({ ocpp: { QueueAllMessages: queueAll, ClockAlignedDataInterval: 60, MeterValuesAlignedData: 'Energy.Active.Import.Register' } });
      await reconnectPending(f);
      const before = f.sent('MeterValues').length;
      const down = f.clock.now();
      await f.advance(5 * MINUTE, 10_000);
      expect(f.sent('MeterValues').length).toBe(before);
      await f.advance(6 * MINUTE, MINUTE); // Accepted boot, and a sample or so after it
      const after = f.sent('MeterValues').slice(before).map((m) => Date.parse(m.meterValue[0]!.timestamp));
      const ofTheOutage = after.filter((t) => t < down + 5 * MINUTE);
      expect(ofTheOutage).toHaveLength(queueAll ? 5 : 0);
      expect(after).toEqual([...after].sort((a, b) => a - b));
      await cleanupAgents();
    }
  });

  it('a StartTransaction on the wire when the connection dropped is sent again before the status kept after it', async () => {
    const f = await agentFixture({ ocpp: { AllowOfflineTxForUnknownId: true, QueueAllMessages: true } });
    f.csms.respondOnce('StartTransaction', NO_REPLY);
    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(1000);
    f.sim.rfid.tap(CARD);
    await f.csms.waitFor((r) => r.direction === 'in' && r.action === 'StartTransaction');
    f.csms.setBootPolicy({ interval: 3600, first: { status: 'Pending', count: 2, interval: 600 } });
    await f.csms.disconnect(CP); // the StartTransaction is still unanswered
    const before = trail(f).length;
    await f.advance(2000);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    f.sim.connectors[0]!.ev.suspend();
    await f.advance(5000);
    expect(f.agent.connectors[0]!.status).toBe('SuspendedEV');
    await f.advance(10 * MINUTE, MINUTE); // Accepted boot
    expect(trail(f).slice(before).map((t) => t.what)).toEqual(['StartTransaction', 'SuspendedEV', 'SuspendedEV']);
  });
});
