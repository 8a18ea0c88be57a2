/**
 * `evse csms --tariff` and `evse run` with a console display, both as processes over a WebSocket on
 * 127.0.0.1: the driver sees the price, the cost rising and the total (OCA California Pricing).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnEvse, type EvseProcess } from './support/spawnEvse.js';
import { until } from './support/until.js';

const CP = 'TARIFF-CP1';
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});
const track = (p: EvseProcess): EvseProcess => {
  cleanups.push(() => p.stop('SIGKILL'));
  return p;
};
const lastScreen = (out: string): string => `┌${out.split('┌').at(-1) ?? ''}`;
/** The text inside the drawn boxes, display lines joined by spaces (a wrapped text reads whole again). */
const shownText = (out: string): string => [...out.matchAll(/^│(.*)│$/gm)].map((m) => m[1]!.trim()).filter(Boolean).join(' ');

describe('evse csms --tariff', () => {
  it('prices a session end to end: price after authorization, the cost so far rising, the total with the receipt', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'evse-tariff-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const tariffFile = join(dir, 'tariff.yaml');
    await writeFile(tariffFile, 'currency: EUR\nflatFee: 1\nkWhPrice: 0.4\nhourPrice: 0\nreceiptUrl: https://charge.example/receipt/{transactionId}\n');
    const csms = track(spawnEvse(['csms', '--port', '0', '--api-port', '0', '--no-interactive', '--quiet', '--tariff', tariffFile], {}));
    await until('the CSMS and its API to listen', () => /HTTP API on http:\/\/127\.0\.0\.1:\d+/.test(csms.stderr()), 15_000);
    const ws = /listening on (ws:\/\/127\.0\.0\.1:\d+)/.exec(csms.stderr())![1]!;
    const api = /HTTP API on (http:\/\/127\.0\.0\.1:\d+)/.exec(csms.stderr())![1]!;
    const evse = track(
      spawnEvse(['run'], {
        EVSE_CSMS_URL: ws,
        EVSE_CHARGE_POINT_ID: CP,
        EVSE_DATA_DIR: join(dir, 'data'),
        EVSE_SIM_EV_CONNECTED: '1',
        EVSE_LOG_LEVEL: 'warn',
        EVSE_DISPLAY: 'console',
        EVSE_DISPLAY_CURRENCY: 'EUR',
      }),
    );
    await until('the vehicle-connected screen', () => lastScreen(evse.stdout()).includes('Vehicle connected'), 20_000);
    const call = async (action: string, body: unknown) => {
      const res = await fetch(`${api}/chargers/${CP}/calls/${action}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(15_000) });
      return (await res.json()) as Record<string, unknown>;
    };
    expect(await call('ChangeConfiguration', { key: 'AuthorizeRemoteTxRequests', value: 'true' })).toMatchObject({ status: 'Accepted' });
    expect(await call('ChangeConfiguration', { key: 'MeterValueSampleInterval', value: '5' })).toMatchObject({ status: 'Accepted' });
    expect(await call('RemoteStartTransaction', { connectorId: 1, idTag: 'APP-1' })).toMatchObject({ status: 'Accepted' });
    // The charging screen has more lines than the 20x4 display: its pages take turns.
    await until('the cost so far', () => /Cost so far 1\.\d\d EUR/.test(evse.stdout()), 20_000);
    await until('the price text', () => shownText(evse.stdout()).includes('0.40 EUR/kWh, 1.00 EUR per session'), 10_000);
    const first = Number(/Cost so far (1\.\d\d) EUR/.exec(evse.stdout())![1]);
    await until('the cost to rise', () => [...evse.stdout().matchAll(/Cost so far ([\d.]+) EUR/g)].some((m) => Number(m[1]) > first), 30_000, 200);
    const stoppedAt = evse.stdout().length;
    expect(await call('RemoteStopTransaction', { transactionId: 1 })).toMatchObject({ status: 'Accepted' });
    const since = (): string => evse.stdout().slice(stoppedAt);
    await until('the total and the receipt', () => /Total [\d.]+ EUR/.test(since()) && lastScreen(since()).includes('QR: https://charge.example/receipt/1'), 20_000);
  }, 90_000);

  it('a tariff file that is wrong is a usage error naming the key (exit 64)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'evse-tariff-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    await writeFile(join(dir, 'bad.yaml'), 'currency: EUR\nkWhPrice: cheap\n');
    const p = track(spawnEvse(['csms', '--no-interactive', '--tariff', join(dir, 'bad.yaml')], {}));
    expect(await p.exited).toBe(64);
    expect(p.stderr()).toMatch(/^evse csms: --tariff: .*bad\.yaml: kWhPrice: expected a price of 0 or more, got "cheap"/m);
  });
});
