import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { mergeOverDefault, parseProfile, ProfileError } from './profile.js';
import { DEFAULT_PROFILE } from './profileDefault.js';
import { loadProfile, ocppForCharger } from './profileLoader.js';

const dir = await mkdtemp(join(tmpdir(), 'evse-profile-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

async function write(name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

async function issues(text: string): Promise<string[]> {
  const err = await loadProfile(await write('p.yaml', text)).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProfileError);
  return (err as ProfileError).issues.map((i) => `${i.path}: ${i.message}`);
}

describe('fleet profiles', () => {
  it('config/fleet/default.yaml is the built-in default profile, and the example profiles are valid', async () => {
    const file = parse(await readFile(new URL('../../config/fleet/default.yaml', import.meta.url), 'utf8')) as unknown;
    expect(parseProfile(file, 'default.yaml')).toEqual(DEFAULT_PROFILE);
    expect(parseProfile(DEFAULT_PROFILE)).toEqual(DEFAULT_PROFILE);
    const rush = await loadProfile(new URL('../../config/fleet/rush.yaml', import.meta.url).pathname);
    expect(rush).toMatchObject({ name: 'rush', time: { startHour: 8, acceleration: 1 }, faults: {}, ocpp: { MeterValueSampleInterval: 60 } });
    const faulty = await loadProfile(new URL('../../config/fleet/faulty.yaml', import.meta.url).pathname);
    expect(faulty.faults.networkOutage?.perDay).toBe(6);
    expect(faulty.sessions).toEqual(DEFAULT_PROFILE.sessions);
  });

  it('merges a partial file over the default: sections key by key, arrivals and faults replaced', async () => {
    const p = await loadProfile(await write('partial.json', JSON.stringify({ name: 'x', sessions: { remoteShare: 1 }, faults: {}, ocpp: { HeartbeatInterval: 120 } })));
    expect(p.sessions).toEqual({ ...DEFAULT_PROFILE.sessions, remoteShare: 1 });
    expect(p.faults).toEqual({});
    expect(p.ocpp).toEqual({ MeterValueSampleInterval: 60, HeartbeatInterval: 120 });
    expect(mergeOverDefault(DEFAULT_PROFILE, { time: { acceleration: 144 } })).toMatchObject({ time: { startHour: 8, acceleration: 144 } });
  });

  it('names every bad field, with the value found', async () => {
    const found = await issues(
      [
        'sessions:',
        '  remoteShare: 1.5',
        '  minutes: { median: 60, p90: 30 }',
        '  dwelMinutes: 3',
        'arrivals: { perHour: [1, 2] }',
        'time: { startHour: 25 }',
        'faults: { relayWeld: { perDay: -1 }, meltdown: { perDay: 1 } }',
        'ocpp: { HeartbeatInterval: "often", NoSuchKey: 1, NumberOfConnectors: 3 }',
      ].join('\n'),
    );
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^sessions\.remoteShare: must be <= 1, got 1\.5$/),
        expect.stringMatching(/^sessions\.dwelMinutes: unknown field$/),
        expect.stringMatching(/^arrivals\.perHour: must NOT have fewer than 24 items/),
        expect.stringMatching(/^time\.startHour: must be < 24, got 25$/),
        expect.stringMatching(/^faults\.relayWeld\.perDay: must be >= 0, got -1$/),
        expect.stringMatching(/^faults\.meltdown: unknown field$/),
      ]),
    );
    // Cross-field and OCPP checks run once the shape is right.
    const second = await issues('sessions: { minutes: { median: 60, p90: 30 } }\nocpp: { HeartbeatInterval: "often", NoSuchKey: 1, NumberOfConnectors: 3 }\nocppGroups: [{ share: 0.7, ocpp: {} }, { share: 0.5, ocpp: {} }]');
    expect(second).toEqual([
      'sessions.minutes.p90: must be ≥ median (60), got 30',
      expect.stringMatching(/^ocpp\.HeartbeatInterval: expected a valid integer for HeartbeatInterval .*got "often"$/),
      'ocpp.NoSuchKey: unknown OCPP configuration key',
      'ocpp.NumberOfConnectors: read-only OCPP key: the agent sets it itself',
      'ocppGroups: shares add up to 1.2, more than 1',
    ]);
  });

  it('reports unreadable and non-YAML files with the file name', async () => {
    await expect(loadProfile(join(dir, 'missing.yaml'))).rejects.toThrow(/missing\.yaml: \(file\): cannot read it: ENOENT/);
    await expect(loadProfile(await write('bad.yaml', 'a: [1, 2'))).rejects.toThrow(/bad\.yaml: \(file\): not YAML or JSON/);
    await expect(loadProfile(await write('list.yaml', '- 1'))).rejects.toThrow(/\(top\): expected a mapping/);
  });

  it('gives each charger the profile keys plus its group by a stable draw', () => {
    const p = parseProfile({ ...DEFAULT_PROFILE, ocppGroups: [{ share: 0.25, ocpp: { MeterValueSampleInterval: 10 } }] });
    expect(ocppForCharger(p, 0.1)).toEqual({ MeterValueSampleInterval: 10 });
    expect(ocppForCharger(p, 0.3)).toEqual({ MeterValueSampleInterval: 60 });
  });
});

