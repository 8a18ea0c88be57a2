/**
 * The charger's OCPP configuration keys (HeartbeatInterval, MeterValuesSampledData, …): read by the
 * agent, read and changed by the CSMS (GetConfiguration / ChangeConfiguration), persisted.
 *
 * Precedence, lowest first: key defaults (agent/ocpp16/configurationKeys.ts) < `initial` (the
 * charger's config file) < values changed at run time and persisted. Read-only keys take only
 * `readonlyValues` (facts of the charger) and what follows from them (`derivedFacts`).
 *
 * Cheap per charger: definitions are module-level; an instance holds only its overrides.
 * Persistence: one JSON file holding only the values changed at run time, replaced atomically
 * (temp file, fsync, rename, fsync of the directory); writes are serialized and coalesced. An
 * unreadable or corrupt file is logged and ignored (defaults apply) — the charger must boot anyway.
 */
import { EventEmitter } from 'node:events';
import { readFile, rm } from 'node:fs/promises';
import { writeAtomically } from './writeAtomically.js';
import type { Logger } from 'pino';
import {
  KEY_NAMES,
  definitionOf,
  derivedFacts,
  isMeasurandList,
  formatValue,
  parseValue,
  resolveKey,
  type BooleanKey,
  type ConfigValue,
  type ConfigurationKey,
  type IntegerKey,
  type ListKey,
  type StringKey,
  type WritableKey,
} from '../ocpp16/configurationKeys.js';
import type { ChangeConfigurationResponse, GetConfigurationResponse } from '../ocpp16/messages.js';

export type { ConfigValue, ConfigurationKey } from '../ocpp16/configurationKeys.js';

export type ConfigInput = string | number | boolean | readonly string[];
export type ChangeStatus = ChangeConfigurationResponse['status'];

export interface OcppConfigurationOptions {
  /** JSON file for values changed at run time; null keeps them in memory only (fleets, tests). */
  file: string | null;
  /** Values from the charger's config file; override defaults, overridden by persisted values. */
  initial?: Readonly<Record<string, ConfigInput>>;
  /** Facts of this charger for read-only keys (NumberOfConnectors, SupportedFeatureProfiles, …). */
  readonlyValues?: Readonly<Record<string, ConfigInput>>;
  log: Logger;
}

/** 'csms' for ChangeConfiguration, 'agent' for {@link OcppConfiguration.set}. */
export type ChangeSource = 'csms' | 'agent';

export interface OcppConfigurationEvents {
  /** A key's effective value changed (not emitted when a change leaves the value as it was). */
  changed: [key: ConfigurationKey, value: ConfigValue, source: ChangeSource];
}

/**
 * A service that owns a key (AuthorizationKey, SecurityProfile): it decides and stores a
 * ChangeConfiguration itself and says what GetConfiguration shows (undefined: no value, for a
 * write-only key). The store neither holds nor persists the value.
 */
export interface KeyOwner {
  change(value: string): Promise<ChangeStatus>;
  reported(): string | undefined;
}

interface PersistedFile {
  version: 1;
  values: Record<string, ConfigValue>;
}

export class OcppConfiguration extends EventEmitter<OcppConfigurationEvents> {
  /** Effective values that differ from the defaults (initial, persisted, read-only facts); made on the first. */
  private values: Map<ConfigurationKey, ConfigValue> | undefined;
  /** The subset changed at run time: what the file holds (created on the first change). */
  private persisted: Map<ConfigurationKey, ConfigValue> | undefined;
  private dirty = false;
  private writeLoop: Promise<void> | undefined;
  private childLog: Logger | undefined;
  /** Measurands this charger's hardware cannot supply (shared set; see {@link restrictMeasurands}). */
  private unavailableMeasurands: ReadonlySet<string> | undefined;
  /**
   * Keys a service owns, as key, owner, key, owner … (made on the first; a 1.6 fleet charger has
   * none, a 2.0.1 one one: a short array costs less than a Map, ≈ 190 B).
   */
  private owners: (ConfigurationKey | KeyOwner)[] | undefined;

  private constructor(
    private readonly file: string | null,
    private readonly parentLog: Logger,
  ) {
    super();
  }

  /** The child logger is made on first use: most chargers of a fleet never log from here. */
  private get log(): Logger {
    return (this.childLog ??= this.parentLog.child({ component: 'ocpp-config' }));
  }

