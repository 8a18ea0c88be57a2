/**
 * The command-line conventions every `evse` subcommand shares, in one place:
 *  - value parsers for options (commander argParsers that throw InvalidArgumentError);
 *  - the logging options (`--log-level`, `--pretty` / `--no-pretty`);
 *  - how a usage error ends: one line `evse <command>: <option>: <what is allowed>, got '<value>'`
 *    on stderr and exit 64 (sysexits.h EX_USAGE), without the help text. `--help` and `--version`
 *    print to stdout and exit 0; a group called without its subcommand (`evse`, `evse scenario`)
 *    prints its help on stderr and exits 64.
 * Commands report their own usage errors (checks commander cannot make) with {@link EX_USAGE} too.
 */
import { CommanderError, InvalidArgumentError, Option, type Command } from 'commander';
import { LOG_LEVELS } from './logger.js';

/** Exit code of a command line that is wrong (sysexits.h EX_USAGE). */
export const EX_USAGE = 64;

// ── option values ───────────────────────────────────────────────────────────────────────────

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;

function number(value: string, expected: string): number {
  const n = NUMBER.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isFinite(n)) throw new InvalidArgumentError(expected);
  return n;
}

/** A number > 0 (fractions allowed: a ramp of 0.5 chargers per second). */
export function positiveNumber(value: string): number {
  const expected = 'expected a number greater than 0';
  const n = number(value, expected);
  if (n <= 0) throw new InvalidArgumentError(expected);
  return n;
}

/** An integer from `min` to `max`. */
export function integerIn(min: number, max: number): (value: string) => number {
  const expected = max === Number.MAX_SAFE_INTEGER ? `expected an integer of at least ${min}` : `expected an integer from ${min} to ${max}`;
  return (value) => {
    const n = number(value, expected);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(expected);
    return n;
  };
}

/** An integer ≥ 1 (counts). */
export const positiveInteger = integerIn(1, Number.MAX_SAFE_INTEGER);
/** An integer ≥ 0 (limits where 0 means none). */
export const nonNegativeInteger = integerIn(0, Number.MAX_SAFE_INTEGER);
/** A TCP port; 0 asks the system for a free one. */
export const port = integerIn(0, 65535);
/** A seed: an unsigned 32-bit integer. */
export const seed = integerIn(0, 0xffffffff);

/** An argParser from a parser that throws (e.g. a RangeError): any failure is the usage error `expected`. */
export function parsedBy<T>(parse: (value: string) => T, expected: string): (value: string) => T {
  return (value) => {
    try {
      return parse(value);
    } catch {
      throw new InvalidArgumentError(expected);
    }
  };
}

/** `--ocpp <version>`: the OCPP version a charger started by the command speaks (1.6 or 2.0.1; default 1.6 unless `defaultValue` is undefined). */
export function ocppVersionOption(description = 'the OCPP version the charger speaks', defaultValue: string | undefined = '1.6'): Option {
  const option = new Option('--ocpp <version>', description).choices(['1.6', '2.0.1']);
  return defaultValue === undefined ? option : option.default(defaultValue);
}

// ── logging options ─────────────────────────────────────────────────────────────────────────

export interface LogOptions {
  logLevel?: string;
  /** true: `--pretty`; false: `--no-pretty`; undefined: pretty when stderr is a terminal. */
  pretty?: boolean;
}

/**
 * Adds `--pretty` / `--no-pretty` and, when `defaultLevel` is given, `--log-level` (choices: the
 * pino levels). `evse run` takes its level from the configuration (log.level, EVSE_LOG_LEVEL).
 */
export function withLogOptions(command: Command, defaultLevel?: string): Command {
  if (defaultLevel !== undefined) {
    command.addOption(new Option('--log-level <level>', 'log level on stderr').choices(LOG_LEVELS).default(defaultLevel));
  }
  return command
    .option('--pretty', 'human-readable logs on stderr (default when stderr is a terminal)')
    .option('--no-pretty', 'logs as JSON lines on stderr (default when stderr is not a terminal)');
}

// ── usage errors ────────────────────────────────────────────────────────────────────────────

/** `evse fleet merge` for the merge command. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** The long flag of an option's flags: `-v, --version` → `--version`, `--count <n>` → `--count`. */
function optionName(flags: string): string {
  return /--[\w-]+/.exec(flags)?.[0] ?? flags.split(/[ ,]/)[0]!;
}

/**
 * Commander's error text as the one line `evse` prints: the option first, what is allowed, the
 * value given. Texts not recognised here (another commander version) are kept, on one line.
 */
export function usageLine(command: Command, err: CommanderError): string {
  const path = commandPath(command);
  const text = err.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ').trim();
  const invalid = /^option '([^']+)' argument '(.*)' is invalid\. (.*)$/s.exec(text);
  if (invalid) {
    const [, flags, value, why] = invalid as unknown as [string, string, string, string];
    const allowed = why.replace(/^Allowed choices are (.*?)\.?$/, 'expected one of $1');
    return `${path}: ${optionName(flags)}: ${allowed}, got '${value}'`;
  }
  const missing = /^option '([^']+)' argument missing$/.exec(text);
  if (missing) return `${path}: ${optionName(missing[1]!)}: a value is required (${missing[1]})`;
  const suggestion = (s: string) => s.replace(/\(Did you mean (.*)\?\)/, '(did you mean $1?)');
  if (err.code === 'commander.unknownOption') return `${path}: ${suggestion(text)}; \`${path} --help\` lists the options`;
  if (err.code === 'commander.unknownCommand') return `${path}: ${suggestion(text)}; \`${path} --help\` lists the commands`;
  return `${path}: ${text}`;
}

/**
 * Applies the usage-error convention to `program` and every subcommand (call it once all commands
 * are defined): commander's own error output and help-after-error are off, and an error is
 * printed as the one line of {@link usageLine} and thrown as a CommanderError, which
 * {@link parseCommandLine} turns into the exit code.
 */
export function reportUsageErrors(program: Command): void {
  const visit = (command: Command) => {
    command
      .showHelpAfterError(false)
      .configureOutput({ outputError: () => undefined })
      .exitOverride((err) => {
        // commander.help: a group without its subcommand; the help is already on stderr.
        if (err.exitCode !== 0 && err.code !== 'commander.help') process.stderr.write(`${usageLine(command, err)}\n`);
        throw err;
      });
    for (const sub of command.commands) visit(sub);
  };
  visit(program);
}

/** Parses and runs; a usage error sets exit code 64 (help and version 0). Other errors propagate. */
export async function parseCommandLine(program: Command, argv: readonly string[]): Promise<void> {
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    process.exitCode = err.exitCode === 0 ? 0 : EX_USAGE;
  }
}
