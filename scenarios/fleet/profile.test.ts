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
    expect(mergeOverDefault(DEFAULT_PROFILE, { time: { acceleration: 144 } })).toMatchObject({ time: { startHour: 0, acceleration: 144 } });
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
