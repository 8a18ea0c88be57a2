/**
 * The dashboard in a real browser: Debian's chromium (/usr/bin/chromium, installed by .ci/run)
 * driven by playwright-core opens the page of a running `evse run` with simulated hardware, plugs
 * in, taps a card, sees Charging and the energy rise, and takes a screenshot.
 *
 * A priced session (the embedded CSMS's tariff, OCA California Pricing, a simulated 20x4 display)
 * shows the display and the cost rising. The screenshots go to a temporary directory; with
 * UPDATE_SCREENSHOTS=1 the priced session's also replace docs/images/dashboard.png and
 * docs/images/display.png, the ones the README shows.
 */
import { existsSync } from 'node:fs';
import { copyFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { HAL_ERRORS } from '../hal/errors.js';
import { CsmsTariff } from '../scenarios/csms/CsmsTariff.js';
import { evseRig } from './support/evseRig.js';
import { startDashboardProcess } from './support/dashboardProcess.js';

const CHROMIUM = process.env.EVSE_TEST_CHROMIUM ?? '/usr/bin/chromium';
const README_SCREENSHOT = fileURLToPath(new URL('../docs/images/dashboard.png', import.meta.url));
const README_DISPLAY = fileURLToPath(new URL('../docs/images/display.png', import.meta.url));

const rig = evseRig();
afterEach(rig.release);

async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the dashboard browser test needs Debian's chromium (apt-get install chromium; .ci/run installs it), or EVSE_TEST_CHROMIUM=<path to a Chromium>`);
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  rig.cleanups.push(() => browser.close());
  return browser;
}

/** The session energy of connector 1 as the page shows it, kWh. */
const sessionEnergy = (page: Page) => page.locator('#connector-1 [data-field=session-energy]').textContent().then((t) => Number.parseFloat(t ?? ''));

