/**
 * Operator messages end to end: the embedded strict CSMS sets them with the DataTransfer extension
 * (docs/display.md) over a real socket on 127.0.0.1; an in-process Agent on virtual time shows
 * them on a simulated display by priority, state, validity window and transaction; the store keeps
 * them in a file.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { SimDisplay } from '../../hal/sim/SimDisplay.js';
import { agentFixture, cleanupAgents, CP, T0, type AgentFixture } from '../../test/support/agentFixture.js';
import { DISPLAY_DEFAULTS, DisplayService } from './DisplayService.js';
import { DISPLAY_MESSAGE_VENDOR_ID } from './operatorMessageVendor.js';
import { OperatorMessages, type OperatorMessage } from './OperatorMessages.js';

const log = pino({ level: 'silent' });
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await cleanupAgents();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'evse-messages-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function rig(file: string | null = null) {
  const f = await agentFixture();
  const messages = file ? await OperatorMessages.open(file, log) : OperatorMessages.inMemory(log);
  const display = new SimDisplay({ id: 'display:0', width: 40, height: 4 });
  const service = new DisplayService({ agent: f.agent, displays: [display], clock: f.clock, log, settings: { ...DISPLAY_DEFAULTS, language: 'en', support: {}, qrUrl: '' }, messages });
  service.start();
  cleanups.push(() => service.stop());
  await f.advance(0);
  return { f, messages, display, first: () => display.content?.lines[0] };
}

const transfer = async (f: AgentFixture, messageId: string, data: unknown) => {
  const r = await f.csms.call(CP, 'DataTransfer', { vendorId: DISPLAY_MESSAGE_VENDOR_ID, messageId, data: typeof data === 'string' ? data : JSON.stringify(data) });
  return { status: r.status, data: r.data === undefined ? undefined : (JSON.parse(r.data) as Record<string, unknown>) };
};
const msg = (id: number, priority: OperatorMessage['priority'], content: string, extra: Partial<OperatorMessage> = {}): OperatorMessage => ({ id, priority, message: { format: 'UTF8', content }, ...extra });
/** What the display shows over one cycle of `n` pages. */
async function cycleOf(f: AgentFixture, display: SimDisplay, n = 4): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < n; i++) {
    seen.push(display.content!.lines[0]!);
    await f.advance(DISPLAY_DEFAULTS.pageMs, DISPLAY_DEFAULTS.pageMs);
  }
  return [...new Set(seen)].sort();
}

