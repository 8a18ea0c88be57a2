/**
 * The process logger: pino on stderr, so stdout stays for what the command prints for people
 * (timelines, reports) or machines (`--json`). One logger per process; agents and devices get
 * child loggers.
 *
 * On a terminal the lines are human-readable (pino-pretty: time, level, message, fields);
 * otherwise — a service manager's journal, a pipe, a file — one JSON object per line. `--pretty`
 * and `--no-pretty` override that. Either way the writes are synchronous, so the last line before
 * an exit is not lost.
 */
import { createRequire } from 'node:module';
import { pino, type Logger } from 'pino';
import type PinoPretty from 'pino-pretty';

// pino-pretty is loaded only when used: a board logs JSON to its journal and saves the memory.
const require = createRequire(import.meta.url);

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LoggerOptions {
  /** true: human-readable; false: JSON lines; undefined: human-readable when stderr is a terminal. */
  pretty?: boolean | undefined;
  /** Also keeps every line (as JSON) here: the recent log a diagnostics upload sends (`evse run`). */
  ring?: { write(line: string): void };
}

/** Whether logs are human-readable: as asked, else when `stderr` is a terminal. */
export function prettyLogs(pretty: boolean | undefined, stderr: { isTTY?: boolean } = process.stderr): boolean {
  return pretty ?? stderr.isTTY === true;
}

export function createLogger(level: LogLevel | string = 'info', options: LoggerOptions = {}): Logger {
  const destination = pino.destination({ fd: 2, sync: true });
  const { ring } = options;
  if (!prettyLogs(options.pretty)) {
    if (!ring) return pino({ level, base: { pid: process.pid } }, destination);
    return pino({ level, base: { pid: process.pid } }, { write: (line: string) => (ring.write(line), destination.write(line)) });
  }
  const { prettyFactory } = require('pino-pretty') as typeof PinoPretty;
  const prettify = prettyFactory({
    // Colours only on a colour terminal (not when --pretty writes to a file or pipe).
    colorize: process.stderr.isTTY === true && process.stderr.hasColors(),
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
    singleLine: true,
  });
  return pino({ level, base: { pid: process.pid } }, { write: (line: string) => (ring?.write(line), destination.write(prettify(line))) });
}
