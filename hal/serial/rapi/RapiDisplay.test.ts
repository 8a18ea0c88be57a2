import { afterEach, describe, expect, it } from 'vitest';
import type { DisplayContent, HalError } from '../../index.js';
import { createSerialPilotRig, type SerialPilotRig } from '../testing/SerialPilotHarness.js';
import { until } from '../../../test/support/until.js';
import { encodeLcdRow, RapiDisplay } from './RapiDisplay.js';

const screen = (lines: string[], tone: DisplayContent['tone'] = 'info'): DisplayContent => ({ lines, tone });

describe('RapiDisplay: the OpenEVSE 16x2 LCD over RAPI ($FP/$FB) on a pty', () => {
  let rig: SerialPilotRig;
  let display: RapiDisplay;
  afterEach(async () => {
    await display?.release();
    await rig?.dispose();
  });

  async function start(options: { lcdUpdateCommand?: boolean } = {}): Promise<void> {
    rig = await createSerialPilotRig(options);
    display = new RapiDisplay({ id: 'display:1', controller: rig.controller, connectors: [1] });
    await rig.controller.open();
  }
  /** Runs a command while the rig's clock and port settle; resolves with its outcome. */
  async function settle<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: HalError }> {
    const outcome = p.then((value) => ({ ok: true as const, value }), (error: HalError) => ({ ok: false as const, error }));
    let done = false;
    void outcome.then(() => (done = true));
    await until('the command to settle', () => done, 10_000, 5, () => rig.advance(100));
    return outcome;
  }
  const lcdLines = (): string[] => rig.responder.lcd.rows.map((r) => r.trimEnd());
  const sent = (cmd: string): string[] => rig.responder.received.filter((l) => l.startsWith(`$${cmd}`));

  it('writes both rows padded to 16 with spaces as 0xEF, sets the backlight by tone and takes the screen over ($F0 0); nothing overflows the 32-byte buffer', async () => {
    await start();
    const r = await settle(display.show(screen(['Charging 11.0 kW', '12.34 kWh 1:02h'], 'charging')));
    expect(r.ok).toBe(true);
    expect(rig.responder.lcd.rows).toEqual(['Charging 11.0 kW', '12.34 kWh 1:02h ']);
    expect(rig.responder.lcd.backlight).toBe(6);
    expect(rig.responder.lcd.ownScreen).toBe(false);
    expect(sent('F0')).toHaveLength(1);
    expect(rig.responder.stats.overflows).toBe(0);
    expect(rig.responder.stats.badChecksum).toBe(0);
    // One token per row: the spaces travel as 0xEF.
    for (const line of sent('FP')) expect(line.replace(/ :[0-9A-F]{2}$/, '').split(' ')).toHaveLength(4);
    expect(display.content?.lines[0]).toBe('Charging 11.0 kW');
  });

  it('rewrites only the rows that changed, and the backlight only when the tone changed', async () => {
    await start();
    await settle(display.show(screen(['Charging', '1.00 kWh'], 'charging')));
    const before = sent('FP').length;
    const fb = sent('FB').length;
    await settle(display.show(screen(['Charging', '1.01 kWh'], 'charging')));
    expect(sent('FP').length - before).toBe(1);
    expect(sent('FB')).toHaveLength(fb);
    expect(lcdLines()).toEqual(['Charging', '1.01 kWh']);
  });

  it('refuses lines it cannot show (too long, too many, not ASCII) with INVALID_ARGUMENT and sends nothing', async () => {
    await start();
    const n = rig.responder.received.length;
    for (const lines of [['x'.repeat(17)], ['a', 'b', 'c'], ['Gebühr']]) {
      const r = await settle(display.show(screen(lines)));
      expect(r.ok ? undefined : r.error.code).toBe('INVALID_ARGUMENT');
    }
    expect(rig.responder.received.length).toBe(n);
  });

  it('sends $ ^ * as ? (they would end or corrupt the command on the board)', async () => {
    await start();
    expect(encodeLcdRow('a$b^c*d')).toBe(`a?b?c?d${'\u00ef'.repeat(9)}`);
    await settle(display.show(screen(['Pay $5 ^ *'])));
    expect(lcdLines()[0]).toBe('Pay ?5 ? ?');
  });

  it('firmware without $F0 redraws its own status on a state change: the rows are written again', async () => {
    await start({ lcdUpdateCommand: false });
    await settle(display.show(screen(['Tap card', 'or plug in'], 'action')));
    expect(lcdLines()).toEqual(['Tap card', 'or plug in']);
    await rig.responder.setVehicle('B');
    await until('the board to overwrite and the display to redraw', () => lcdLines()[0] === 'Tap card' && sent('FP').length >= 3, 10_000, 5, () => rig.advance(500));
    expect(lcdLines()).toEqual(['Tap card', 'or plug in']);
  });

  it('the port lost: PORT_LOST; content asked for meanwhile is shown once it is back, then the fault clears', async () => {
    await start();
    const faults: string[] = [];
    display.on('fault', (e) => faults.push(e.code));
    display.on('faultCleared', (c) => faults.push(`cleared:${c}`));
    await settle(display.show(screen(['Ready'])));
    await rig.unplug();
    await until('the loss to be noticed', () => display.activeFaults.has('PORT_LOST'), 10_000, 20, () => rig.advance(500));
    const r = await settle(display.show(screen(['Out of order'], 'fault')));
    expect(r.ok ? undefined : r.error.code).toBe('PORT_LOST');
    await rig.replug();
    await until('the content to be redrawn', () => lcdLines()[0] === 'Out of order' && display.activeFaults.size === 0, 10_000, 20, () => rig.advance(500));
    expect(rig.responder.lcd.backlight).toBe(1);
    expect(faults).toEqual(['PORT_LOST', 'cleared:PORT_LOST']);
  });

  it('a write the board does not answer is DISPLAY_FAULT; once it answers its polls again the screen is written and the fault clears', async () => {
    await start();
    rig.responder.mode = 'silent';
    const r = await settle(display.show(screen(['Hello'])));
    expect(r.ok ? undefined : r.error.code).toBe('DISPLAY_FAULT');
    expect(display.activeFaults.has('DISPLAY_FAULT')).toBe(true);
    rig.responder.mode = 'answer';
    await until('the screen to be redrawn', () => lcdLines()[0] === 'Hello' && display.activeFaults.size === 0, 10_000, 20, () => rig.advance(500));
  });

  it('the board rebooted ($AB): its start screen is replaced by the last content again', async () => {
    await start();
    await settle(display.show(screen(['Charging', '3.00 kWh'], 'charging')));
    await rig.responder.reboot();
    await until('the screen to be redrawn after the reboot', () => lcdLines()[0] === 'Charging' && !rig.responder.lcd.ownScreen, 10_000, 20, () => rig.advance(200));
    expect(lcdLines()).toEqual(['Charging', '3.00 kWh']);
    expect(rig.responder.lcd.backlight).toBe(6);
  });
});