describe('operator messages over DataTransfer (OCPP 2.0.1 display-message model)', () => {
  it('NormalCycle messages cycle with the charger screen; InFront ones take the front and cycle among themselves; AlwaysFront stands alone and replaces an older AlwaysFront', async () => {
    const { f, display } = await rig();
    expect(await transfer(f, 'SetDisplayMessage', { message: msg(1, 'NormalCycle', 'Free charging this weekend') })).toEqual({ status: 'Accepted', data: { status: 'Accepted' } });
    expect(await cycleOf(f, display)).toEqual(['Free charging this weekend', 'Ready to charge']);
    await transfer(f, 'SetDisplayMessage', { message: msg(2, 'InFront', 'Card reader out of order: use the app') });
    await transfer(f, 'SetDisplayMessage', { message: msg(3, 'InFront', 'New prices from Monday') });
    expect(await cycleOf(f, display)).toEqual(['Card reader out of order: use the app', 'New prices from Monday']);
    await transfer(f, 'SetDisplayMessage', { message: msg(4, 'AlwaysFront', 'Closed for maintenance') });
    expect(await cycleOf(f, display)).toEqual(['Closed for maintenance']);
    await transfer(f, 'SetDisplayMessage', { message: msg(5, 'AlwaysFront', 'Open again at 14:00') });
    expect(await cycleOf(f, display)).toEqual(['Open again at 14:00']);
    const all = await transfer(f, 'GetDisplayMessages', { requestId: 1 });
    expect((all.data!.messageInfo as OperatorMessage[]).map((m) => m.id)).toEqual([1, 2, 3, 5]);
    expect((await transfer(f, 'GetDisplayMessages', { requestId: 2, priority: 'InFront' })).data).toEqual({ status: 'Accepted', messageInfo: [expect.objectContaining({ id: 2 }), expect.objectContaining({ id: 3 })] });
    expect((await transfer(f, 'GetDisplayMessages', { requestId: 3, id: [99] })).data).toEqual({ status: 'Unknown' });
    expect((await transfer(f, 'ClearDisplayMessage', { id: 5 })).data).toEqual({ status: 'Accepted' });
    expect((await transfer(f, 'ClearDisplayMessage', { id: 5 })).data).toEqual({ status: 'Unknown' });
    expect(await cycleOf(f, display)).toEqual(['Card reader out of order: use the app', 'New prices from Monday']);
  });

  it('a validity window: not before startDateTime, gone (and removed) after endDateTime', async () => {
    const { f, display, messages } = await rig();
    const at = (min: number) => new Date(T0 + min * 60_000).toISOString();
    await transfer(f, 'SetDisplayMessage', { message: msg(1, 'InFront', 'Happy hour: half price', { startDateTime: at(10), endDateTime: at(20) }) });
    expect(display.content!.lines[0]).toBe('Ready to charge');
    await f.advance(10 * 60_000, 10_000);
    expect(display.content!.lines[0]).toBe('Happy hour: half price');
    await f.advance(10 * 60_000, 10_000);
    expect(display.content!.lines[0]).toBe('Ready to charge');
    expect(messages.all()).toEqual([]);
  });

  it('a message for a state shows only in that state; one for a transaction only during it (another transaction: UnknownTransaction)', async () => {
    const { f, display } = await rig();
    await transfer(f, 'SetDisplayMessage', { message: msg(1, 'InFront', 'Unplug within 30 min to avoid a fee', { state: 'Charging' }) });
    expect(display.content!.lines[0]).toBe('Ready to charge');
    expect((await transfer(f, 'SetDisplayMessage', { message: msg(2, 'InFront', 'Hi Anna', { transactionId: '1' }) })).data).toEqual({ status: 'UnknownTransaction' });
    f.sim.connectors[0]!.ev.plugIn();
    f.sim.rfid.tap('04A1B2C3D4E5F6');
    await f.advance(2000);
    expect(f.agent.connectors[0]!.status).toBe('Charging');
    expect(await transfer(f, 'SetDisplayMessage', { message: msg(2, 'InFront', 'Hi Anna', { transactionId: '1' }) })).toEqual({ status: 'Accepted', data: { status: 'Accepted' } });
    expect(await cycleOf(f, display)).toEqual(['Hi Anna', 'Unplug within 30 min to avoid a fee']);
  });

  it('refuses what it cannot show: HTML (NotSupportedMessageFormat); malformed data is Rejected with the reason', async () => {
    const { f, display } = await rig();
    expect((await transfer(f, 'SetDisplayMessage', { message: { ...msg(1, 'InFront', '<b>Hi</b>'), message: { format: 'HTML', content: '<b>Hi</b>' } } })).data).toEqual({ status: 'NotSupportedMessageFormat' });
    const notJson = await transfer(f, 'SetDisplayMessage', 'not json');
    expect(notJson).toEqual({ status: 'Rejected', data: { status: 'Rejected', statusInfo: { reasonCode: 'FormationViolation', additionalInfo: 'data is not JSON' } } });
    const badPriority = await transfer(f, 'SetDisplayMessage', { message: msg(1, 'Urgent' as 'InFront', 'x') });
    expect(badPriority.status).toBe('Rejected');
    expect((badPriority.data!.statusInfo as { additionalInfo: string }).additionalInfo).toMatch(/priority/);
    const notAscii = await transfer(f, 'SetDisplayMessage', { message: { ...msg(1, 'InFront', 'x'), message: { format: 'ASCII', content: 'Gebühr' } } });
    expect(notAscii.status).toBe('Rejected');
    expect(display.content!.lines[0]).toBe('Ready to charge');
    const other = await f.csms.call(CP, 'DataTransfer', { vendorId: 'com.example.unknown', messageId: 'SetDisplayMessage' });
    expect(other.status).toBe('UnknownVendorId');
  });

  it('a URI message is shown as text with the URI as its QR code', async () => {
    const { f, display } = await rig();
    await transfer(f, 'SetDisplayMessage', { message: { ...msg(1, 'AlwaysFront', ''), message: { format: 'URI', content: 'https://charge.example/offers' } } });
    expect(display.content).toMatchObject({ lines: ['https://charge.example/offers'], qr: 'https://charge.example/offers' });
  });

  it('prefers messages in the display language when a priority has several languages', async () => {
    const { f, display } = await rig();
    await transfer(f, 'SetDisplayMessage', { message: { ...msg(1, 'InFront', ''), message: { format: 'UTF8', language: 'de', content: 'Kostenlos laden' } } });
    await transfer(f, 'SetDisplayMessage', { message: { ...msg(2, 'InFront', ''), message: { format: 'UTF8', language: 'en-US', content: 'Free charging' } } });
    expect(await cycleOf(f, display)).toEqual(['Free charging']);
  });
});

