/**
 * The dashboard server in-process on 127.0.0.1:0 with an Agent whose hardware the dashboard is not
 * given handles for, as with real (serial) devices: it shows, but does not act.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { agentFixture, cleanupAgents } from '../../test/support/agentFixture.js';
import { ChargerFeed } from './ChargerFeed.js';
import { DashboardServer } from './DashboardServer.js';
import { followEvents } from '../../test/support/dashboardProcess.js';

afterEach(cleanupAgents);

describe('DashboardServer with real hardware', () => {
  it('shows the charger without controls and refuses the sim actions with 409', async () => {
    const f = await agentFixture();
    const feed = new ChargerFeed({ clock: f.clock, csmsUrl: 'x' });
    feed.attach(f.agent); // no simulated handles: real hardware
    const server = new DashboardServer({ feed, config: () => ({}), host: '127.0.0.1', port: 0 });
    const { url } = await server.start();
    try {
      const status = (await (await fetch(new URL('/api/status', url))).json()) as { hal: string; simControls: boolean; connectors: { plugged?: boolean }[] };
      expect(status).toMatchObject({ hal: 'serial', simControls: false });
      expect(status.connectors[0]!.plugged).toBeUndefined();
      for (const [method, path, body] of [['POST', '/api/connectors/1/plug', {}], ['POST', '/api/rfid', { uid: '04A2B3C4' }], ['POST', '/api/faults', { device: 'meter', kind: 'timeout' }], ['DELETE', '/api/faults', undefined]] as const) {
        const res = await fetch(new URL(path, url), { method, headers: { 'content-type': 'application/json' }, ...(body && { body: JSON.stringify(body) }) });
        expect(res.status, `${method} ${path}`).toBe(409);
        expect(await res.json()).toEqual({ error: expect.stringMatching(/^the hardware is real \(hal.driver serial\)/) });
      }
      feed.detach();
      expect(await fetch(new URL('/api/status', url)).then((r) => r.status)).toBe(503);
      const page = await fetch(url);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
      expect(await page.text()).toContain('<script src="/vendor/uPlot.iife.min.js">');
      const uplot = await fetch(new URL('/vendor/uPlot.iife.min.js', url));
      expect(uplot.status).toBe(200);
      expect(await uplot.text()).toMatch(/uPlot/);
    } finally {
      feed.close();
      await server.stop();
    }
  });
});

describe('DashboardServer limits', () => {
  it('bounds the event-stream clients and the body size, and ends every stream with `closing` when it stops', async () => {
    const f = await agentFixture();
    const feed = new ChargerFeed({ clock: f.clock, csmsUrl: 'x' });
    feed.attach(f.agent, f.sim);
    const server = new DashboardServer({ feed, config: () => ({}), host: '127.0.0.1', port: 0, maxClients: 1 });
    const { url } = await server.start();
    const events = new URL('/api/events', url).href;
    const first = await followEvents(events);
    try {
      await first.next('snapshot');
      const second = await fetch(events);
      expect(second.status).toBe(503);
      expect(await second.json()).toEqual({ error: 'too many event-stream clients (at most 1)' });
      const big = await fetch(new URL('/api/rfid', url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ uid: 'A'.repeat(20_000) }) });
      expect(big.status).toBe(413);
      expect(await big.json()).toEqual({ error: 'request body larger than 16384 bytes' });
      await server.stop();
      expect((await first.next('closing')).data).toEqual({ reason: 'the charger is stopping' });
    } finally {
      await first.close();
      feed.close();
    }
  });
});
