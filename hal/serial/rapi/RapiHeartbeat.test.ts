import { afterEach, describe, expect, it } from 'vitest';
import { createSerialPilotRig, type SerialPilotRig } from '../testing/SerialPilotHarness.js';
import { RapiPilot } from './RapiPilot.js';
import { until } from '../../../test/support/until.js';

const HEARTBEAT = { intervalMs: 5000, graceMs: 10_000, fallbackA: 6 };

describe('RapiHeartbeat: OpenEVSE heartbeat supervision ($SY) over a pty', () => {
  let rig: SerialPilotRig;
  let pilot: RapiPilot;
  afterEach(async () => {
    await pilot?.release();
    await rig?.dispose();
  });

  async function start(options: { boardHeartbeat?: boolean; heartbeat?: typeof HEARTBEAT } = {}): Promise<void> {
    rig = await createSerialPilotRig(options);
    pilot = new RapiPilot({ id: 'pilot:1', controller: rig.controller, heartbeat: options.heartbeat ?? HEARTBEAT });
    await rig.controller.open();
    await pilot.init();
    const offer = pilot.setCurrentOffer(16);
    await rig.advance(0);
    await offer;
  }
  const sy = (): string[] => rig.responder.received.filter((l) => l.startsWith('$SY')).map((l) => l.replace(/ :[0-9A-F]{2}$/, ''));
  /** Clock time in steps small enough for each pulse's answer to travel in real time. */
  async function run(ms: number, step = 1000): Promise<void> {
    for (let t = 0; t < ms; t += step) await rig.advance(step);
  }

  it('arms the board at init (interval + grace in whole seconds, fallback amps) and pulses every interval: the board never falls back', async () => {
    await start();
    expect(sy()[0]).toBe('$SY 15 6');
    expect(pilot.heartbeat?.status).toBe('armed');
    await run(60_000);
    expect(sy().filter((l) => l === '$SY')).toHaveLength(12);
    expect(rig.responder.supervision).toEqual({ intervalS: 15, fallbackA: 6, trigger: 0 });
    expect(rig.responder.amps).toBe(16);
  });

  it('the agent dies (no more pulses): the board lowers its offer to the fallback by itself', async () => {
    await start();
    await run(5000);
    await pilot.release();
    await rig.controller.close(); // the process is gone: nothing talks to the board any more
    rig.clock.advance(14_000);
    expect(rig.responder.amps).toBe(16); // within the grace
    rig.clock.advance(2000);
    expect(rig.responder.amps).toBe(6);
    expect(rig.responder.supervision.trigger).toBe(2);
  });

  it('pulses lost while the agent lives: the board falls back; the next pulse gets $NK, is acknowledged ($SY 165) and the offer set again', async () => {
    await start();
    rig.responder.mode = 'silent'; // the board hears nothing (e.g. a stalled line)
    await run(17_000);
    expect(rig.responder.amps).toBe(6);
    // Every command sent while it was deaf has arrived (and gone unanswered) before it hears again.
    await until('every command sent to have arrived', () => rig.responder.received.length >= rig.controller.stats.commands, 5000, 5);
    expect(rig.responder.received.length).toBe(rig.controller.stats.commands);
    rig.responder.mode = 'answer';
    const before = rig.responder.received.length;
    await run(6000);
    const after = rig.responder.received.slice(before).map((l) => l.replace(/ :[0-9A-F]{2}$/, '')).filter((l) => l !== '$GS');
    expect(after.slice(0, 3)).toEqual(['$SY', '$SY 165', '$SC 16 V']);
    expect(rig.responder.amps).toBe(16);
    expect(rig.responder.supervision.trigger).toBe(1);
    expect(pilot.heartbeat?.stats.missed).toBe(1);
  });

  it('the port away longer than the supervision time: the board falls back; once back it is armed again and gets the offer', async () => {
    await start();
    await rig.unplug();
    await run(20_000);
    expect(rig.responder.amps).toBe(6);
    await rig.replug();
    // The reopen is real I/O: virtual time goes on in steps meanwhile.
    await until('the port reopened', () => pilot.activeFaults.size === 0, 10_000, 20, () => rig.advance(500));
    // Arming again is a round trip over the pty too: on a busy machine it may take more than a few steps.
    await until('the board armed again and offered 16 A', () => pilot.heartbeat?.status === 'armed' && rig.responder.amps === 16, 10_000, 20, () => rig.advance(500));
    expect(sy().at(-1)).toMatch(/^\$SY( 15 6)?$/);
    expect(rig.responder.supervision.trigger).toBe(0); // arming again cleared it
    expect(rig.responder.amps).toBe(16);
  });

  it('firmware without supervision answers $NK: unsupported, no pulses; charging works as before', async () => {
    await start({ boardHeartbeat: false });
    expect(pilot.heartbeat?.status).toBe('unsupported');
    await run(20_000);
    expect(sy()).toEqual(['$SY 15 6']);
    expect(rig.responder.amps).toBe(16);
  });

  it('interval 0 switches supervision off on the board ($SY 0 0) and sends no pulses', async () => {
    await start({ heartbeat: { ...HEARTBEAT, intervalMs: 0 } });
    expect(pilot.heartbeat?.status).toBe('off');
    await run(20_000, 5000);
    expect(sy()).toEqual(['$SY 0 0']);
    expect(rig.responder.supervision.intervalS).toBe(0);
  });
});
