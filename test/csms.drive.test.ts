/**
 * `evse csms` driven by an operator: the built CLI as a process, with its HTTP API and its prompt
 * (stdin piped, `--interactive`), and a real `evse run` (simulated hardware, EV plugged in)
 * connected to it over a WebSocket on 127.0.0.1.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnEvse, type EvseProcess } from './support/spawnEvse.js';
import { until } from './support/until.js';

const CP = 'DRIVE-CP1';

/** The exit code of a process that is expected to end by itself; fails after `ms`. */
async function exitOf(p: EvseProcess, ms = 10_000): Promise<number | string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`evse did not exit within ${ms} ms`)), ms)));
  try {
    return await Promise.race([p.exited, timeout]);
  } finally {
    clearTimeout(timer);
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  }
}

describe('evse csms driven through its HTTP API and prompt', () => {
  let csms: EvseProcess;
  let agent: EvseProcess | undefined;
  let dataDir: string;
  let api: string;

  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${api}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(15_000) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const chargers = async () => (await (await fetch(`${api}/chargers`, { signal: AbortSignal.timeout(5000) })).json()) as { id: string; connected: boolean; connectors: { connectorId: number; status?: string; transaction?: { transactionId: number; idTag: string } }[] }[];
  /** stdout lines of the CSMS from `from` (an offset into stdout) on. */
  const outputSince = (from: number) => csms.stdout().slice(from);

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'evse-csms-drive-'));
    csms = spawnEvse(['csms', '--port', '0', '--api-port', '0', '--interactive'], {}, { stdin: 'pipe' });
    await until('the CSMS and its API to listen', () => /HTTP API on http:\/\/127\.0\.0\.1:\d+/.test(csms.stdout()), 15_000);
    const ws = /listening on (ws:\/\/127\.0\.0\.1:\d+)/.exec(csms.stdout())![1]!;
    api = /HTTP API on (http:\/\/127\.0\.0\.1:\d+)/.exec(csms.stdout())![1]!;
    agent = spawnEvse(['run'], { EVSE_CSMS_URL: ws, EVSE_CHARGE_POINT_ID: CP, EVSE_DATA_DIR: dataDir, EVSE_SIM_EV_CONNECTED: '1', EVSE_LOG_LEVEL: 'warn' });
    let list: Awaited<ReturnType<typeof chargers>> = [];
    await until(
      `${CP} to connect and report connector 1 as Preparing`,
      () => {
        void chargers().then((l) => (list = l), () => undefined);
        return list.some((c) => c.id === CP && c.connected && c.connectors.some((k) => k.connectorId === 1 && k.status === 'Preparing'));
      },
      20_000,
      100,
    );
  });

  afterAll(async () => {
    if (agent && agent.child.exitCode === null) await agent.stop('SIGTERM').catch(() => agent?.stop('SIGKILL'));
    if (csms.child.exitCode === null) await csms.stop('SIGKILL').catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('starts a transaction with RemoteStartTransaction posted to the API', async () => {
    expect(await post(`/chargers/${CP}/calls/RemoteStartTransaction`, { idTag: 'OPERATOR1', connectorId: 1 })).toEqual({ status: 200, body: { status: 'Accepted' } });
    await until('StartTransaction at the CSMS', () => new RegExp(`${CP} → StartTransaction \\{connectorId:1, idTag:"OPER…"`).test(csms.stdout()), 15_000);
    let connector: { transaction?: { idTag: string }; status?: string } | undefined;
    await until(
      'the open transaction in GET /chargers',
      () => {
        void chargers().then((l) => (connector = l.find((c) => c.id === CP)?.connectors.find((k) => k.connectorId === 1)), () => undefined);
        return connector?.transaction?.idTag === 'OPERATOR1' && connector.status === 'Charging';
      },
      15_000,
      100,
    );
  });

  it('round-trips ChangeConfiguration and GetConfiguration', async () => {
    expect(await post(`/chargers/${CP}/calls/ChangeConfiguration`, { key: 'MeterValueSampleInterval', value: '7' })).toEqual({ status: 200, body: { status: 'Accepted' } });
    expect(await post(`/chargers/${CP}/calls/GetConfiguration`, { key: ['MeterValueSampleInterval'] })).toEqual({
      status: 200,
      body: { configurationKey: [{ key: 'MeterValueSampleInterval', readonly: false, value: '7' }] },
    });
  });

  it('refuses an invalid payload with 400 naming the field, without sending it', async () => {
    const from = csms.stdout().length;
    expect(await post(`/chargers/${CP}/calls/ChangeConfiguration`, { key: 'MeterValueSampleInterval', value: 7 })).toEqual({
      status: 400,
      body: { kind: 'invalidPayload', field: 'value', error: 'ChangeConfiguration not sent: value: must be a string (got 7)' },
    });
    // A valid call after it is the next ChangeConfiguration on the wire.
    expect(await post(`/chargers/${CP}/calls/ChangeConfiguration`, { key: 'MeterValueSampleInterval', value: '8' })).toMatchObject({ status: 200 });
    await until('the valid ChangeConfiguration on stdout', () => outputSince(from).includes('value:"8"'), 5000);
    const sent = outputSince(from).match(/← ChangeConfiguration \{[^}]*\}/g);
    expect(sent).toEqual(['← ChangeConfiguration {key:"MeterValueSampleInterval", value:"8"}']);
  });

  it('answers 404 for a charge point that never connected', async () => {
    expect(await post('/chargers/NO-SUCH-CP/calls/Reset', { type: 'Soft' })).toMatchObject({ status: 404, body: { kind: 'unknownChargePoint' } });
  });

  it('takes commands on its prompt and prints the answers', async () => {
    const stdin = csms.child.stdin!;
    let from = csms.stdout().length;
    stdin.write(`${CP} get-configuration MeterValueSampleInterval\n`);
    await until('the GetConfiguration answer', () => /GetConfiguration answered:\n {2}MeterValueSampleInterval = 8\n/.test(outputSince(from)), 15_000);
    from = csms.stdout().length;
    stdin.write(`${CP} remote-start TWENTY-ONE-CHARACTERS 1\n`);
    await until('the refusal', () => / error: RemoteStartTransaction not sent: idTag: must NOT have more than 20 characters \(got "TWENTY-ONE-CHARACTERS"\)\n/.test(outputSince(from)), 15_000);
    expect(outputSince(from)).not.toMatch(/← RemoteStartTransaction/);
    from = csms.stdout().length;
    // The one connected charge point: no id needed; its one open transaction: no transactionId needed.
    stdin.write('remote-stop\n');
    await until('the RemoteStopTransaction answer', () => new RegExp(`${CP} RemoteStopTransaction answered: \\{"status":"Accepted"\\}`).test(outputSince(from)), 15_000);
    await until('StopTransaction at the CSMS', () => new RegExp(`${CP} → StopTransaction \\{.*reason:"Remote"`).test(outputSince(from)), 15_000);
    from = csms.stdout().length;
    stdin.write('list\n');
    await until('the list', () => new RegExp(`^${CP} {2}connected since .* boot Accepted`, 'm').test(outputSince(from)), 15_000);
    expect(outputSince(from)).not.toMatch(/transaction \d+ idTag/);
  });

  it('stops with exit code 0 when its input ends', async () => {
    csms.child.stdin!.end();
    expect(await exitOf(csms)).toBe(0);
    expect(csms.stdout()).toMatch(/ stopped\n$/);
  });
});

