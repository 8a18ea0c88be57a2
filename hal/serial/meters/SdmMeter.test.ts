/**
 * SdmMeter over a real pty against the Modbus slave simulator: what the contract suite does not
 * cover (shared bus, line noise, CRC errors, polling on the clock, a vanishing port).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { watchFaults } from '../../contract/observers.js';
import { createSerialMeterRig, type SerialMeterRig } from '../testing/SerialMeterHarness.js';
import { SdmMeterSim } from '../deviceSims/SdmMeterSim.js';
import { SDM120 } from './sdm120.js';
import { SDM630 } from './sdm630.js';
import { SdmMeter } from './SdmMeter.js';
import { planBlocks } from './RegisterMap.js';
import { until } from '../../../test/support/until.js';

describe('register maps', () => {
  it('read SDM630 in two requests and SDM120 in two', () => {
    expect(planBlocks(SDM630)).toEqual([{ start: 0x00, count: 0x0c }, { start: 0x34, count: 0x16 }]);
    expect(planBlocks(SDM120)).toEqual([{ start: 0x00, count: 0x0e }, { start: 0x46, count: 4 }]);
  });
});

describe('SdmMeter over a pty', () => {
  let rig: SerialMeterRig;
  const meters: SdmMeter[] = [];
  afterEach(async () => {
    for (const m of meters.splice(0)) await m.release();
    await rig.dispose();
  });

  function meter(options: Partial<ConstructorParameters<typeof SdmMeter>[0]> = {}): SdmMeter {
    const m = new SdmMeter({ id: 'meter:1', clock: rig.clock, bus: rig.bus, map: SDM630, pollIntervalMs: 0, ...options });
    meters.push(m);
    return m;
  }

  it('serializes two meters on one bus (addresses 1 and 2) and keeps their values apart', async () => {
    rig = await createSerialMeterRig();
    const three = new SdmMeterSim('sdm630', rig.clock, 10);
    const one = new SdmMeterSim('sdm120', rig.clock, 20);
    rig.slave.units.set(1, three);
    rig.slave.units.set(2, one);
    three.setPower(11000, 3);
    one.setPower(2300, 1);
    const a = meter({ id: 'meter:1', address: 1, map: SDM630 });
    const b = meter({ id: 'meter:2', address: 2, map: SDM120 });
    const results = await Promise.all([a.read(), b.read(), a.read(), b.read()]);
    expect(results.map((r) => Math.round(r.powerW))).toEqual([11000, 2300, 11000, 2300]);
    expect(results[1]!.currentA).toEqual([10]);
    expect(rig.slave.stats).toMatchObject({ requests: 8, replies: 8, badRequests: 0 });
  });

  it('resynchronises after line noise and counts a CRC error, retrying once', async () => {
    rig = await createSerialMeterRig();
    const sim = new SdmMeterSim('sdm630', rig.clock);
    rig.slave.units.set(1, sim);
    const m = meter();
    await rig.slave.inject(Uint8Array.of(0x01, 0x04, 0xff, 0x13, 0x00));
    expect((await m.read()).frequencyHz).toBe(50); // noise that looks like a reply header: a CRC error, retried
    const noise = m.stats.crcErrors;
    expect(noise).toBeLessThanOrEqual(1);
    sim.corruptReplies = 1; // the retry gets a good answer
    await expect(m.read()).resolves.toMatchObject({ frequencyHz: 50 });
    expect(m.stats.crcErrors).toBe(noise + 1);
    expect(rig.bus.stats.crcErrors).toBe(noise + 1);
    sim.mode = 'bad-crc'; // a line that garbles every reply: a miss like silence
    await expect(m.read()).rejects.toMatchObject({ code: 'METER_TIMEOUT' });
    expect(m.stats.crcErrors).toBe(noise + 3); // the request and its retry
    sim.mode = 'answer';
    await expect(m.read()).resolves.toMatchObject({ frequencyHz: 50 });
    expect([...m.activeFaults]).toEqual([]);
  });

  it('raises METER_TIMEOUT after N missed polls on the clock and clears it on the next answer', async () => {
    rig = await createSerialMeterRig({ responseTimeoutMs: 60 });
    const sim = new SdmMeterSim('sdm120', rig.clock);
    rig.slave.units.set(1, sim);
    const m = meter({ map: SDM120, pollIntervalMs: 1000, missedPollsForFault: 3 });
    const faults = watchFaults(m);
    // An answer crosses socat in real time and the bus waits 60 ms for it here (so that the silent
    // polls below are quick): on a busy machine an answered poll can still come back a miss, so the
    // polls that want an answer poll again, bounded, until one has come.
    const pollUntil = async (done: () => boolean) => {
      for (let i = 0; i < 10 && !done(); i++) await rig.advance(1000);
    };
    await pollUntil(() => m.lastReading !== undefined);
    expect(m.lastReading).toBeDefined();
    sim.mode = 'silent';
    const missedBefore = m.stats.missed;
    await rig.advance(1000);
    await rig.advance(1000);
    expect(faults.raised).toEqual([]);
    await rig.advance(1000);
    expect(faults.raised).toEqual(['METER_TIMEOUT']);
    expect(m.stats.missed - missedBefore).toBe(3);
    sim.mode = 'answer';
    const silentReading = m.lastReading;
    await pollUntil(() => m.lastReading !== silentReading);
    // The first answer clears it, and only that.
    expect(faults.sequence).toEqual(['fault:METER_TIMEOUT', 'cleared:METER_TIMEOUT']);
  });

  it("a meter's own response timeout overrides the bus's: a silent meter does not hold the bus for the bus's timeout", async () => {
    rig = await createSerialMeterRig({ responseTimeoutMs: 30_000 });
    const silent = new SdmMeterSim('sdm630', rig.clock);
    silent.mode = 'silent';
    const answering = new SdmMeterSim('sdm120', rig.clock);
    rig.slave.units.set(1, silent);
    rig.slave.units.set(2, answering);
    const quick = meter({ id: 'meter:1', address: 1, responseTimeoutMs: 80 });
    const other = meter({ id: 'meter:2', address: 2, map: SDM120 });
    // Queued behind the silent meter on the same bus: answered long before the bus's 30 s.
    const [a, b] = await Promise.allSettled([quick.read(), other.read()]);
    expect(a).toMatchObject({ status: 'rejected', reason: { code: 'METER_TIMEOUT' } });
    expect(b).toMatchObject({ status: 'fulfilled', value: { frequencyHz: 50 } });
    expect(rig.bus.stats.timeouts).toBe(1);
  }, 5000);

  it('reports PORT_LOST when the adapter vanishes and reopens the same path when it returns', async () => {
    // The bus's default 500 ms for an answer: the read after the return crosses socat in real time.
    rig = await createSerialMeterRig({ reopenIntervalMs: 500 });
    rig.slave.units.set(1, new SdmMeterSim('sdm630', rig.clock));
    const m = meter();
    const faults = watchFaults(m);
    await m.read();
    await rig.slave.close();
    await rig.pair.unplug();
    await expect(m.read()).rejects.toMatchObject({ code: expect.stringMatching(/METER_TIMEOUT|PORT_LOST/) });
    await until('the bus lost', () => rig.bus.state === 'lost', 5000, 10);
    expect(rig.bus.state).toBe('lost');
    expect(faults.raised).toContain('PORT_LOST');
    await expect(m.read()).rejects.toMatchObject({ code: 'PORT_LOST' });
    await rig.pair.replug();
    await rig.slave.open();
    // The reopen is real I/O: clock time goes on in steps meanwhile (an attempt that came too early is repeated).
    await until('the bus reopened', () => rig.bus.state === 'open', 10_000, 20, () => rig.advance(500));
    await rig.bus.ready();
    expect(faults.cleared).toContain('PORT_LOST');
    expect((await m.read()).frequencyHz).toBe(50);
    expect(m.activeFaults.has('PORT_LOST')).toBe(false);
    expect(rig.bus.stats.reopens).toBe(1);
  });
});
