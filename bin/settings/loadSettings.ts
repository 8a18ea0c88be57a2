/**
 * Reads the configuration with node-config and validates it into {@link Settings}.
 *
 * Why not `import config from 'config'`: that singleton reads NODE_CONFIG_DIR, NODE_ENV and
 * the environment once, at first import, relative to the current directory. An installed `evse`
 * runs from anywhere, and — checked with config 5.0.1 — the singleton's YAML parser is also
 * resolved from the current directory (`createRequire(cwd)`), so outside the package it finds
 * no `yaml` module, prints "No YAML parser loaded" and "No configurations found", and yields an
 * empty tree. Instead this uses node-config's own loader without the singleton (`Load` and
 * `Util`, from config/lib/util.js, "the work horse of loading Config data - without the
 * singleton"). That is public API in node-config 5: its README lists
 * `config/lib/util` among the entry points it publishes typings for (beside `config` and
 * `config/parser`), and its wiki page Sub-Module Configuration loads with `Load` from it
 * (node-config issue #840). `substituteDeep` is a protected method of `Load`, reached by
 * subclassing. Used with:
 *  - the package's own config/ directory, found from this module's location, then the
 *    directories in NODE_CONFIG_DIR (`path.delimiter`-separated) for the user's files;
 *  - the same file order as node-config: default < NODE_ENV (e.g. test, sim) < hostname < local,
 *    then the NODE_CONFIG JSON variable, then custom-environment-variables;
 *  - YAML parsed by the `yaml` this package depends on;
 *  - the environment passed in (default process.env), so every call reads it afresh and tests
 *    need no child process and no import-order tricks; nothing is printed to the console.
 */
import { existsSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { Load, Util } from 'config/lib/util.js';
import DefaultParser from 'config/parser.js';
import YAML from 'yaml';
import { packageRoot, packageVersion } from '../packageInfo.js';
import { SettingsError, parseSettings, type Settings, type SettingsIssue } from './settings.js';
import { planSerial } from './serialPlan.js';

export type Environment = Readonly<Record<string, string | undefined>>;

export interface LoadSettingsOptions {
  /** Instead of the package's own config/ directory (tests, fixtures). NODE_CONFIG_DIR still adds to it. */
  readonly configDir?: string;
  /**
   * The environment (default process.env): NODE_CONFIG_DIR, NODE_CONFIG_ENV or NODE_ENV,
   * NODE_APP_INSTANCE, HOST/HOSTNAME, NODE_CONFIG and the EVSE_* variables.
   */
  readonly env?: Environment;
}

export interface ConfigTree {
  /** The merged, not yet validated tree. */
  readonly tree: Record<string, unknown>;
  /** Files (and `$NODE_CONFIG`) that contributed, in the order they were applied. */
  readonly sources: readonly string[];
  /** Dotted key path → the environment variable that set it. */
  readonly fromEnvironment: ReadonlyMap<string, string>;
}

/**
 * Reads and validates the settings; throws {@link SettingsError} (see `exitOnInvalidSettings`).
 * With `hal.driver: serial` the configured ports must exist on this machine, too.
 */
export function loadSettings(options: LoadSettingsOptions = {}): Settings {
  const { tree, fromEnvironment } = readConfigTree(options);
  try {
    const settings = parseSettings(tree);
    const missing = missingSerialPorts(settings);
    if (missing.length > 0) throw new SettingsError(missing);
    return settings;
  } catch (err) {
    if (!(err instanceof SettingsError)) throw err;
    // Point at the variable when that is where a bad value came from.
    throw new SettingsError(
      err.issues.map((issue) => {
        const variable = fromEnvironment.get(issue.path);
        return variable ? { ...issue, message: `${issue.message} (from ${variable})` } : issue;
      }),
    );
  }
}

/**
 * With `hal.driver: serial`, configured ports that are not there (or are not character devices,
 * e.g. a regular file), as issues naming the key that names them. Opening them is left to the
 * drivers, which report a port that exists but cannot be opened as a device fault and retry.
 */
function missingSerialPorts(settings: Settings): SettingsIssue[] {
  if (settings.hal.driver !== 'serial') return [];
  const { plan } = planSerial(settings);
  const lines = [...plan.buses.map((b) => b.line), ...plan.devices.flatMap((d) => ('line' in d ? [d.line] : []))];
  const issues: SettingsIssue[] = [];
  for (const { port, at } of lines) {
    const stat = statSync(port, { throwIfNoEntry: false });
    if (!stat) issues.push({ path: at, message: `expected an existing serial port, got ${JSON.stringify(port)} (no such file)` });
    else if (!stat.isCharacterDevice()) issues.push({ path: at, message: `expected a serial port (a character device), got ${JSON.stringify(port)}` });
  }
  return issues;
}

/** The merged configuration tree and where it came from, before validation. */
export function readConfigTree(options: LoadSettingsOptions = {}): ConfigTree {
  const env = options.env ?? process.env;
  const directories = configDirectories(options.configDir ?? join(packageRoot(), 'config'), env);
  const load = new EnvironmentLoad({
    configDir: directories.join(delimiter),
    nodeEnv: (env.NODE_CONFIG_ENV || env.NODE_ENV || 'development').split(','),
    hostName: env.HOST || env.HOSTNAME || hostname(),
    ...(env.NODE_APP_INSTANCE ? { appInstance: env.NODE_APP_INSTANCE } : {}),
    parser: yamlAwareParser as unknown as typeof DefaultParser,
  });
  // Lowest layer: what no file can know. Unnamed, so it is not listed as a source.
  load.addConfig(undefined, { chargePoint: { firmwareVersion: packageVersion() } });
  const fromEnvironment = new Map<string, string>();
  withFileErrors(() => {
    Util.loadFileConfigs(load);
    if (env.NODE_CONFIG) load.addConfig('$NODE_CONFIG', parseNodeConfigVariable(env.NODE_CONFIG));
    const mappings = Util.locateMatchingFiles(load.options.configDir ?? '', customEnvironmentFiles());
    for (const file of mappings) {
      load.loadFile(file, (mapping: unknown) => {
        collectVariables(mapping, [], env, fromEnvironment);
        return load.substitute(mapping, env);
      });
    }
    Util.resolveDeferredConfigs(load.config);
  });
  return { tree: load.config, sources: load.getSources().map((s) => s.name), fromEnvironment };
}

/** node-config's Load, with its environment substitution usable on an environment of our choice. */
class EnvironmentLoad extends Load {
  substitute(mapping: unknown, env: Environment): object {
    return this.substituteDeep(mapping as object, env);
  }
}

/** The part of node-config's parser module used here (its bundled typings misdescribe the default export). */
interface ConfigParser {
  parse(filename: string, content: string): object | undefined;
  getFilesOrder(): string[];
}
const nodeConfigParser = DefaultParser as unknown as ConfigParser;

/** node-config's parser for every format, except YAML, which is parsed with our own `yaml`. */
const yamlAwareParser: ConfigParser = {
  ...nodeConfigParser,
  parse(filename, content) {
    if (!/\.ya?ml$/i.test(filename)) return nodeConfigParser.parse(filename, content);
    // A file of comments only is an empty layer, not an error.
    return (YAML.parse(content) as object | null) ?? {};
  },
};

function configDirectories(packageDir: string, env: Environment): string[] {
  const userDirs = (env.NODE_CONFIG_DIR ?? '').split(delimiter).filter(Boolean).map((d) => resolve(d));
  const missing = userDirs.filter((d) => !existsSync(d) || !statSync(d).isDirectory());
  if (missing.length > 0) {
    throw new SettingsError([{ path: 'NODE_CONFIG_DIR', message: `expected existing directories, got ${missing.map((d) => JSON.stringify(d)).join(', ')}` }]);
  }
  return [resolve(packageDir), ...userDirs.filter((d) => d !== resolve(packageDir))];
}

function customEnvironmentFiles(): Record<string, number> {
  const files: Record<string, number> = {};
  nodeConfigParser.getFilesOrder().forEach((ext, i) => (files[`custom-environment-variables.${ext}`] = i + 1));
  return files;
}

function parseNodeConfigVariable(json: string): object {
  try {
    const value: unknown = JSON.parse(json);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value;
  } catch {
    // reported below
  }
  throw new SettingsError([{ path: 'NODE_CONFIG', message: `expected a JSON object, got ${JSON.stringify(json.slice(0, 80))}` }]);
}

/** Records which key paths a custom-environment-variables mapping fills from `env`. */
function collectVariables(mapping: unknown, path: string[], env: Environment, out: Map<string, string>): void {
  if (typeof mapping !== 'object' || mapping === null) return;
  for (const [key, value] of Object.entries(mapping)) {
    const name = typeof value === 'string' ? value : typeof value === 'object' && value && '__name' in value ? String(value.__name) : undefined;
    if (name !== undefined && env[name]) out.set([...path, key].join('.'), name);
    else collectVariables(value, [...path, key], env, out);
  }
}

/** A config file that cannot be read or parsed is a configuration error too (exit 78). */
function withFileErrors(read: () => void): void {
  try {
    read();
  } catch (err) {
    if (err instanceof SettingsError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    const file = /config file:? '?([^']+?)'?:/i.exec(message)?.[1];
    const issue: SettingsIssue = { path: file ?? 'config', message: `expected a readable, well-formed file: ${message}` };
    throw new SettingsError([issue]);
  }
}