describe('OperatorMessages: the durable store', () => {
  it('keeps messages across a reopen; an invalid stored entry is skipped, an unreadable file means none', async () => {
    const dir = await tempDir();
    const file = join(dir, 'display-messages.json');
    const a = await OperatorMessages.open(file, log);
    expect(await a.set(msg(1, 'NormalCycle', 'one'))).toBe(true);
    expect(await a.set(msg(2, 'AlwaysFront', 'two'))).toBe(true);
    expect((await OperatorMessages.open(file, log)).all().map((m) => m.id)).toEqual([1, 2]);
    const body = JSON.parse(await readFile(file, 'utf8')) as { messages: unknown[] };
    body.messages.push({ id: 'x' });
    await writeFile(file, JSON.stringify(body));
    expect((await OperatorMessages.open(file, log)).all().map((m) => m.id)).toEqual([1, 2]);
    await writeFile(file, '{not json');
    expect((await OperatorMessages.open(file, log)).all()).toEqual([]);
  });

  it('a write that fails is undone: what is shown is what a restart would show', async () => {
    const dir = await tempDir();
    const file = join(dir, 'display-messages.json');
    const store = await OperatorMessages.open(file, log);
    expect(await store.set(msg(1, 'NormalCycle', 'one'))).toBe(true);
    await mkdir(`${file}.tmp`); // the atomic write's temporary file cannot be created (also not as root)
    expect(await store.set(msg(2, 'NormalCycle', 'two'))).toBe(false);
    expect(await store.clear(1)).toBe('failed');
    expect(store.all().map((m) => m.id)).toEqual([1]);
  });
});

describe('a message for one EVSE', () => {
  it('shows only on the display standing at that connector; a connector without a display is refused', async () => {
    const f = await agentFixture({ charger: { connectors: 2 } });
    const messages = OperatorMessages.inMemory(log);
    const one = new SimDisplay({ id: 'display:1', width: 40, height: 4, connectors: [1] });
    const two = new SimDisplay({ id: 'display:2', width: 40, height: 4, connectors: [2] });
    const service = new DisplayService({ agent: f.agent, displays: [one, two], clock: f.clock, log, settings: { ...DISPLAY_DEFAULTS, language: 'en', support: {}, qrUrl: '' }, messages });
    service.start();
    cleanups.push(() => service.stop());
    await f.advance(0);
    expect(await transfer(f, 'SetDisplayMessage', { message: msg(1, 'AlwaysFront', 'Use the other charger', { display: { name: 'Display', evse: { id: 2 } } }) })).toEqual({ status: 'Accepted', data: { status: 'Accepted' } });
    await f.advance(0);
    expect(two.content?.lines[0]).toBe('Use the other charger');
    expect(one.content?.lines[0]).toBe('Ready to charge');
    expect((await transfer(f, 'SetDisplayMessage', { message: msg(2, 'InFront', 'Nowhere', { display: { name: 'Display', evse: { id: 3 } } }) })).data).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'UnknownComponent' } });
  });
});
