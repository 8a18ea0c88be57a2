/**
 * The process logger: structured JSON lines (pino) on stderr, so stdout stays for what the
 * command prints for people (timelines, reports). One logger per process; agents and devices get
 * child loggers.
 */
import { pino, type Logger, type LevelWithSilent } from 'pino';

export function createLogger(level: LevelWithSilent | string = 'info'): Logger {
  return pino({ level, base: { pid: process.pid } }, pino.destination({ fd: 2, sync: true }));
}
