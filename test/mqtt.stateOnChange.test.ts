/**
 * State topics follow the charger when it changes, once, with rounded values: after
 * set_current_limit the retained pilot says the new offer and the meter the new power without
 * waiting for the interval; no message goes out twice; meter values carry the documented
 * precision. Real mosquitto, strict embedded CSMS on 127.0.0.1, virtual time.
 */
import { describe, expect, it } from 'vitest';
import { CP, startSession } from './support/agentFixture.js';
import type { CommandReplyPayload, MeterPayload, PilotPayload } from '../agent/telemetry/topics.js';
import { telemetryTestbed } from './support/telemetryTestbed.js';
import type { Recorder } from './support/mosquitto.js';

const BASE = `test/${CP}`;
const tb = telemetryTestbed();

/** Publishes a command until its reply arrives (the subscription may not be in place yet); virtual time stands still. */
async function command(r: Recorder, name: string, body: unknown): Promise<CommandReplyPayload> {
  const topic = `${BASE}/cmd/${name}/result`;
  const before = r.on(topic).length;
  for (let i = 0; i < 100 && r.on(topic).length === before; i++) {
    await r.client.publishAsync(`${BASE}/cmd/${name}`, JSON.stringify(body), { qos: 1 });
    await r.waitFor(() => r.on(topic).length > before, `${name} reply`, 50).catch(() => undefined);
  }
  return r.on<CommandReplyPayload>(topic).at(-1)!;
}

/** Each `topic payload` that was received more than once. */
function repeated(r: Recorder): string[] {
  const seen = r.messages.map((m) => `${m.topic} ${m.raw}`);
  return seen.filter((x, i) => seen.indexOf(x) !== i);
}

describe('MQTT state on change', () => {
  it('after set_current_limit the retained pilot says the new offer and the meter the new power, before any interval', async () => {
    const r = await tb.recorder(`${BASE}/#`);
    // One interval an hour: whatever arrives in between was published on change.
    tb.startPublisher({ intervalMs: 3_600_000, commands: true });
    await startSession(tb.f);
    await tb.f.advance(10_000);
    await r.waitFor(() => r.on<MeterPayload>(`${BASE}/connector/1/meter`).some((m) => m.powerW === 11040), 'charging at 16 A');
    expect(r.on<PilotPayload>(`${BASE}/connector/1/pilot`).at(-1)).toMatchObject({ state: 'C', currentOfferA: 32 });
    const start = tb.f.clock.now();

    expect(await command(r, 'set_current_limit', { connector: 1, amps: 10 })).toEqual({ ok: true });
    await r.waitFor(() => r.on<PilotPayload>(`${BASE}/connector/1/pilot`).at(-1)?.currentOfferA === 10, 'pilot offering 10 A');
    await r.waitFor(() => r.on<MeterPayload>(`${BASE}/connector/1/meter`).at(-1)?.powerW === 6900, 'meter at 3 x 10 A');
    expect(tb.f.clock.now() - start).toBeLessThan(3_600_000);
    expect(r.on<PilotPayload>(`${BASE}/connector/1/pilot`).at(-1)).toEqual({ state: 'C', currentOfferA: 10, ts: expect.any(String) });
    expect(r.on<MeterPayload>(`${BASE}/connector/1/meter`).at(-1)).toMatchObject({ powerW: 6900, currentA: [10, 10, 10] });

    // The EV follows within 5 s: the second read finds the same power and publishes nothing new.
    const meters = r.on(`${BASE}/connector/1/meter`).length;
    await tb.f.advance(6000);
    expect(r.on(`${BASE}/connector/1/meter`).length).toBe(meters);

    // A dashboard opening now gets the new offer and power from the retained topics.
    const late = await tb.recorder(`${BASE}/connector/1/+`);
    await late.waitFor((m) => m.length >= 3, 'retained connector state');
    expect(late.on<PilotPayload>(`${BASE}/connector/1/pilot`)).toEqual([expect.objectContaining({ currentOfferA: 10 })]);
    expect(late.on<MeterPayload>(`${BASE}/connector/1/meter`)).toEqual([expect.objectContaining({ powerW: 6900 })]);
    expect(repeated(r)).toEqual([]);
  });

  it('never publishes the same message twice, and rounds meter values to the documented precision', async () => {
    const r = await tb.recorder(`${BASE}/#`);
    tb.startPublisher();
    await startSession(tb.f);
    await tb.f.advance(65_000);
    tb.f.sim.connectors[0]!.ev.unplug();
    await tb.f.advance(5000);
    await r.waitFor(() => r.on(`${BASE}/connector/1/status`).some((s) => s.status === 'Available' && r.on(`${BASE}/connector/1/status`).indexOf(s) > 0), 'Available again');

    const meter = r.messages.filter((m) => m.topic === `${BASE}/connector/1/meter`);
    // The interval samples (every 10 s while charging) and the changes, each once.
    expect(meter.filter((m) => (m.json as MeterPayload).powerW > 0).length).toBeGreaterThanOrEqual(6);
    expect(repeated(r)).toEqual([]);
    // No float noise: energy 0.1 Wh, power 1 W, current 0.01 A, voltage 0.1 V, frequency 0.01 Hz.
    const has = (v: number, decimals: number) => Math.round(v * 10 ** decimals) / 10 ** decimals === v;
    for (const m of meter) {
      const p = m.json as MeterPayload;
      const ok = has(p.energyWh, 1) && has(p.powerW, 0) && p.currentA.every((a) => has(a, 2)) && p.voltageV.every((v) => has(v, 1)) && has(p.frequencyHz, 2);
      expect(ok, m.raw).toBe(true);
    }
    expect(meter.some((m) => !Number.isInteger((m.json as MeterPayload).energyWh)), 'energy keeps its 0.1 Wh').toBe(true);
    expect((meter.at(-1)!.json as MeterPayload).energyWh).toBeGreaterThan(100);
  });

  it('readMeters false: an interval without a new reading publishes nothing on the meter topic', async () => {
    const r = await tb.recorder(`${BASE}/#`);
    tb.startPublisher({ readMeters: false });
    await startSession(tb.f);
    await tb.f.advance(40_000);
    await r.waitFor((m) => m.filter((x) => x.topic === `${BASE}/telemetry`).length >= 4, 'four intervals');
    // Nobody reads the meter in between (MeterValueSampleInterval 0): the last reading is not news.
    expect(repeated(r)).toEqual([]);
  });
});
