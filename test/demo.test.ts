/**
 * `npm run demo` as a new user runs it: one session against the embedded strict CSMS, exit 0, and
 * the order the CSMS saw is causal (StartTransaction before Charging, StopTransaction before Available);
 * the same in OCPP 2.0.1 (`--ocpp 2.0.1`).
 */
import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { spawnEvse } from './support/spawnEvse.js';
import { until } from './support/until.js';

describe('evse demo', () => {
  it('exits 0 with one transaction, and the CSMS saw StartTransaction before Charging and StopTransaction before Available', async () => {
    const demo = spawnEvse(['demo', '--json'], { EVSE_LOG_LEVEL: 'silent' });
    expect(await demo.exited).toBe(0);
    const lines = demo.stdout().trim().split('\n').map((l) => JSON.parse(l) as { type: string; order?: string[]; ok?: boolean });
    const order = lines.find((l) => l.type === 'summary' && l.order)!;
    expect(order.ok).toBe(true);
    const trail = order.order!;
    expect(trail.indexOf('StartTransaction')).toBeLessThan(trail.indexOf('Charging'));
    expect(trail.indexOf('StopTransaction')).toBeLessThan(trail.lastIndexOf('Available'));
    expect(trail.at(-1)).toBe('Available');
  });

  it('--ocpp 2.0.1: the same session in OCPP 2.0.1, TransactionEvents in order, no violation', async () => {
    const demo = spawnEvse(['demo', '--ocpp', '2.0.1', '--json', '--minutes', '30'], { EVSE_LOG_LEVEL: 'silent' });
    expect(await demo.exited).toBe(0);
    const lines = demo.stdout().trim().split('\n').map((l) => JSON.parse(l) as { type: string; order?: string[]; ok?: boolean; violations?: number; ocppVersion?: string; action?: string; direction?: string; payload?: { eventType?: string; seqNo?: number; triggerReason?: string } });
    const [summary, order] = lines.filter((l) => l.type === 'summary');
    expect(summary).toMatchObject({ ok: true, violations: 0, ocppVersion: '2.0.1', stopReason: 'EVDisconnected' });
    expect(order).toMatchObject({ ok: true, order: ['Occupied', 'TransactionEvent Started', 'TransactionEvent Ended', 'Available'] });
    const events = lines.filter((l) => l.type === 'ocpp' && l.action === 'TransactionEvent' && l.direction === 'in' && l.payload?.seqNo !== undefined);
    // The driver ends charging in the car before unplugging: the EV's pause is a ChargingStateChanged.
    expect(events.map((e) => `${e.payload!.eventType} ${e.payload!.seqNo} ${e.payload!.triggerReason}`)).toEqual(['Started 0 Authorized', 'Updated 1 MeterValuePeriodic', 'Updated 2 MeterValuePeriodic', 'Updated 3 ChargingStateChanged', 'Ended 4 EVCommunicationLost']);
    // The tariff's prices and costs on the driver display, as in the 1.6 demo, carried by the 2.0.1 answers.
    const shown = demo.stdout().trim().split('\n').map((l) => JSON.parse(l) as { type: string; lines?: string[]; qr?: string }).filter((l) => l.type === 'display');
    expect(shown.some((d) => d.lines!.some((l) => /^Cost so far \d+\.\d\d EUR$/.test(l)))).toBe(true);
    expect(shown.some((d) => d.lines!.some((l) => l.startsWith('0.39 EUR/kWh')))).toBe(true);
    expect(shown.at(-1)?.qr).toMatch(/^https:\/\/charge\.example\/receipt\/\d+$/);
    expect(lines.filter((l) => l.type === 'ocpp' && l.action === 'DataTransfer')).toEqual([]);
    expect(lines.filter((l) => l.type === 'ocpp' && l.action === 'TransactionEvent' && l.direction === 'out' && (l.payload as { totalCost?: number }).totalCost !== undefined)).toHaveLength(5);
  });

  it('--json: stdout is JSON lines only, also as README runs it through npm (npm run -s demo -- --json)', { timeout: 30_000 }, async () => {
    const npm = spawn('npm', ['run', '-s', 'demo', '--', '--json', '--log-level', 'info'], { cwd: fileURLToPath(new URL('..', import.meta.url)), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    npm.stdout.on('data', (d: Buffer) => (out += d.toString()));
    npm.stderr.on('data', (d: Buffer) => (err += d.toString()));
    expect(await new Promise((resolve) => npm.on('exit', resolve))).toBe(0);
    const lines = out.split('\n').filter((l) => l !== '');
    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ type: expect.stringMatching(/^(status|ocpp|card|step|energy|display|summary)$/) });
    // The logs (info) went to stderr.
    expect(err).toMatch(/BootNotification answered/);
  });

  it('--security: security profile 2 end to end (wss://, the demo CA, password), StartupOfTheDevice reported, a downgrade refused', async () => {
    const demo = spawnEvse(['demo', '--security', '--json', '--minutes', '15'], { EVSE_LOG_LEVEL: 'silent' });
    expect(await demo.exited).toBe(0);
    const lines = demo.stdout().trim().split('\n').map((l) => JSON.parse(l) as { type: string; text: string; ok?: boolean; action?: string; payload?: { type?: string } });
    expect(lines.find((l) => l.type === 'security' && l.ok !== undefined)).toMatchObject({ ok: true, text: expect.stringContaining('Rejected; profile still 2; AuthorizationKey not readable') });
    expect(lines.some((l) => l.type === 'ocpp' && l.action === 'SecurityEventNotification' && l.payload?.type === 'StartupOfTheDevice')).toBe(true);
    expect(lines.find((l) => l.type === 'security')?.text).toMatch(/^security profile 2: wss:\/\/127\.0\.0\.1:\d+/);
  });

  it('--ocpp 2.0.1 --security: profile 2 over 2.0.1, the downgrade refused with SetVariables, BasicAuthPassword WriteOnly', async () => {
    const demo = spawnEvse(['demo', '--ocpp', '2.0.1', '--security', '--json', '--minutes', '15'], { EVSE_LOG_LEVEL: 'silent' });
    expect(await demo.exited).toBe(0);
    type Line = { type: string; text: string; ok?: boolean; action?: string; kind?: string; payload?: Record<string, unknown> };
    const lines = demo.stdout().trim().split('\n').map((l) => JSON.parse(l) as Line);
    expect(lines.find((l) => l.type === 'security')?.text).toMatch(/^security profile 2: wss:\/\/127\.0\.0\.1:\d+/);
    expect(lines.find((l) => l.type === 'security' && l.ok !== undefined)).toMatchObject({
      ok: true,
      text: expect.stringContaining('SecurityCtrlr.SecurityProfile to 1: Rejected; profile still 2; SecurityCtrlr.BasicAuthPassword not readable; StartupOfTheDevice reported'),
    });
    // The wire spoke 2.0.1: the station's answers to the CSMS's SetVariables / GetVariables, its security event.
    const answer = (action: string) => lines.find((l) => l.type === 'ocpp' && l.action === action && l.kind === 'result')?.payload;
    expect(answer('SetVariables')).toMatchObject({ setVariableResult: [{ attributeStatus: 'Rejected', variable: { name: 'SecurityProfile' } }] });
    expect(answer('GetVariables')).toMatchObject({ getVariableResult: [{ attributeStatus: 'Accepted', attributeValue: '2' }, { attributeStatus: 'Rejected', variable: { name: 'BasicAuthPassword' } }] });
    expect(lines.some((l) => l.type === 'ocpp' && l.action === 'SecurityEventNotification' && l.payload?.type === 'StartupOfTheDevice')).toBe(true);
    expect(lines.find((l) => l.type === 'summary' && l.ok !== undefined)).toMatchObject({ ok: true, ocppVersion: '2.0.1', violations: 0 });
  });

  it('--dashboard: runs the charger in real time with its dashboard on 127.0.0.1 until Ctrl-C, driven through the API', { timeout: 30_000 }, async () => {
    const demo = spawnEvse(['demo', '--dashboard', '--dashboard-port', '0', '--json'], { EVSE_LOG_LEVEL: 'silent' });
    try {
      await until('the dashboard line', () => demo.stdout().includes('\n') || demo.child.exitCode !== null, 15_000);
      const line = JSON.parse(demo.stdout().split('\n')[0]!) as { type: string; url: string; chargePointId: string };
      expect(line).toMatchObject({ type: 'dashboard', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/$/), chargePointId: 'DEMO-CP1' });
      type Connector = { status: string; screen: { source: string; lines: string[] }; transaction?: { cost?: { amount: number; currency: string } } };
      const status = async () => (await (await fetch(new URL('/api/status', line.url))).json()) as { ocpp: { accepted: boolean }; connectors: Connector[] };
      let s = await status();
      await until('accepted by the embedded CSMS', () => s.ocpp.accepted, 10_000, 100, async () => (s = await status()));
      expect(s.connectors.map((c) => c.status)).toEqual(['Available', 'Available']);
      const post = (path: string, body: unknown) => fetch(new URL(path, line.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect((await post('/api/connectors/2/plug', {})).status).toBe(200);
      expect((await post('/api/rfid', { uid: '04A2B3C4' })).status).toBe(202);
      await until('connector 2 charging', () => s.connectors[1]?.status === 'Charging', 10_000, 100, async () => (s = await status()));
      // Priced by the demo tariff, shown on connector 2's own display.
      await until('the cost so far', () => s.connectors[1]?.transaction?.cost !== undefined, 10_000, 100, async () => (s = await status()));
      expect(s.connectors[1]!.transaction!.cost).toMatchObject({ amount: expect.any(Number), currency: 'EUR' });
      expect(s.connectors[1]!.screen.source).toBe('display');
      expect(s.connectors[0]!.screen.lines[0]).toBe('Ready to charge');
      expect((await demo.stop('SIGINT')).code).toBe(0);
    } finally {
      if (demo.child.exitCode === null) await demo.stop('SIGKILL');
    }
  });

  it('--dashboard on a port that is taken: exit 64, one line naming --dashboard-port', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = taken.address() as AddressInfo;
      const demo = spawnEvse(['demo', '--dashboard', '--dashboard-port', String(port)], { EVSE_LOG_LEVEL: 'silent' });
      expect(await demo.exited).toBe(64);
      expect(demo.stderr()).toBe(`evse demo: --dashboard-port: cannot listen on 127.0.0.1:${port}: listen EADDRINUSE: address already in use 127.0.0.1:${port}\n`);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
