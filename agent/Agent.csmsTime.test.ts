/**
 * A board without a trusted clock (clock.source: csms) takes the time from the BootNotification and
 * Heartbeat answers of the embedded strict CSMS (127.0.0.1, virtual time), through an OffsetClock;
 * by default the board's own clock is trusted and the CSMS's time is ignored.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { OffsetClock, SimulatedClock } from '../hal/clock.js';
import { createSimulatedCharger } from '../hal/sim/createSimulatedCharger.js';
import { agentFixture, cleanupAgents, startSession, T0 } from '../test/support/agentFixture.js';

afterEach(cleanupAgents);

const CARD = '04A1B2C3D4E5F6';
const HOUR = 3600_000;

/** A charger whose own clock starts at T0 while the CSMS's clock reads `csmsOffset.ms` later. */
async function chargerWithCsmsHoursAhead(takeCsmsTime: boolean) {
  const clock = new SimulatedClock(T0);
  const board = new OffsetClock(clock);
  const csmsOffset = { ms: 5 * HOUR };
  const sim = createSimulatedCharger({ clock: board, connectors: 1 });
  const f = await agentFixture({
    clock,
    sim,
    csms: { now: () => clock.now() + csmsOffset.ms },
    agent: { clock: board, ...(takeCsmsTime && { timeFromCsms: board }) },
  });
  return { f, clock, csmsOffset };
}

const lastStatusTime = (f: Awaited<ReturnType<typeof agentFixture>>) => Date.parse(f.sent('StatusNotification').at(-1)!.timestamp!);

describe('time from the CSMS', () => {
  it('configured: StatusNotification and StartTransaction timestamps follow the CSMS, and a Heartbeat answer moves them again', async () => {
    const { f, clock, csmsOffset } = await chargerWithCsmsHoursAhead(true);
    await startSession(f, CARD);
    const start = f.sent('StartTransaction')[0]!;
    expect(Math.abs(Date.parse(start.timestamp) - (clock.now() + 5 * HOUR))).toBeLessThan(5000);
    expect(Math.abs(lastStatusTime(f) - (clock.now() + 5 * HOUR))).toBeLessThan(5000);

    // The CSMS's clock is corrected by an hour; the next heartbeat (hourly here) brings it along.
    csmsOffset.ms = 6 * HOUR;
    await f.advance(HOUR + 1000, 60_000);
    expect(f.sent('Heartbeat').length).toBeGreaterThan(0);
    f.sim.rfid.tap(CARD);
    await f.advance(1000);
    const stop = f.sent('StopTransaction')[0]!;
    expect(Math.abs(Date.parse(stop.timestamp) - (clock.now() + 6 * HOUR))).toBeLessThan(5000);
  });

  it('by default the board clock is trusted: the CSMS time is ignored', async () => {
    const { f, clock } = await chargerWithCsmsHoursAhead(false);
    await startSession(f, CARD);
    expect(Math.abs(Date.parse(f.sent('StartTransaction')[0]!.timestamp) - clock.now())).toBeLessThan(5000);
    expect(Math.abs(lastStatusTime(f) - clock.now())).toBeLessThan(5000);
  });
});
