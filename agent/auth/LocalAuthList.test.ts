/**
 * The Local Authorization List (OCPP 1.6 §5.15/§5.16): versions, Full and Differential updates,
 * the length limits and persistence in a real file (including a corrupt one and a failed write).
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalAuthList } from './LocalAuthList.js';

const log = pino({ level: 'silent' });
const LIMITS = { maxEntries: 10, maxPerRequest: 5 };
const dirs: string[] = [];

async function tempFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'evse-list-'));
  dirs.push(dir);
  return join(dir, 'local-auth-list.json');
}

afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('LocalAuthList updates', () => {
  it('starts empty at version 0; Full replaces the list and sets the version', async () => {
    const list = LocalAuthList.inMemory(log);
    expect(list.version).toBe(0);
    const full = { listVersion: 3, updateType: 'Full' as const };
    expect(await list.update({ ...full, localAuthorizationList: [{ idTag: 'A', idTagInfo: { status: 'Accepted', parentIdTag: 'P' } }, { idTag: 'B', idTagInfo: { status: 'Blocked' } }] }, LIMITS)).toBe('Accepted');
    expect(list.version).toBe(3);
    expect(list.get('A')).toEqual({ status: 'Accepted', parentIdTag: 'P' });
    expect(list.get('B')).toEqual({ status: 'Blocked' });
    // A Full update with a lower version is allowed (the CSMS re-installs), and drops what it omits.
    expect(await list.update({ listVersion: 2, updateType: 'Full', localAuthorizationList: [{ idTag: 'C', idTagInfo: { status: 'Accepted' } }] }, LIMITS)).toBe('Accepted');
    expect(list.version).toBe(2);
    expect(list.get('A')).toBeUndefined();
    expect(list.size).toBe(1);
    // A Full update without entries empties the list, and an empty list reads version 0 (§5.16).
    expect(await list.update({ listVersion: 4, updateType: 'Full' }, LIMITS)).toBe('Accepted');
    expect(list.size).toBe(0);
    expect(list.version).toBe(0);
    // So any Differential with a version of at least 1 applies to it.
    expect(await list.update({ listVersion: 1, updateType: 'Differential', localAuthorizationList: [{ idTag: 'D', idTagInfo: { status: 'Accepted' } }] }, LIMITS)).toBe('Accepted');
    expect(list.version).toBe(1);
  });

  it('Differential adds, updates and (without idTagInfo) removes; an old or equal version is VersionMismatch', async () => {
    const list = LocalAuthList.inMemory(log);
    await list.update({ listVersion: 5, updateType: 'Full', localAuthorizationList: [{ idTag: 'A', idTagInfo: { status: 'Accepted' } }, { idTag: 'B', idTagInfo: { status: 'Accepted' } }] }, LIMITS);
    const diff = [{ idTag: 'A', idTagInfo: { status: 'Blocked' as const } }, { idTag: 'B' }, { idTag: 'C', idTagInfo: { status: 'Accepted' as const } }];
    expect(await list.update({ listVersion: 5, updateType: 'Differential', localAuthorizationList: diff }, LIMITS)).toBe('VersionMismatch');
    expect(await list.update({ listVersion: 4, updateType: 'Differential', localAuthorizationList: diff }, LIMITS)).toBe('VersionMismatch');
    expect(list.get('A')).toEqual({ status: 'Accepted' });
    expect(await list.update({ listVersion: 6, updateType: 'Differential', localAuthorizationList: diff }, LIMITS)).toBe('Accepted');
    expect(list.version).toBe(6);
    expect(list.get('A')).toEqual({ status: 'Blocked' });
    expect(list.get('B')).toBeUndefined();
    expect(list.get('C')).toEqual({ status: 'Accepted' });
  });

  it('SendLocalListMaxLength, LocalAuthListMaxLength, duplicates and a negative version → Failed, list unchanged', async () => {
    const list = LocalAuthList.inMemory(log);
    const entries = (n: number, prefix = 'T') => Array.from({ length: n }, (_, i) => ({ idTag: `${prefix}${i}`, idTagInfo: { status: 'Accepted' as const } }));
    expect(await list.update({ listVersion: 1, updateType: 'Full', localAuthorizationList: entries(6) }, LIMITS)).toBe('Failed');
    expect(await list.update({ listVersion: 1, updateType: 'Full', localAuthorizationList: entries(5) }, { maxEntries: 4, maxPerRequest: 5 })).toBe('Failed');
    expect(await list.update({ listVersion: 1, updateType: 'Full', localAuthorizationList: entries(5, 'A') }, LIMITS)).toBe('Accepted');
    expect(await list.update({ listVersion: 2, updateType: 'Differential', localAuthorizationList: entries(5, 'B') }, LIMITS)).toBe('Accepted');
    // 10 entries held; one more would exceed LocalAuthListMaxLength.
    expect(await list.update({ listVersion: 3, updateType: 'Differential', localAuthorizationList: entries(1, 'C') }, LIMITS)).toBe('Failed');
    const dup = [{ idTag: 'D', idTagInfo: { status: 'Accepted' as const } }, { idTag: 'D' }];
    expect(await list.update({ listVersion: 3, updateType: 'Differential', localAuthorizationList: dup }, LIMITS)).toBe('Failed');
    expect(await list.update({ listVersion: -1, updateType: 'Full' }, LIMITS)).toBe('Failed');
    expect(list.version).toBe(2);
    expect(list.size).toBe(10);
  });

  it('concurrent updates are applied one after the other', async () => {
    const list = LocalAuthList.inMemory(log);
    const results = await Promise.all([
      list.update({ listVersion: 1, updateType: 'Full', localAuthorizationList: [{ idTag: 'A', idTagInfo: { status: 'Accepted' } }] }, LIMITS),
      list.update({ listVersion: 2, updateType: 'Differential', localAuthorizationList: [{ idTag: 'B', idTagInfo: { status: 'Accepted' } }] }, LIMITS),
      list.update({ listVersion: 2, updateType: 'Differential', localAuthorizationList: [{ idTag: 'C', idTagInfo: { status: 'Accepted' } }] }, LIMITS),
    ]);
    expect(results).toEqual(['Accepted', 'Accepted', 'VersionMismatch']);
    expect([list.get('A'), list.get('B'), list.get('C')].map((e) => e?.status)).toEqual(['Accepted', 'Accepted', undefined]);
  });
});

describe('LocalAuthList persistence', () => {
  it('survives a reopen: version and entries', async () => {
    const file = await tempFile();
    const list = await LocalAuthList.open(file, log);
    expect(list.version).toBe(0);
    await list.update({ listVersion: 7, updateType: 'Full', localAuthorizationList: [{ idTag: 'A', idTagInfo: { status: 'Accepted', expiryDate: '2030-01-01T00:00:00.000Z' } }] }, LIMITS);
    await list.update({ listVersion: 8, updateType: 'Differential', localAuthorizationList: [{ idTag: 'B', idTagInfo: { status: 'Blocked' } }] }, LIMITS);
    const again = await LocalAuthList.open(file, log);
    expect(again.version).toBe(8);
    expect(again.get('A')).toEqual({ status: 'Accepted', expiryDate: '2030-01-01T00:00:00.000Z' });
    expect(again.get('B')).toEqual({ status: 'Blocked' });
  });

  it.each([['not json {'], ['{"listVersion": "x", "entries": {}}'], ['{"listVersion": 3, "entries": {"A": {"status": "Maybe"}}}']])(
    'a corrupt file (%s) is an empty list at version 0, logged, and the next update rewrites it',
    async (content) => {
      const file = await tempFile();
      await writeFile(file, content);
      const errors: string[] = [];
      const spy = pino({ level: 'error' }, { write: (line: string) => void errors.push(line) });
      const list = await LocalAuthList.open(file, spy);
      expect(list.version).toBe(0);
      expect(list.size).toBe(0);
      expect(errors.join('')).toContain('cannot read the local authorization list');
      expect(await list.update({ listVersion: 1, updateType: 'Full', localAuthorizationList: [{ idTag: 'A', idTagInfo: { status: 'Accepted' } }] }, LIMITS)).toBe('Accepted');
      expect((await LocalAuthList.open(file, log)).get('A')).toEqual({ status: 'Accepted' });
    },
  );

  it('a write that fails answers Failed and keeps the old list', async () => {
    const file = await tempFile();
    const list = await LocalAuthList.open(file, log);
    await list.update({ listVersion: 1, updateType: 'Full', localAuthorizationList: [{ idTag: 'A', idTagInfo: { status: 'Accepted' } }] }, LIMITS);
    // A directory where the temporary file goes makes the write fail, even for root.
    await mkdir(`${file}.tmp`);
    expect(await list.update({ listVersion: 2, updateType: 'Differential', localAuthorizationList: [{ idTag: 'A' }] }, LIMITS)).toBe('Failed');
    expect(list.version).toBe(1);
    expect(list.get('A')).toEqual({ status: 'Accepted' });
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ listVersion: 1 });
  });
});