  /** Opens (or creates) the configuration; never throws on a bad file or bad initial values. */
  static async open(opts: OcppConfigurationOptions): Promise<OcppConfiguration> {
    const cfg = new OcppConfiguration(opts.file, opts.log);
    // Read-only facts first: they bound CSL lengths (…MaxLength) of the values that follow.
    cfg.apply(opts.readonlyValues, 'readonlyValues', false, true);
    const derived = Object.entries(derivedFacts(cfg.getInt('NumberOfConnectors'))).filter(([k]) => !Object.hasOwn(opts.readonlyValues ?? {}, k));
    cfg.apply(Object.fromEntries(derived), 'derived', false, true);
    cfg.apply(opts.initial, 'initial', false);
    if (opts.file) {
      await rm(`${opts.file}.tmp`, { force: true }).catch(() => undefined); // left by a crash mid-write
      cfg.apply(await readPersisted(opts.file, cfg.log), 'persisted', true);
    }
    return cfg;
  }

  private apply(source: Readonly<Record<string, unknown>> | undefined, what: string, persisted: boolean, readonlyFacts = false): void {
    for (const [name, raw] of Object.entries(source ?? {})) {
      const key = resolveKey(name);
      if (!key) {
        this.log.warn({ key: name, source: what }, 'unknown OCPP configuration key ignored');
        continue;
      }
      if (definitionOf(key).readonly !== readonlyFacts) {
        this.log.warn({ key, source: what }, readonlyFacts ? 'not a read-only key; use initial' : `${what} value for a read-only key ignored`);
        continue;
      }
      if (definitionOf(key).owned) {
        this.log.warn({ key, source: what }, `${what} value for a security key ignored (its service stores it)`);
        continue;
      }
      const parsed = parseValue(key, raw, (k) => this.intOf(k));
      if (!parsed.ok) {
        this.log.warn({ key, value: raw, source: what, reason: parsed.reason }, 'invalid OCPP configuration value ignored');
        continue;
      }
      this.setValue(key, parsed.value);
      if (persisted) (this.persisted ??= new Map()).set(key, parsed.value);
    }
  }

  private raw(key: ConfigurationKey): ConfigValue {
    return this.values?.get(key) ?? definitionOf(key).default;
  }

  /** Only values that differ from the key's default are held (a fleet charger mostly has none). */
  private setValue(key: ConfigurationKey, value: ConfigValue): void {
    if (value !== definitionOf(key).default) (this.values ??= new Map()).set(key, value);
    else this.values?.delete(key);
  }

  private intOf(name: string): number | undefined {
    const key = resolveKey(name);
    const v = key ? this.raw(key) : undefined;
    return typeof v === 'number' ? v : undefined;
  }

  getInt(key: IntegerKey): number {
    return this.raw(key) as number;
  }

  getBool(key: BooleanKey): boolean {
    return this.raw(key) as boolean;
  }

  getString(key: StringKey | ListKey): string {
    return formatValue(this.raw(key));
  }

  /** A CSL key as its members (empty list for ""). */
  getList(key: ListKey): string[] {
    const s = this.raw(key) as string;
    return s === '' ? [] : s.split(',');
  }

  /**
   * Tells the store which measurands this charger's hardware cannot supply (e.g. SoC without an EV
   * that reports it): a ChangeConfiguration listing one is Rejected from now on. Values already
   * set keep their other members (samples leave out what cannot be measured).
   */
  restrictMeasurands(unavailable: ReadonlySet<string>): void {
    this.unavailableMeasurands = unavailable.size > 0 ? unavailable : undefined;
  }

  /** From now on `owner` answers ChangeConfiguration and GetConfiguration for `key`. */
  delegate(key: ConfigurationKey, owner: KeyOwner): void {
    const owners = this.owners;
    const at = owners?.indexOf(key) ?? -1;
    if (at >= 0) owners![at + 1] = owner;
    // A new array of the exact length (a push would leave room for 17).
    else this.owners = owners ? [...owners, key, owner] : [key, owner];
  }

  private ownerOf(key: ConfigurationKey): KeyOwner | undefined {
    const owners = this.owners;
    if (!owners) return undefined;
    for (let i = 0; i < owners.length; i += 2) if (owners[i] === key) return owners[i + 1] as KeyOwner;
    return undefined;
  }

  /** Whether a service owns this key now (delegate()): only then can an owned key be changed. */
  isDelegated(key: ConfigurationKey): boolean {
    return this.ownerOf(key) !== undefined;
  }

  /** True if the name is a key of this charger (case-insensitive). */
  has(name: string): boolean {
    return resolveKey(name) !== undefined;
  }