describe('fleet profiles: EV models, hour windows, weekends', () => {
  const ev = (name: string, share: number, extra: Record<string, unknown> = {}) => ({ name, share, batteryKWh: 40, maxCurrentA: 16, phases: 1, socStart: 0.3, ...extra });
  const problems = (over: Record<string, unknown>): string[] => {
    try {
      parseProfile(mergeOverDefault(DEFAULT_PROFILE, over), 't');
    } catch (e) {
      expect(e).toBeInstanceOf(ProfileError);
      return (e as ProfileError).issues.map((i) => `${i.path}: ${i.message}`);
    }
    throw new Error('the profile was accepted');
  };

  it('the default mixes three models; steady runs one; a file without byHour windows of its own but with session distributions drops the default windows', async () => {
    expect(DEFAULT_PROFILE.evs.map((e) => [e.name, e.share, e.maxCurrentA * e.phases * 230])).toEqual([
      ['city', 0.25, 3680],
      ['mid', 0.6, 11_040],
      ['large', 0.15, 22_080],
    ]);
    const steady = await loadProfile(new URL('../../config/fleet/steady.yaml', import.meta.url).pathname);
    expect(steady.evs).toEqual([{ name: 'mid', share: 1, batteryKWh: 60, maxCurrentA: 16, phases: 3, socStart: { min: 0.1, max: 0.6 } }]);
    expect(steady.sessions.byHour).toEqual([]);
    const rush = await loadProfile(new URL('../../config/fleet/rush.yaml', import.meta.url).pathname);
    expect(rush.sessions.byHour).toEqual([]);
    expect(rush.arrivals.weekend).toBeUndefined(); // arrivals replaced: weekends equal weekdays
    expect(rush.time.startDay).toBe('mon');
    // Only remoteShare changed: the default's windows stay.
    const p = await loadProfile(await write('share.yaml', 'sessions: { remoteShare: 0 }\ntime: { startDay: sat }'));
    expect(p.sessions.byHour).toEqual(DEFAULT_PROFILE.sessions.byHour);
    expect(p.time).toEqual({ startHour: 8, startDay: 'sat', acceleration: 360 });
    // A complete tree may leave out startDay and byHour.
    const { startDay: _d, ...time } = DEFAULT_PROFILE.time;
    const { byHour: _b, ...sessions } = DEFAULT_PROFILE.sessions;
    expect(parseProfile({ ...DEFAULT_PROFILE, time, sessions })).toMatchObject({ time: { startDay: 'mon' }, sessions: { byHour: [] } });
  });

  it('names each bad EV model field', () => {
    expect(problems({ evs: [ev('a', 0.5, { phases: 2, socStart: { min: 0.1, max: 1.2 } }), ev('b', 0.2), ev('c d', 1.5, { batteryKWh: undefined })] })).toEqual([
      'evs[0].phases: expected one of 1, 3, got 2',
      'evs[0].socStart.max: must be <= 1, got 1.2',
      "evs[2].batteryKWh: must have required property 'batteryKWh'",
      'evs[2].name: expected 1 to 40 letters, digits or _ . -, got "c d"',
      'evs[2].share: must be <= 1, got 1.5',
    ]);
    expect(problems({ evs: [ev('a', 0.5, { socStart: { median: 0.5, p90: 0.3 } }), ev('a', 0.4)] })).toEqual([
      'evs[0].socStart.p90: must be ≥ median (0.5), got 0.3',
      'evs: shares add up to 0.9 (0.5 + 0.4), must add up to 1',
      'evs[1].name: "a" is already the name of evs[0]',
    ]);
    expect(problems({ evs: [] })).toEqual(['evs: must NOT have fewer than 1 items, got []']);
    expect(problems({ evs: [ev('a', 1, { maxCurrentA: 100, extra: 1 })] })).toEqual(['evs[0].extra: unknown field', 'evs[0].maxCurrentA: must be <= 80, got 100']);
  });

  it('names each bad hour window and weekend field', () => {
    expect(problems({ sessions: { byHour: [{ from: 24, to: 25, minutes: 3 }, { from: 3, to: 4, minutes: 'x' }] } })).toEqual([
      'sessions.byHour[0].from: must be < 24, got 24',
      'sessions.byHour[0].to: must be <= 24, got 25',
      'sessions.byHour[1].minutes: expected a number, {min, max} or {median, p90[, min, max]}, got "x"',
    ]);
    const windows = [{ from: 18, to: 6, minutes: 3 }, { from: 5, to: 7, dwellMinutes: 3 }, { from: 8, to: 8, minutes: 1 }, { from: 9, to: 10 }, { from: 11, to: 12, energyKWh: { median: 5, p90: 2 } }, { from: 12, to: 18, energyKWh: null }];
    expect(problems({ sessions: { byHour: windows } })).toEqual([
      'sessions.byHour[4].energyKWh.p90: must be ≥ median (5), got 2',
      'sessions.byHour[1]: hours 5–7 overlap sessions.byHour[0] (18–6)',
      'sessions.byHour[2].to: must differ from from (8) (a whole day: from 0, to 24)',
      'sessions.byHour[3]: sets none of minutes, energyKWh, dwellMinutes',
    ]);
    expect(problems({ time: { startDay: 'monday' }, arrivals: { perHour: Array(24).fill(0.1), weekend: { perHour: [1] } } })).toEqual([
      'time.startDay: expected one of mon, tue, wed, thu, fri, sat, sun, got "monday"',
      'arrivals.weekend.perHour: must NOT have fewer than 24 items, got [1]',
    ]);
    expect(problems({ arrivals: { baseline: 1, peaks: [], weekend: 3 } })).toEqual(['arrivals.weekend: expected {perHour: [24 rates]} or {baseline, peaks: [{hour, perHour, widthHours}]}, got 3']);
    expect(problems({ arrivals: { baseline: 1, peaks: [], weekend: { baseline: 1, peaks: [], weekend: { baseline: 1, peaks: [] } } } })).toEqual(['arrivals.weekend.weekend: unknown field']);
  });
});

describe('deploy/kubernetes/fleet-job.yaml', () => {
  it('carries a valid profile and runs an Indexed Job with --shards', async () => {
    const { parseAllDocuments } = await import('yaml');
    interface K8sDoc {
      kind: string;
      data?: Record<string, string>;
      spec: { completionMode?: string; template: { spec: { containers: { args: string[] }[] } } };
    }
    const docs = parseAllDocuments(await readFile(new URL('../../deploy/kubernetes/fleet-job.yaml', import.meta.url), 'utf8')).map((d) => d.toJS() as K8sDoc);
    const profile = docs.find((d) => d.kind === 'ConfigMap')!.data!['rush.yaml']!;
    expect(parseProfile(mergeOverDefault(DEFAULT_PROFILE, parse(profile)), 'fleet-job.yaml').name).toBe('rush');
    const job = docs.find((d) => d.kind === 'Job')!;
    expect(job.spec).toMatchObject({ completionMode: 'Indexed', completions: 4, parallelism: 4 });
    expect(job.spec.template.spec.containers[0]!.args).toEqual(expect.arrayContaining(['--shards=4', '--report=/reports/report-$(JOB_COMPLETION_INDEX).json']));
  });
});
