/**
 * TransactionManager through a whole in-process Agent: meterStart/meterStop, periodic and
 * clock-aligned MeterValues, StopTxnSampledData, as the embedded strict CSMS receives them over a
 * real socket on 127.0.0.1, in virtual time (test/support/agentFixture.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { T0, agentFixture, cleanupAgents, energyOf, startSession } from '../../test/support/agentFixture.js';

afterEach(cleanupAgents);

const CARD = '04A1B2C3D4E5F6';
const MINUTE = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

describe('periodic samples', () => {
  it('every MeterValueSampleInterval during a transaction, with its transactionId and rising energy', async () => {
    const f = await agentFixture({ ocpp: { MeterValueSampleInterval: 60, MeterValuesSampledData: 'Energy.Active.Import.Register,Power.Active.Import' } });
    await startSession(f, CARD);
    const startedAt = Date.parse(f.sent('StartTransaction')[0]!.timestamp);
    await f.advance(5 * MINUTE);
    const samples = f.sent('MeterValues');
    expect(samples).toHaveLength(5);
    samples.forEach((mv, i) => {
      expect(mv).toMatchObject({ connectorId: 1, transactionId: 1 });
      expect(mv.meterValue).toHaveLength(1);
      expect(mv.meterValue[0]!.timestamp).toBe(iso(startedAt + (i + 1) * MINUTE));
      expect(mv.meterValue[0]!.sampledValue.map((s) => [s.measurand, s.context, s.unit])).toEqual([
        ['Energy.Active.Import.Register', 'Sample.Periodic', 'Wh'],
        ['Power.Active.Import', 'Sample.Periodic', 'W'],
      ]);
      expect(Number(mv.meterValue[0]!.sampledValue[1]!.value)).toBeGreaterThan(0);
    });
    const energies = samples.map((mv) => energyOf(mv.meterValue[0]!));
    for (let i = 1; i < energies.length; i++) expect(energies[i]).toBeGreaterThan(energies[i - 1]!);
    // 16 A × 3 × 230 V ≈ 11 kW: about 184 Wh a minute.
    expect(energies[4]! - energies[0]!).toBeGreaterThan(4 * 150);
  });

  it('stop with the transaction: none after StopTransaction, none outside a transaction', async () => {
    const f = await agentFixture({ ocpp: { MeterValueSampleInterval: 60 } });
    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(3 * MINUTE);
    expect(f.sent('MeterValues')).toEqual([]);
    f.sim.rfid.tap(CARD);
    await f.advance(2 * MINUTE + 1000);
    f.sim.rfid.tap(CARD);
    await f.advance(5 * MINUTE);
    expect(f.sent('MeterValues')).toHaveLength(2);
    expect(f.sent('StopTransaction')).toHaveLength(1);
  });
});

describe('clock-aligned samples', () => {
  it('at :00/:15/:30/:45 UTC (ClockAlignedDataInterval=900), Sample.Clock, with transactionId only during a transaction', async () => {
    const f = await agentFixture({
      start: T0 + 7 * MINUTE, // 00:07 UTC
      ocpp: { ClockAlignedDataInterval: 900, MeterValuesAlignedData: 'Energy.Active.Import.Register' },
    });
    await f.advance(10 * MINUTE, MINUTE); // 00:17
    f.sim.connectors[0]!.ev.plugIn();
    await f.advance(3 * MINUTE, MINUTE); // 00:20
    f.sim.rfid.tap(CARD);
    await f.advance(40 * MINUTE, MINUTE); // 01:00
    f.sim.rfid.tap(CARD);
    await f.advance(20 * MINUTE, MINUTE); // 01:20

    const aligned = f.sent('MeterValues');
    expect(aligned.map((mv) => [mv.meterValue[0]!.timestamp, mv.transactionId])).toEqual([
      [iso(T0 + 15 * MINUTE), undefined],
      [iso(T0 + 30 * MINUTE), 1],
      [iso(T0 + 45 * MINUTE), 1],
      [iso(T0 + 60 * MINUTE), 1],
      [iso(T0 + 75 * MINUTE), undefined],
    ]);
    for (const mv of aligned) {
      expect(mv.connectorId).toBe(1);
      expect(mv.meterValue[0]!.sampledValue).toEqual([expect.objectContaining({ context: 'Sample.Clock', measurand: 'Energy.Active.Import.Register' })]);
    }
    const [, a30, a45] = aligned.map((mv) => energyOf(mv.meterValue[0]!));
    expect(a45!).toBeGreaterThan(a30!);
  });

  it('follows a ChangeConfiguration of ClockAlignedDataInterval (0 turns it off)', async () => {
    const f = await agentFixture({ ocpp: { ClockAlignedDataInterval: 0 } });
    await f.advance(20 * MINUTE, MINUTE);
    expect(f.sent('MeterValues')).toEqual([]);
    expect(await f.csms.call('AGENT-T1', 'ChangeConfiguration', { key: 'ClockAlignedDataInterval', value: '600' })).toEqual({ status: 'Accepted' });
    await f.advance(20 * MINUTE, MINUTE); // 00:20 → 00:40: boundaries 00:30 and 00:40
    expect(f.sent('MeterValues').map((mv) => mv.meterValue[0]!.timestamp)).toEqual([iso(T0 + 30 * MINUTE), iso(T0 + 40 * MINUTE)]);
    expect(await f.csms.call('AGENT-T1', 'ChangeConfiguration', { key: 'ClockAlignedDataInterval', value: '0' })).toEqual({ status: 'Accepted' });
    await f.advance(30 * MINUTE, MINUTE);
    expect(f.sent('MeterValues')).toHaveLength(2);
  });

  it('stays aligned to midnight when the interval does not divide the day', async () => {
    // 7 minutes: the last slot of the day is 23:55, the next one is midnight, not 00:02.
    const f = await agentFixture({ start: T0 + 23 * 60 * MINUTE + 50 * MINUTE, ocpp: { ClockAlignedDataInterval: 420 } });
    await f.advance(20 * MINUTE, MINUTE);
    expect(f.sent('MeterValues').map((mv) => mv.meterValue[0]!.timestamp)).toEqual([
      iso(T0 + 23 * 60 * MINUTE + 55 * MINUTE),
      iso(T0 + 24 * 60 * MINUTE),
      iso(T0 + 24 * 60 * MINUTE + 7 * MINUTE),
    ]);
  });
});

describe('StopTransaction', () => {
  it('StopTxnSampledData: transactionData holds the Transaction.Begin and Transaction.End samples; meterStop ≥ meterStart', async () => {
    const f = await agentFixture({ ocpp: { StopTxnSampledData: 'Energy.Active.Import.Register' }, charger: { connectors: 1 } });
    await startSession(f, CARD);
    await f.advance(30 * MINUTE, MINUTE);
    f.sim.rfid.tap(CARD);
    await f.advance(1000);
    const [start] = f.sent('StartTransaction');
    const [stop] = f.sent('StopTransaction');
    expect(stop!.meterStop).toBeGreaterThan(start!.meterStart);
    expect(stop!.transactionData).toHaveLength(2);
    const [begin, end] = stop!.transactionData!;
    expect(begin!.sampledValue).toEqual([expect.objectContaining({ context: 'Transaction.Begin', measurand: 'Energy.Active.Import.Register' })]);
    expect(end!.sampledValue).toEqual([expect.objectContaining({ context: 'Transaction.End', measurand: 'Energy.Active.Import.Register' })]);
    expect(begin!.timestamp).toBe(start!.timestamp);
    expect(end!.timestamp).toBe(stop!.timestamp);
    expect(Math.floor(energyOf(begin!))).toBe(start!.meterStart);
    expect(Math.floor(energyOf(end!))).toBe(stop!.meterStop);
    // The CSMS recorded one complete transaction with the same figures.
    expect(f.csms.transactions()).toEqual([expect.objectContaining({ meterStart: start!.meterStart, stop: expect.objectContaining({ meterStop: stop!.meterStop }) })]);
  });

  it('without StopTxnSampledData there is no transactionData', async () => {
    const f = await agentFixture();
    await startSession(f, CARD);
    await f.advance(MINUTE);
    f.sim.rfid.tap(CARD);
    await f.advance(1000);
    expect(f.sent('StopTransaction')[0]).not.toHaveProperty('transactionData');
  });

  it('a meter that does not answer at the stop: meterStop is the last good reading, stamped with the stop time', async () => {
    const f = await agentFixture({ ocpp: { MeterValueSampleInterval: 60 } });
    await startSession(f, CARD);
    await f.advance(10 * MINUTE, MINUTE);
    const lastGood = f.sim.connectors[0]!.meter.lastReading!;
    f.sim.connectors[0]!.meter.stopAnswering();
    await f.advance(30_000); // before the next sample: the stop is the first read that fails
    f.sim.rfid.tap(CARD);
    await f.advance(1000);
    const [start] = f.sent('StartTransaction');
    const [stop] = f.sent('StopTransaction');
    expect(stop!.meterStop).toBe(Math.floor(lastGood.energyWh));
    expect(stop!.meterStop).toBeGreaterThan(start!.meterStart);
    expect(stop!.timestamp).toBe(iso(f.clock.now() - 1000));
    expect(stop!.reason).toBe('Local');
  });
});