describe('dashboard in a browser', () => {
  it('plugs in, taps a card, shows Charging and the energy rising, and takes a screenshot', { timeout: 90_000 }, async () => {
    const { url, csms, chargePointId } = await startDashboardProcess(rig, { EVSE_CONNECTORS: '2' });
    const browser = await launch();
    const page = await browser.newPage({ viewport: { width: 1100, height: 1000 } });
    page.setDefaultTimeout(20_000);
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(url);

    await page.locator('#live', { hasText: 'live' }).waitFor();
    await page.locator('#ocpp', { hasText: 'OCPP accepted' }).waitFor();
    const connector = page.locator('#connector-1');
    await connector.locator('[data-field=status]', { hasText: 'Available' }).waitFor();
    await expect(page.locator('#connector-2 [data-field=status]').textContent()).resolves.toBe('Available');

    await connector.getByRole('button', { name: 'Plug in' }).click();
    await connector.locator('[data-field=plugged]', { hasText: 'plugged in' }).waitFor();
    await connector.locator('[data-field=status]', { hasText: 'Preparing' }).waitFor();
    await page.locator('#uid').fill('04A2B3C4D5E6F7');
    await page.getByRole('button', { name: 'Tap card' }).click();

    await connector.locator('[data-field=status]', { hasText: 'Charging' }).waitFor();
    await csms.waitForCall(chargePointId, 'StartTransaction', { connectorId: 1, idTag: '04A2B3C4D5E6F7' }, 5000);
    await expect(connector.locator('[data-field=screen]').textContent()).resolves.toMatch(/^Charging\n\d+\.\d kW/);
    // The page learns of the transaction with the agent's 'started' event, which follows the
    // journal write: it may be a view behind the status (and the CSMS) for a moment.
    await connector.locator('[data-field=transaction]', { hasText: /card 04A2…/ }).waitFor();
    // The simulated EVSE's temperature sensor (hal.sim.temperatureSensor) and the limit in force.
    await expect(connector.locator('[data-field=temperature]').textContent()).resolves.toBe('25.0 °C');
    await expect(connector.locator('[data-field=limit]').textContent()).resolves.toBe('32 A (hardware)');
    // The energy rises while the page watches (22 kW: 0.01 kWh every 1.6 s).
    await expect.poll(() => sessionEnergy(page), { timeout: 20_000, interval: 200 }).toBeGreaterThanOrEqual(0.01);
    const first = await sessionEnergy(page);
    await expect.poll(() => sessionEnergy(page), { timeout: 20_000, interval: 200 }).toBeGreaterThan(first);
    const running = page.locator('#transactions tbody tr', { hasText: 'running' });
    await running.waitFor();
    await expect.poll(() => running.locator('td').nth(5).textContent().then((t) => Number.parseFloat(t ?? '')), { timeout: 20_000, interval: 200 }).toBeGreaterThan(0);
    expect(await page.locator('#chart canvas').count()).toBeGreaterThan(0);
    if (process.env.UPDATE_SCREENSHOTS === '1') await page.waitForTimeout(15_000); // a graph worth showing in the README

    const shot = join(await rig.tempDir('evse-dashboard-shot-'), 'dashboard.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect((await stat(shot)).size).toBeGreaterThan(20_000);

    // A fault injected on the page shows with its explanation, and clears.
    await connector.locator('[data-field=fault-kind]').selectOption('pilot:E');
    await connector.getByRole('button', { name: 'Inject fault' }).click();
    await connector.locator('[data-field=status]', { hasText: 'Faulted' }).waitFor();
    await expect(connector.locator('[data-field=faults] li').first().textContent()).resolves.toContain(`PILOT_FAULT (OtherError)${HAL_ERRORS.PILOT_FAULT.text}: clears by itself`);
    await expect(connector.locator('[data-field=screen]').textContent()).resolves.toBe(`Out of order\n${HAL_ERRORS.PILOT_FAULT.text}`);
    await connector.getByRole('button', { name: 'Clear faults' }).click();
    await connector.locator('[data-field=status]', { hasText: 'Charging' }).waitFor();
    expect(await connector.locator('[data-field=faults] li').count()).toBe(0);

    // The configuration, read-only.
    await page.locator('#config summary').click();
    await page.locator('#ocpp-keys tbody tr', { hasText: 'HeartbeatInterval' }).waitFor();
    await expect(page.locator('#settings').textContent()).resolves.toContain(`"id": "${chargePointId}"`);

    // The CSMS connection dropped and restored from the page.
    await page.getByRole('button', { name: 'Drop connection' }).click();
    await page.locator('#ocpp', { hasText: 'OCPP stopped' }).waitFor();
    await page.getByRole('button', { name: 'Reconnect' }).click();
    await page.locator('#ocpp', { hasText: 'OCPP accepted' }).waitFor();
    expect(pageErrors).toEqual([]);
  });

  it('a priced session: the display shows the price and the cost so far, the cost rises in the transactions; screenshots for the README', { timeout: 90_000 }, async () => {
    const { url, csms } = await startDashboardProcess(rig, { EVSE_DISPLAY: 'sim', EVSE_DISPLAY_CURRENCY: 'EUR', EVSE_SUPPORT_PHONE: '+49 30 1234567' });
    const tariff = new CsmsTariff(csms, { currency: 'EUR', flatFee: 0.5, kWhPrice: 0.39, hourPrice: 0, idle: { graceMinutes: 30, hourPrice: 6 } });
    tariff.attach();
    rig.cleanups.push(async () => tariff.detach());
    const browser = await launch();
    const page = await browser.newPage({ viewport: { width: 1100, height: 1000 } });
    page.setDefaultTimeout(20_000);
    await page.goto(url);
    await page.locator('#ocpp', { hasText: 'OCPP accepted' }).waitFor();
    const connector = page.locator('#connector-1');
    const screen = connector.locator('[data-field=screen]');
    await expect(connector.locator('[data-field=screen-source]').textContent()).resolves.toBe('what the driver display shows');
    await connector.getByRole('button', { name: 'Plug in' }).click();
    await screen.filter({ hasText: 'Vehicle connected' }).waitFor();
    await page.locator('#uid').fill('04A2B3C4D5E6F7');
    await page.getByRole('button', { name: 'Tap card' }).click();
    await connector.locator('[data-field=status]', { hasText: 'Charging' }).waitFor();
    // The 20x4 display shows the charging screen in pages: kW, kWh, time and the cost so far first.
    await screen.filter({ hasText: /Cost so far 0\.\d\d EUR/ }).waitFor();
    const running = page.locator('#transactions tbody tr', { hasText: 'running' });
    const cost = () => running.locator('td').nth(7).textContent().then((t) => Number.parseFloat(t ?? ''));
    await expect.poll(cost, { timeout: 20_000, interval: 200 }).toBeGreaterThanOrEqual(0.5);
    const first = await cost();
    await expect.poll(cost, { timeout: 30_000, interval: 200 }).toBeGreaterThan(first);
    if (process.env.UPDATE_SCREENSHOTS === '1') await page.waitForTimeout(15_000); // a graph worth showing in the README
    const dir = await rig.tempDir('evse-dashboard-shot-');
    const shot = join(dir, 'dashboard.png');
    const displayShot = join(dir, 'display.png');
    await screen.filter({ hasText: /Cost so far/ }).waitFor();
    await screen.screenshot({ path: displayShot });
    await page.screenshot({ path: shot, fullPage: true });
    expect((await stat(shot)).size).toBeGreaterThan(20_000);
    expect((await stat(displayShot)).size).toBeGreaterThan(1000);
    if (process.env.UPDATE_SCREENSHOTS === '1') {
      await copyFile(shot, README_SCREENSHOT);
      await copyFile(displayShot, README_DISPLAY);
    }
  });

  it('works behind the password: with the credentials the browser asked for, the live updates follow', { timeout: 60_000 }, async () => {
    const password = 'bench-Pass-1';
    const { url } = await startDashboardProcess(rig, { EVSE_DASHBOARD_PASSWORD: password });
    const browser = await launch();
    // Without credentials the page itself is refused (test/dashboard.api.test.ts checks the 401).
    const context = await browser.newContext({ httpCredentials: { username: 'technician', password } });
    const page = await context.newPage();
    await page.goto(url);
    await page.locator('#live', { hasText: 'live' }).waitFor({ timeout: 20_000 });
    await page.locator('#ocpp', { hasText: 'OCPP accepted' }).waitFor({ timeout: 20_000 });
    await page.locator('#connector-1').getByRole('button', { name: 'Plug in' }).click();
    await page.locator('#connector-1 [data-field=status]', { hasText: 'Preparing' }).waitFor({ timeout: 20_000 });
  });

  it('fits a phone screen: nothing wider than the viewport', { timeout: 60_000 }, async () => {
    const { url } = await startDashboardProcess(rig);
    const browser = await launch();
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await page.goto(url);
    await page.locator('#live', { hasText: 'live' }).waitFor({ timeout: 20_000 });
    await page.locator('#connector-1 [data-field=status]', { hasText: 'Available' }).waitFor({ timeout: 20_000 });
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
  });
});
