/**
 * `evse csms`: the embedded CSMS on its own, printing every message for people (or as JSON
 * lines with `json`) until SIGINT/SIGTERM or an abort signal. bin/ parses the options and calls
 * this; it is the one place in scenarios/csms that writes to stdout.
 */
import type { Logger } from 'pino';
import { EmbeddedCsms } from './EmbeddedCsms.js';
import { clockTime, formatMessage } from './formatMessage.js';

export interface CsmsCliOptions {
  /** Default 127.0.0.1: the CSMS has no authentication unless `password` is set. */
  readonly host?: string;
  /** Default 9000, which the default csms.url (ws://127.0.0.1:9000/ocpp) points at. */
  readonly port?: number;
  /** JSON lines instead of human lines. */
  readonly json?: boolean;
  readonly logger?: Logger;
  /** Require this HTTP Basic password from every charge point (OCPP security profile 1). */
  readonly password?: string;
  /** Heartbeat interval (s) in BootNotification replies. Default 300. */
  readonly heartbeatInterval?: number;
  /** Human lines with UTC clock times. */
  readonly utc?: boolean;
  /** Where lines go. Default: stdout. */
  readonly write?: (line: string) => void;
  /** Stops the CSMS when aborted (besides SIGINT/SIGTERM). */
  readonly signal?: AbortSignal;
  /** Stop on SIGINT/SIGTERM. Default true. */
  readonly handleSignals?: boolean;
}

export interface CsmsCliHandle {
  readonly csms: EmbeddedCsms;
  readonly url: string;
  /** Settles once the CSMS has stopped. */
  readonly closed: Promise<void>;
  stop(): Promise<void>;
}

/** Starts the CSMS and the printing; rejects if it cannot listen (e.g. EADDRINUSE). */
export async function runCsmsCli(options: CsmsCliOptions = {}): Promise<CsmsCliHandle> {
  const write = options.write ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const { json = false, utc = false, password } = options;
  const csms = new EmbeddedCsms({
    ...(options.logger ? { logger: options.logger } : {}),
    bootPolicy: { interval: options.heartbeatInterval ?? 300 },
    ...(password === undefined ? {} : { auth: (request) => request.password === password }),
  });
  const emit = (type: string, human: string, fields: Record<string, unknown>): void =>
    write(json ? JSON.stringify({ type, t: new Date().toISOString(), ...fields }) : `${clockTime(Date.now(), utc)} ${human}`);

  csms.on('message', (record) => {
    if (!json) return write(formatMessage(record, { utc }));
    const { seq: _seq, raw, t, ...rest } = record;
    write(JSON.stringify({ type: 'message', ...rest, t: new Date(t).toISOString(), ...(record.kind === 'malformed' ? { raw } : {}) }));
  });
  csms.on('connect', (e) => emit('connect', `${e.chargePointId} connected from ${e.remoteAddress ?? '?'} (path ${e.endpoint})`, e));
  csms.on('disconnect', (e) => emit('disconnect', `${e.chargePointId} disconnected (${e.code}${e.reason ? ` ${e.reason}` : ''})`, e));
  csms.on('refused', (e) => emit('refused', `${e.chargePointId} refused: ${e.status} ${e.reason}`, e));
  csms.on('violation', (v) => emit('violation', `! ${v.chargePointId}: ${v.by === 'csms' ? 'CSMS' : 'charge point'} sent an invalid ${v.action ?? 'frame'}: ${v.error}`, { ...v, t: new Date(v.t).toISOString() }));

  const { url } = await csms.start({ host: options.host ?? '127.0.0.1', port: options.port ?? 9000 });
  emit('listening', `listening on ${url}: charge points connect to ${url}/<chargePointId> (any path before the id, e.g. ${url}/ocpp/CP001)`, { url });

  let stopping: Promise<void> | undefined;
  let markClosed = (): void => undefined;
  const closed = new Promise<void>((resolve) => (markClosed = resolve));
  const signals: NodeJS.Signals[] = options.handleSignals === false ? [] : ['SIGINT', 'SIGTERM'];
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      for (const s of signals) process.off(s, onStop);
      options.signal?.removeEventListener('abort', onStop);
      await csms.stop();
      emit('stopped', 'stopped', {});
      markClosed();
    })();
    return stopping;
  };
  const onStop = (): void => void stop();
  for (const s of signals) process.once(s, onStop);
  if (options.signal?.aborted) onStop();
  else options.signal?.addEventListener('abort', onStop, { once: true });
  return { csms, url, closed, stop };
}