describe('evse csms options for driving', () => {
  it('refuses a bad --api-port or --call-timeout naming the option, and an API port in use', async () => {
    for (const [args, option] of [
      [['--api-port', 'x'], '--api-port'],
      [['--api-port', '70000'], '--api-port'],
      [['--call-timeout', '0'], '--call-timeout'],
    ] as const) {
      const p = spawnEvse(['csms', '--port', '0', ...args], {});
      expect(await exitOf(p), args.join(' ')).toBe(64);
      expect(p.stderr().trim()).toMatch(new RegExp(`^evse csms: ${option}: expected `));
    }
    const first = spawnEvse(['csms', '--port', '0', '--api-port', '0'], {});
    try {
      await until('the first API', () => /HTTP API on http:\/\/127\.0\.0\.1:\d+/.test(first.stdout()), 15_000);
      const port = /HTTP API on http:\/\/127\.0\.0\.1:(\d+)/.exec(first.stdout())![1]!;
      const second = spawnEvse(['csms', '--port', '0', '--api-port', port], {});
      expect(await exitOf(second)).toBe(64);
      expect(second.stderr()).toMatch(/^evse csms: --api-host\/--api-port: cannot listen on 127\.0\.0\.1:\d+: the port is in use \(EADDRINUSE\)$/m);
    } finally {
      await first.stop();
    }
  });
});
