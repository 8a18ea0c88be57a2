/**
 * What a 2.0.1 charger keeps per charger for its own events (docs/fleet.md, OCPP 2.0.1 and mixed
 * fleets): its version binding hears the charger's `status`, `transaction` and `limit` events by a
 * call from Agent.emit, and its outbound translation the link's state and acceptance through the
 * face, rather than by listeners of their own, so that a fleet of 10,000 keeps no listener array
 * and closure per event and charger. Over the strict 2.0.1 stub CSMS; what those events do is
 * tested with the messages they cause (notifyEvent, transactionEvent, smartCharging tests).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { agent201Fixture, cleanupAgents201 } from '../../../test/support/agent201Fixture.js';

afterEach(cleanupAgents201);

describe('2.0.1 charger footprint', () => {
  it('adds no listener of its own to the charger events or the link state, and still numbers its TransactionEvents and tells problems', async () => {
    const f = await agent201Fixture({ connectors: 1, ocpp: { MeterValueSampleInterval: 60 } });
    expect(['status', 'transaction', 'limit'].map((e) => f.agent.listenerCount(e as 'status'))).toEqual([0, 0, 0]);
    expect(f.agent.link.listenerCount('state')).toBe(0);
    // The Agent's own (reports every status after a registration), nothing of the 2.0.1 face.
    expect(f.agent.link.listenerCount('accepted')).toBe(1);

    // The events still reach the 2.0.1 parts: a session is numbered from 0, a fault is a NotifyEvent.
    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(1000);
    f.sim.rfid.tap('04A1B2C3D4E5F6');
    await f.advance(1000);
    await f.waitForSent('TransactionEvent');
    expect(f.sent('TransactionEvent')[0]).toMatchObject({ eventType: 'Started', seqNo: 0 });
    f.sim.connectors[0]!.meter.stopAnswering();
    await f.advance(2 * 60_000, 10_000);
    expect(f.agent.connectors[0]!.status).toBe('Faulted');
    await f.waitForSent('NotifyEvent');
    expect(f.sent('NotifyEvent')[0]!.eventData[0]).toMatchObject({ techCode: 'PowerMeterFailure', variable: { name: 'Problem' } });
  });
});
