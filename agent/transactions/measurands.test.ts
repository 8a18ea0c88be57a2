/**
 * Every measurand the charger accepts in MeterValuesSampledData / MeterValuesAlignedData arrives
 * with a value (SoC, Power.Offered, Current.Offered, Energy.Active.Import.Interval), through a whole
 * in-process Agent and the embedded strict CSMS over a real socket, in virtual time. A measurand
 * this charger's hardware cannot supply is Rejected.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ChargerHardware } from '../../hal/index.js';
import { createSimulatedCharger } from '../../hal/sim/createSimulatedCharger.js';
import { SimulatedClock } from '../../hal/clock.js';
import { CP, T0, agentFixture, cleanupAgents, energyOf, startSession } from '../../test/support/agentFixture.js';

afterEach(cleanupAgents);

const MINUTE = 60_000;
type Sampled = { measurand?: string; value: string; unit?: string; context?: string; location?: string };
const valueOf = (sv: readonly Sampled[], measurand: string) => sv.find((s) => s.measurand === measurand);

describe('MeterValuesSampledData', () => {
  it('SoC, Current.Offered, Power.Offered and Energy.Active.Import.Interval carry values; the intervals add up to the energy', async () => {
    const f = await agentFixture({
      ocpp: { MeterValueSampleInterval: 60, MeterValuesSampledData: 'Energy.Active.Import.Register,Energy.Active.Import.Interval,Current.Offered,Power.Offered,SoC' },
    });
    await startSession(f);
    await f.advance(3 * MINUTE, MINUTE);
    const samples = f.sent('MeterValues').map((mv) => mv.meterValue[0]!.sampledValue as Sampled[]);
    expect(samples).toHaveLength(3);
    const meterStart = f.sent('StartTransaction')[0]!.meterStart;
    let previous = meterStart;
    let socBefore = 0;
    for (const sv of samples) {
      expect(sv.map((s) => s.measurand)).toEqual(['Energy.Active.Import.Register', 'Energy.Active.Import.Interval', 'Current.Offered', 'Power.Offered', 'SoC']);
      // The pilot offers the connector's 32 A on 3 phases at 230 V.
      expect(valueOf(sv, 'Current.Offered')).toMatchObject({ value: '32.0', unit: 'A', context: 'Sample.Periodic' });
      expect(valueOf(sv, 'Power.Offered')).toMatchObject({ value: String(32 * 3 * 230), unit: 'W' });
      const soc = Number(valueOf(sv, 'SoC')!.value);
      expect(valueOf(sv, 'SoC')).toMatchObject({ unit: 'Percent', location: 'EV' });
      expect(soc).toBeGreaterThan(Math.max(socBefore, 49));
      socBefore = soc;
      const register = energyOf({ sampledValue: sv });
      expect(Number(valueOf(sv, 'Energy.Active.Import.Interval')!.value)).toBeCloseTo(register - previous, -1);
      previous = register;
    }
    expect(Number(valueOf(samples[0]!, 'Energy.Active.Import.Interval')!.value)).toBeGreaterThan(100); // ≈ 11 kW for a minute
  });

  it('after the transaction ends, the offer reads 0 A (triggered sample); a triggered sample has no interval to report', async () => {
    const f = await agentFixture({ ocpp: { MeterValuesSampledData: 'Current.Offered,Energy.Active.Import.Interval' } });
    await startSession(f);
    f.sim.rfid.tap('04A1B2C3D4E5F6');
    await f.advance(1000);
    expect(await f.csms.call(CP, 'TriggerMessage', { requestedMessage: 'MeterValues', connectorId: 1 })).toEqual({ status: 'Accepted' });
    await f.advance(1000);
    const [mv] = f.sent('MeterValues');
    expect(mv!.meterValue[0]!.sampledValue).toEqual([expect.objectContaining({ measurand: 'Current.Offered', value: '0.0', context: 'Trigger' })]);
  });

  it('a sample with nothing to report is not sent (never an empty sampledValue)', async () => {
    const f = await agentFixture({ ocpp: { MeterValuesSampledData: 'Energy.Active.Import.Interval' } });
    expect(await f.csms.call(CP, 'TriggerMessage', { requestedMessage: 'MeterValues', connectorId: 1 })).toEqual({ status: 'Accepted' });
    await f.advance(1000);
    expect(f.sent('MeterValues')).toEqual([]);
  });
});

describe('MeterValuesAlignedData', () => {
  it('Energy.Active.Import.Interval: the energy since the previous aligned sample of the connector (none for the first)', async () => {
    const f = await agentFixture({ ocpp: { ClockAlignedDataInterval: 900, MeterValuesAlignedData: 'Energy.Active.Import.Register,Energy.Active.Import.Interval' } });
    await startSession(f);
    await f.advance(46 * MINUTE, MINUTE); // aligned samples at 00:15, 00:30, 00:45
    const aligned = f.sent('MeterValues').map((mv) => mv.meterValue[0]!.sampledValue as Sampled[]);
    expect(aligned).toHaveLength(3);
    expect(aligned[0]!.map((s) => s.measurand)).toEqual(['Energy.Active.Import.Register']);
    for (let i = 1; i < aligned.length; i++) {
      const interval = valueOf(aligned[i]!, 'Energy.Active.Import.Interval')!;
      expect(interval.context).toBe('Sample.Clock');
      expect(Number(interval.value)).toBeCloseTo(energyOf({ sampledValue: aligned[i]! }) - energyOf({ sampledValue: aligned[i - 1]! }), -1);
      expect(Number(interval.value)).toBeGreaterThan(1000); // 15 minutes at ≈ 11 kW
    }
  });
});

describe('measurands this hardware cannot supply', () => {
  /** The simulated devices behind a PWM-only IEC 61851 board: nothing tells the charger the EV's SoC. */
  function pwmOnlyCharger() {
    const clock = new SimulatedClock(T0);
    const sim = createSimulatedCharger({ clock, connectors: 1 });
    const hardware: ChargerHardware = {
      connectors: sim.connectors.map(({ connectorId, relay, meter, pilot, lock }) => ({ connectorId, relay, meter, pilot, lock })),
      readers: sim.hardware.readers,
      close: () => sim.close(),
    };
    return { clock, sim: { ...sim, hardware } };
  }

  it('SoC without an EV that reports it: ChangeConfiguration Rejected for any list naming it, the others Accepted', async () => {
    const f = await agentFixture(pwmOnlyCharger());
    for (const key of ['MeterValuesSampledData', 'MeterValuesAlignedData', 'StopTxnSampledData', 'StopTxnAlignedData']) {
      expect(await f.csms.call(CP, 'ChangeConfiguration', { key, value: 'Energy.Active.Import.Register,SoC' })).toEqual({ status: 'Rejected' });
      expect(await f.csms.call(CP, 'ChangeConfiguration', { key, value: 'Energy.Active.Import.Register,Current.Offered,Power.Offered,Energy.Active.Import.Interval' })).toEqual({ status: 'Accepted' });
    }
  });

  it('the simulated EV reports its SoC: SoC is Accepted there', async () => {
    const f = await agentFixture();
    expect(await f.csms.call(CP, 'ChangeConfiguration', { key: 'MeterValuesSampledData', value: 'SoC' })).toEqual({ status: 'Accepted' });
  });
});