  /**
   * GetConfiguration: every key when `keys` is omitted or empty, otherwise the known ones among
   * `keys` (duplicates once) and the rest in `unknownKey`.
   */
  getForCsms(keys?: readonly string[]): Required<GetConfigurationResponse> {
    const configurationKey: Required<GetConfigurationResponse>['configurationKey'] = [];
    const unknownKey: string[] = [];
    const seen = new Set<string>();
    for (const name of keys?.length ? keys : KEY_NAMES) {
      const key = resolveKey(name);
      if (seen.has(key ?? name)) continue;
      seen.add(key ?? name);
      const owner = key && this.ownerOf(key);
      if (owner) {
        const value = owner.reported();
        configurationKey.push({ key: key!, readonly: false, ...(value !== undefined && { value }) });
      } else if (key && definitionOf(key).writeOnly) configurationKey.push({ key, readonly: false });
      else if (key) configurationKey.push({ key, readonly: definitionOf(key).readonly, value: formatValue(this.raw(key)) });
      else unknownKey.push(name);
    }
    return { configurationKey, unknownKey };
  }

  /**
   * ChangeConfiguration from the CSMS: NotSupported for an unknown key, Rejected for a read-only
   * key or an invalid value, otherwise applied (a `changed` event), persisted, and Accepted (or
   * RebootRequired for keys that only take effect after a reboot). Resolves after the write.
   */
  async change(name: string, value: string): Promise<ChangeStatus> {
    const key = resolveKey(name);
    if (!key) return 'NotSupported';
    const owner = this.ownerOf(key);
    if (owner) return owner.change(value);
    const def = definitionOf(key);
    if (def.readonly || def.owned) return 'Rejected';
    const parsed = parseValue(key, value, (k) => this.intOf(k));
    const unavailable = parsed.ok && this.unavailableMeasurands && isMeasurandList(key) ? String(parsed.value).split(',').find((m) => this.unavailableMeasurands!.has(m)) : undefined;
    if (!parsed.ok || unavailable !== undefined) {
      const reason = parsed.ok ? `this charger's hardware cannot measure ${unavailable}` : parsed.reason;
      this.log.info({ key, value, reason }, 'ChangeConfiguration rejected');
      return 'Rejected';
    }
    await this.update(key, parsed.value, 'csms');
    return def.rebootRequired ? 'RebootRequired' : 'Accepted';
  }

  /**
   * Sets a writable key from the agent itself (e.g. HeartbeatInterval from a BootNotification
   * answer). Applies synchronously; the returned promise settles when it is persisted.
   * @throws RangeError for an invalid value (a programming error, not CSMS input).
   */
  set(key: WritableKey, value: ConfigInput): Promise<void> {
    const parsed = parseValue(key, value, (k) => this.intOf(k));
    if (!parsed.ok) throw new RangeError(`OCPP configuration ${key}: ${parsed.reason}`);
    return this.update(key, parsed.value, 'agent');
  }

  private update(key: ConfigurationKey, value: ConfigValue, source: ChangeSource): Promise<void> {
    const unchanged = this.raw(key) === value;
    this.setValue(key, value);
    // Stored even when equal to the current value: the CSMS chose it, a later config file must not undo it.
    const known = this.persisted?.get(key) === value;
    // Without a file nothing is persisted, so nothing needs tracking.
    if (this.file) (this.persisted ??= new Map()).set(key, value);
    if (!unchanged) this.emit('changed', key, value, source);
    return known ? (this.writeLoop ?? Promise.resolve()) : this.persist();
  }

  /** Settles when every change made so far is on disk. */
  flush(): Promise<void> {
    return this.writeLoop ?? Promise.resolve();
  }

  private persist(): Promise<void> {
    if (!this.file) return Promise.resolve();
    this.dirty = true;
    this.writeLoop ??= this.runWrites(this.file);
    return this.writeLoop;
  }

  /** One writer per instance; changes arriving during a write are coalesced into the next one. */
  private async runWrites(file: string): Promise<void> {
    while (this.dirty) {
      this.dirty = false;
      const body: PersistedFile = { version: 1, values: Object.fromEntries(this.persisted ?? []) };
      try {
        await writeAtomically(file, `${JSON.stringify(body, null, 2)}\n`);
      } catch (err) {
        // The value stays effective in memory; the next change retries the write.
        this.log.error({ err, file }, 'could not persist OCPP configuration');
      }
    }
    // Cleared in the same synchronous step as the last `dirty` check, so no change is left behind.
    this.writeLoop = undefined;
  }
}

async function readPersisted(file: string, log: Logger): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') log.error({ err, file }, 'cannot read OCPP configuration file; using defaults');
    return undefined;
  }
  try {
    const body = JSON.parse(text) as Partial<PersistedFile> | null;
    if (body?.version !== 1 || typeof body.values !== 'object' || body.values === null || Array.isArray(body.values)) {
      throw new Error('unexpected structure');
    }
    return body.values;
  } catch (err) {
    log.error({ err, file }, 'corrupt OCPP configuration file; using defaults (it is replaced on the next change)');
    return undefined;
  }
}
