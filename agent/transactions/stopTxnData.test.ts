/**
 * StopTxnSampledData and StopTxnAlignedData: StopTransaction.transactionData holds the samples
 * taken during the transaction (every MeterValueSampleInterval, context Sample.Periodic; every
 * ClockAlignedDataInterval, context Sample.Clock) between Transaction.Begin and Transaction.End,
 * bounded, through a whole in-process Agent and the embedded strict CSMS, in virtual time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { T0, agentFixture, cleanupAgents, energyOf, startSession } from '../../test/support/agentFixture.js';
import { MemoryJournal } from '../store/TransactionJournal.js';
import { STOP_DATA_CAP } from './stopTransactionData.js';

afterEach(cleanupAgents);

const CARD = '04A1B2C3D4E5F6';
const MINUTE = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
const contexts = (data: { sampledValue: { context?: string }[] }[]) => data.map((mv) => mv.sampledValue[0]!.context);

describe('StopTxnSampledData', () => {
  it('a sample every MeterValueSampleInterval between begin and end, also when no MeterValues are sampled', async () => {
    const f = await agentFixture({ ocpp: { MeterValueSampleInterval: 300, MeterValuesSampledData: '', StopTxnSampledData: 'Energy.Active.Import.Register,Energy.Active.Import.Interval' } });
    await startSession(f, CARD);
    const startedAt = Date.parse(f.sent('StartTransaction')[0]!.timestamp);
    await f.advance(31 * MINUTE, MINUTE);
    f.sim.rfid.tap(CARD);
    await f.advance(1000);
    expect(f.sent('MeterValues')).toEqual([]);
    const data = f.sent('StopTransaction')[0]!.transactionData!;
    expect(contexts(data)).toEqual(['Transaction.Begin', ...Array(6).fill('Sample.Periodic'), 'Transaction.End']);
    expect(data.slice(1, 7).map((mv) => mv.timestamp)).toEqual([1, 2, 3, 4, 5, 6].map((i) => iso(startedAt + i * 5 * MINUTE)));
    const energies = data.map((mv) => energyOf(mv));
    for (let i = 1; i < energies.length; i++) expect(energies[i]).toBeGreaterThan(energies[i - 1]!);
    // Each periodic sample's interval is the energy since the previous one.
    for (let i = 1; i < 7; i++) {
      const interval = data[i]!.sampledValue.find((s) => s.measurand === 'Energy.Active.Import.Interval')!;
      expect(Number(interval.value)).toBeCloseTo(energies[i]! - energies[i - 1]!, -1);
    }
  });

  it('a long transaction keeps at most the cap of samples, spread over all of it', async () => {
    const f = await agentFixture({ ocpp: { MeterValueSampleInterval: 60, MeterValuesSampledData: '', StopTxnSampledData: 'Energy.Active.Import.Register' } });
    await startSession(f, CARD);
    const startedAt = Date.parse(f.sent('StartTransaction')[0]!.timestamp);
    await f.advance(3 * STOP_DATA_CAP * MINUTE, 10 * MINUTE);
    f.sim.rfid.tap(CARD);
    await f.advance(1000);
    const data = f.sent('StopTransaction')[0]!.transactionData!;
    expect(data.length).toBeLessThanOrEqual(STOP_DATA_CAP + 2);
    expect(data.length).toBeGreaterThan(STOP_DATA_CAP / 2);
    const periodic = data.filter((mv) => mv.sampledValue[0]!.context === 'Sample.Periodic').map((mv) => Date.parse(mv.timestamp));
    expect(periodic[0]).toBe(startedAt + MINUTE);
    expect(periodic.at(-1)!).toBeGreaterThan(startedAt + 3 * STOP_DATA_CAP * MINUTE - 10 * MINUTE);
  });
});

describe('StopTxnAlignedData', () => {
  it('clock-aligned samples (Sample.Clock) with these measurands go into transactionData, in time order with the periodic ones', async () => {
    const f = await agentFixture({
      start: T0 + 7 * MINUTE,
      ocpp: { ClockAlignedDataInterval: 900, MeterValuesAlignedData: '', MeterValueSampleInterval: 600, MeterValuesSampledData: '', StopTxnSampledData: 'Energy.Active.Import.Register', StopTxnAlignedData: 'Energy.Active.Import.Register,Power.Active.Import' },
    });
    await startSession(f, CARD); // 00:07:02: periodic samples at 00:17:02, 00:27:02, 00:37:02
    await f.advance(39 * MINUTE, MINUTE); // 00:46:02
    f.sim.rfid.tap(CARD);
    await f.advance(1000);
    expect(f.sent('MeterValues')).toEqual([]);
    const data = f.sent('StopTransaction')[0]!.transactionData!;
    const clock = data.filter((mv) => mv.sampledValue[0]!.context === 'Sample.Clock');
    expect(clock.map((mv) => mv.timestamp)).toEqual([iso(T0 + 15 * MINUTE), iso(T0 + 30 * MINUTE), iso(T0 + 45 * MINUTE)]);
    for (const mv of clock) expect(mv.sampledValue.map((s) => s.measurand)).toEqual(['Energy.Active.Import.Register', 'Power.Active.Import']);
    expect(contexts(data)).toEqual(['Transaction.Begin', 'Sample.Clock', 'Sample.Periodic', 'Sample.Periodic', 'Sample.Clock', 'Sample.Periodic', 'Sample.Clock', 'Transaction.End']);
    const times = data.map((mv) => Date.parse(mv.timestamp));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });
});

describe('after a restart', () => {
  it('the PowerLoss StopTransaction of a transaction cut off still carries its begin (the journaled meterStart) and end samples', async () => {
    const journal = new MemoryJournal();
    const startedAt = T0 - 10 * MINUTE;
    await journal.append({ kind: 'start', localId: 'cut-1', connectorId: 1, payload: { connectorId: 1, idTag: 'TAG', meterStart: 500, timestamp: iso(startedAt) } });
    await journal.append({ kind: 'started', localId: 'cut-1', connectorId: 1, transactionId: 41, meterStart: 500 });
    const f = await agentFixture({ journal, ocpp: { StopTxnSampledData: 'Energy.Active.Import.Register' }, charger: { meterEnergyWh: [900] } });
    await f.advance(2000);
    const [stop] = f.sent('StopTransaction');
    expect(stop).toMatchObject({ transactionId: 41, reason: 'PowerLoss', meterStop: 900 });
    expect(stop!.transactionData!.map((mv) => [mv.timestamp, mv.sampledValue[0]!.context, energyOf(mv)])).toEqual([
      [iso(startedAt), 'Transaction.Begin', 500],
      [stop!.timestamp, 'Transaction.End', 900],
    ]);
  });
});
