/**
 * `evse run` with a console display, as a separate process against the embedded strict CSMS over a
 * real WebSocket on 127.0.0.1: the screens a driver reads, and the operator's messages set over
 * DataTransfer (docs/display.md), kept across a restart.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedCsms } from '../scenarios/csms/EmbeddedCsms.js';
import { DISPLAY_MESSAGE_VENDOR_ID } from '../agent/display/operatorMessageVendor.js';
import { spawnEvse, type EvseProcess } from './support/spawnEvse.js';
import { until } from './support/until.js';

const CP = 'DISPLAY-CP1';
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

async function start(csmsUrl: string, dataDir: string, env: Record<string, string> = {}): Promise<EvseProcess> {
  const p = spawnEvse(['run'], {
    ...env,
    EVSE_CSMS_URL: csmsUrl,
    EVSE_CHARGE_POINT_ID: CP,
    EVSE_DATA_DIR: dataDir,
    EVSE_SIM_EV_CONNECTED: '1',
    EVSE_LOG_LEVEL: 'warn',
    EVSE_DISPLAY: 'console',
    EVSE_SUPPORT_PHONE: '+49 30 1234567',
    EVSE_DISPLAY_QR_URL: 'https://charge.example/{chargePointId}/{connectorId}?do={action}',
  });
  cleanups.push(() => p.stop('SIGKILL'));
  return p;
}

/** The last screen drawn on standard output (the box ConsoleDisplay draws). */
function lastScreen(out: string): string {
  const boxes = out.split('┌');
  return `┌${boxes.at(-1) ?? ''}`;
}

describe('evse run with a console display', () => {
  it('shows the screens a driver reads; operator messages set over DataTransfer are shown and kept across a restart', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'evse-display-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const csms = new EmbeddedCsms();
    const { url } = await csms.start();
    cleanups.push(() => csms.stop());
    let evse = await start(url, dataDir);
    await csms.waitForCall(CP, 'StatusNotification', { connectorId: 1, status: 'Preparing' }, 15_000);
    await until('the vehicle-connected screen', () => lastScreen(evse.stdout()).includes('Vehicle connected'), 10_000);
    expect(lastScreen(evse.stdout())).toContain(`QR: https://charge.example/${CP}/1?do=start`);

    expect(await csms.call(CP, 'RemoteStartTransaction', { connectorId: 1, idTag: 'APP-1' })).toEqual({ status: 'Accepted' });
    await until('the charging screen', () => /Charging \d+\.\d kW/.test(lastScreen(evse.stdout())), 15_000);

    const set = await csms.call(CP, 'DataTransfer', {
      vendorId: DISPLAY_MESSAGE_VENDOR_ID,
      messageId: 'SetDisplayMessage',
      data: JSON.stringify({ message: { id: 7, priority: 'AlwaysFront', message: { format: 'UTF8', language: 'en', content: 'Free charging this weekend' } } }),
    });
    expect(set).toEqual({ status: 'Accepted', data: JSON.stringify({ status: 'Accepted' }) });
    await until('the operator message', () => lastScreen(evse.stdout()).includes('Free charging this'), 10_000);
    const unknown = await csms.call(CP, 'DataTransfer', { vendorId: DISPLAY_MESSAGE_VENDOR_ID, messageId: 'Nope', data: '{}' });
    expect(unknown.status).toBe('UnknownMessageId');

    expect((await evse.stop('SIGTERM')).code).toBe(0);
    const since = csms.mark();
    evse = await start(url, dataDir);
    await until('the operator message after the restart', () => lastScreen(evse.stdout()).includes('Free charging this'), 15_000);
    await csms.waitForCall(CP, 'StatusNotification', { connectorId: 0 }, { since, timeoutMs: 15_000 });
    const got = await csms.call(CP, 'DataTransfer', { vendorId: DISPLAY_MESSAGE_VENDOR_ID, messageId: 'GetDisplayMessages', data: JSON.stringify({ requestId: 1 }) });
    expect(JSON.parse(got.data!)).toEqual({ status: 'Accepted', messageInfo: [expect.objectContaining({ id: 7, priority: 'AlwaysFront' })] });
    const cleared = await csms.call(CP, 'DataTransfer', { vendorId: DISPLAY_MESSAGE_VENDOR_ID, messageId: 'ClearDisplayMessage', data: JSON.stringify({ id: 7 }) });
    expect(JSON.parse(cleared.data!)).toEqual({ status: 'Accepted' });
    await until('the charger screen again', () => !lastScreen(evse.stdout()).includes('Free charging'), 10_000);
    expect(csms.violations(CP).filter((v) => v.by === 'chargePoint')).toEqual([]);
  });

  it('OCPP 2.0.1: SetDisplayMessage shows on the same screen, kept across a restart; GetDisplayMessages reports it, ClearDisplayMessage removes it', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'evse-display201-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const csms = new EmbeddedCsms();
    const { url } = await csms.start();
    cleanups.push(() => csms.stop());
    let evse = await start(url, dataDir, { EVSE_OCPP_VERSION: '2.0.1' });
    await csms.waitForCall201(CP, 'StatusNotification', { evseId: 1 }, { timeoutMs: 15_000 });
    const message = { id: 7, priority: 'AlwaysFront' as const, message: { format: 'UTF8' as const, language: 'en', content: 'Free charging this weekend' } };
    expect(await csms.call201(CP, 'SetDisplayMessage', { message })).toEqual({ status: 'Accepted' });
    await until('the display message', () => lastScreen(evse.stdout()).includes('Free charging this'), 10_000);

    expect((await evse.stop('SIGTERM')).code).toBe(0);
    const since = csms.mark();
    evse = await start(url, dataDir, { EVSE_OCPP_VERSION: '2.0.1' });
    await until('the display message after the restart', () => lastScreen(evse.stdout()).includes('Free charging this'), 15_000);
    await csms.waitForCall201(CP, 'StatusNotification', { evseId: 1 }, { since, timeoutMs: 15_000 });
    expect(await csms.call201(CP, 'GetDisplayMessages', { requestId: 3 })).toEqual({ status: 'Accepted' });
    const notify = await csms.waitForCall201(CP, 'NotifyDisplayMessages', { requestId: 3 }, { since, timeoutMs: 10_000 });
    expect(notify.payload.messageInfo).toEqual([message]);
    expect(await csms.call201(CP, 'ClearDisplayMessage', { id: 7 })).toEqual({ status: 'Accepted' });
    await until('the charger screen again', () => !lastScreen(evse.stdout()).includes('Free charging'), 10_000);
    expect(csms.violations(CP)).toEqual([]);
  });

  it('an invalid display setting stops evse with exit 78 naming the key', async () => {
    const p = spawnEvse(['run'], { EVSE_DISPLAY: 'oled', EVSE_LOG_LEVEL: 'silent' });
    cleanups.push(() => p.stop('SIGKILL'));
    expect(await p.exited).toBe(78);
    expect(p.stderr()).toMatch(/^evse: invalid configuration: display.type: expected "none", "sim", "console", "rapi" .*, got "oled" \(from EVSE_DISPLAY\)$/m);
  });
});
