/**
 * Security events over a real OcppLink to a strict ocpp-rpc CSMS on 127.0.0.1, with the durable
 * queue and the security log on disk: critical events reach the CSMS in order (also those raised
 * while offline and before a restart), the others only the local log.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupLinks, eventually, linkFixture, quiet } from '../ocpp/testing/linkFixture.js';
import { FileJournal } from '../store/FileJournal.js';
import { SecurityEventService, type QueuedSecurityEvent } from './SecurityEventService.js';
import { SecurityLog } from './SecurityLog.js';

const log = pino({ level: 'silent' });
const dirs: string[] = [];
afterEach(async () => {
  await cleanupLinks();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'security-events-'));
  dirs.push(dir);
  return dir;
}

async function openService(dir: string, clock: { now(): number; setTimeout(fn: () => void, ms: number): number; clearTimeout(id: number | undefined): void }) {
  const queue = await FileJournal.open<QueuedSecurityEvent>({ file: join(dir, 'events.log'), log, name: 'security event queue' });
  const securityLog = await SecurityLog.open({ file: join(dir, 'security.log'), log });
  return { queue, securityLog, service: new SecurityEventService({ clock, log, securityLog, queue }) };
}

describe('SecurityEventService', () => {
  it('sends critical events in order once Accepted (raised offline too) and only logs the others', async () => {
    const dir = await tempDir();
    const f = await linkFixture();
    const { service, securityLog, queue } = await openService(dir, f.clock);
    service.attach(f.link);
    f.link.on('accepted', () => service.resume());

    service.raise('StartupOfTheDevice', 'evse-agent 0.1.0');
    service.raise('InvalidTLSVersion', 'CSMS offered TLSv1.1');
    f.clock.advance(1000);
    service.raise('SettingSystemTime', 'clock set from the CSMS');
    await service.whenIdle();
    expect(queue.pending()).toHaveLength(2); // durable before the link is even up

    f.link.start();
    await eventually(() => expect(f.csms().count('SecurityEventNotification')).toBe(2));
    const sent = f.csms().calls.filter((c) => c.action === 'SecurityEventNotification').map((c) => c.params);
    expect(sent).toEqual([
      { type: 'StartupOfTheDevice', timestamp: new Date(f.clock.now() - 1000).toISOString(), techInfo: 'evse-agent 0.1.0' },
      { type: 'SettingSystemTime', timestamp: new Date(f.clock.now()).toISOString(), techInfo: 'clock set from the CSMS' },
    ]);
    await eventually(() => expect(queue.pending()).toHaveLength(0));

    // Online: a new critical event goes at once; a non-critical one never.
    service.raise('TamperDetectionActivated', 'door opened');
    service.raise('InvalidMessages');
    await eventually(() => expect(f.csms().count('SecurityEventNotification')).toBe(3));
    await quiet();
    expect(f.csms().count('SecurityEventNotification')).toBe(3);

    const logged = await securityLog.entries();
    expect(logged.map((e) => [e.type, e.critical])).toEqual([
      ['StartupOfTheDevice', true],
      ['InvalidTLSVersion', false],
      ['SettingSystemTime', true],
      ['TamperDetectionActivated', true],
      ['InvalidMessages', false],
    ]);
    expect((await stat(join(dir, 'security.log'))).mode & 0o777).toBe(0o600);
    await queue.close();
  });

  it('keeps undelivered events across a restart and sends them after the next Accepted boot', async () => {
    const dir = await tempDir();
    const f = await linkFixture();
    const first = await openService(dir, f.clock);
    first.service.raise('ResetOrReboot', 'Hard reset by the CSMS');
    first.service.raise('FirmwareUpdated', '0.2.0');
    await first.service.stop();
    await first.queue.close(); // the power goes

    const second = await openService(dir, f.clock);
    expect(second.queue.pending().map((r) => r.entry.payload.type)).toEqual(['ResetOrReboot', 'FirmwareUpdated']);
    second.service.attach(f.link);
    f.link.on('accepted', () => second.service.resume());
    f.link.start();
    await eventually(() => expect(f.csms().count('SecurityEventNotification')).toBe(2));
    expect(f.csms().calls.filter((c) => c.action === 'SecurityEventNotification').map((c) => c.params.type)).toEqual(['ResetOrReboot', 'FirmwareUpdated']);
    await eventually(() => expect(second.queue.pending()).toHaveLength(0));
    await second.queue.close();
  });

  it('an event the CSMS does not answer in time is sent again later on the same connection, not held until the next boot', async () => {
    const dir = await tempDir();
    let calls = 0;
    const f = await linkFixture({
      csms: {
        answers: {
          // The first one is never answered (the call times out on the charger's clock).
          SecurityEventNotification: () => (++calls === 1 ? new Promise<never>(() => undefined) : {}),
        },
      },
    });
    const { service, queue } = await openService(dir, f.clock);
    service.attach(f.link);
    f.link.on('accepted', () => service.resume());
    f.link.start();
    await f.until('accepted');
    service.raise('FirmwareUpdated', 'firmware 1.2.4 installed');
    await eventually(() => expect(calls).toBe(1));
    await eventually(() => {
      f.clock.advance(30_000);
      expect(calls).toBe(2);
    });
    await eventually(() => expect(queue.pending()).toHaveLength(0));
    expect(f.link.state).toBe('accepted');
  });

  it('retries an event the CSMS answers with a CallError, then gives it up and goes on', async () => {
    const dir = await tempDir();
    let refusals = 0;
    const f = await linkFixture({
      csms: {
        answers: {
          SecurityEventNotification: (params) => {
            if (params.type === 'MemoryExhaustion') {
              refusals++;
              throw Object.assign(new Error('no'), { rpcErrorCode: 'InternalError' });
            }
            return {};
          },
        },
      },
    });
    const { service, queue } = await openService(dir, f.clock);
    service.attach(f.link);
    f.link.on('accepted', () => service.resume());
    f.link.start();
    await f.until('accepted');
    service.raise('MemoryExhaustion', 'flash 99% full');
    service.raise('SecurityLogWasCleared');
    await eventually(() => expect(refusals).toBe(1));
    // Each retry is armed once the CallError is in (1 min, then 2 min): advance until both have
    // fired. Virtual time moving while an answer is on its way can also time a call out (then it
    // is sent again), so the count is checked as a floor, and then that it stops: given up.
    await eventually(() => {
      f.clock.advance(60_000);
      expect(refusals).toBeGreaterThanOrEqual(3);
    });
    // A call timed out that way is tried again later too: the queue drains either way.
    await eventually(() => {
      f.clock.advance(60_000);
      expect(queue.pending()).toHaveLength(0);
    });
    expect(f.csms().calls.filter((c) => c.action === 'SecurityEventNotification').at(-1)?.params.type).toBe('SecurityLogWasCleared');
    const attempts = refusals;
    f.clock.advance(10 * 60_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(refusals).toBe(attempts);
    await queue.close();
  });
});

describe('SecurityLog', () => {
  it('rotates at maxBytes and keeps a bounded number of generations', async () => {
    const dir = await tempDir();
    const file = join(dir, 'security.log');
    const securityLog = await SecurityLog.open({ file, log, maxBytes: 400, generations: 2 });
    for (let i = 0; i < 40; i++) void securityLog.append({ timestamp: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(), type: 'InvalidMessages', techInfo: `frame ${i}`, critical: false });
    await securityLog.flush();
    for (const name of ['security.log', 'security.log.1', 'security.log.2']) expect((await stat(join(dir, name))).size).toBeLessThanOrEqual(400);
    await expect(stat(join(dir, 'security.log.3'))).rejects.toMatchObject({ code: 'ENOENT' });
    const kept = await securityLog.entries();
    // The newest survive, oldest first, with nothing lost in between.
    expect(kept.at(-1)?.techInfo).toBe('frame 39');
    expect(kept.map((e) => Number(e.techInfo?.split(' ')[1]))).toEqual(Array.from({ length: kept.length }, (_, i) => 40 - kept.length + i));
    const window = await securityLog.entries({ oldest: Date.UTC(2026, 0, 1, 0, 38), latest: Date.UTC(2026, 0, 1, 0, 38) });
    expect(window.map((e) => e.techInfo)).toEqual(['frame 38']);
    expect(await readFile(file, 'utf8')).toContain('"frame 39"');
  });
});
