/**
 * `evse csms`: the embedded CSMS on its own, printing every message for people (or as JSON
 * lines with `json`) until SIGINT/SIGTERM or an abort signal. With `summaryIntervalS` (`--quiet`,
 * `--summary <s>`) it prints no frames, only counts: a summary line every interval and a final
 * summary on stop (the CSMS still validates both ways). bin/ parses the options and calls this;
 * it is the one place in scenarios/csms that writes to stdout.
 *
 * An operator drives the charge points through a prompt (`console`, {@link CsmsConsole}) and an
 * HTTP API (`api`, {@link CsmsHttpApi}); both send through one {@link CsmsOperator}.
 */
import type { Logger } from 'pino';
import { CsmsConsole } from './CsmsConsole.js';
import { CsmsCounter, formatSummary, QUIET_VIOLATIONS_SHOWN } from './CsmsCounter.js';
import { CsmsHttpApi } from './CsmsHttpApi.js';
import { CsmsOperator } from './CsmsOperator.js';
import type { ConnectionRequest } from './CsmsListener.js';
import { EmbeddedCsms } from './EmbeddedCsms.js';
import { CsmsTariff, type Tariff } from './CsmsTariff.js';
import { SiteLoadManager } from './SiteLoadManager.js';
import type { Site } from '../fleet/sites.js';
import { clockTime, formatMessage } from './formatMessage.js';
import type { Violation } from './Violations.js';

export interface CsmsCliOptions {
  /** Default 127.0.0.1: the CSMS has no authentication unless `password` is set. */
  readonly host?: string;
  /** Default 9000, which the default csms.url (ws://127.0.0.1:9000/ocpp) points at. */
  readonly port?: number;
  /** JSON lines instead of human lines. */
  readonly json?: boolean;
  readonly logger?: Logger;
  /**
   * Require this HTTP Basic password from every charge point (OCPP security profiles 1 and 2) that
   * does not present a client certificate.
   */
  readonly password?: string;
  /**
   * Serve wss:// (TLS 1.2 at least) with this certificate and key (PEM). With `clientCa` a charge
   * point may present a client certificate instead of a password (security profile 3): it must
   * chain to `clientCa`, else the connection is refused (401).
   */
  readonly tls?: { readonly cert: string; readonly key: string; readonly clientCa?: string };
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
  /**
   * Counting mode: no per-frame or per-connection lines; every this many seconds one summary
   * line (per-action counts, connected charge points, messages/s) and a final summary on stop.
   * The first {@link QUIET_VIOLATIONS_SHOWN} violations are still printed in full.
   */
  readonly summaryIntervalS?: number;
  /** How long a call to a charge point (prompt, HTTP API) waits for the answer once sent. Default 10 000 ms. */
  readonly callTimeoutMs?: number;
  /** Serve the HTTP API (docs/csms-api.openapi.yaml); host default 127.0.0.1, port 0 = any free port. */
  readonly api?: { readonly host?: string; readonly port: number };
  /**
   * Read prompt commands from `input` until it ends (then the CSMS stops). With `terminal` (the
   * terminal's output stream) it prompts, edits, completes and keeps the prompt below the traffic.
   */
  readonly console?: { readonly input: NodeJS.ReadableStream; readonly terminal?: NodeJS.WritableStream };
  /** Send prices and costs to the chargers (OCA California Pricing, ./CsmsTariff.ts). */
  readonly tariff?: Tariff;
  /** Share these sites' grid limits among their transactions (./SiteLoadManager.ts). */
  readonly sites?: { readonly sites: readonly Site[]; readonly idPrefix: string };
}

/** Traffic records `evse csms --quiet` keeps (it prints counts, not frames). */
const QUIET_TRAFFIC_LIMIT = 1000;

export interface CsmsCliHandle {
  readonly csms: EmbeddedCsms;
  readonly operator: CsmsOperator;
  readonly url: string;
  /** The HTTP API's base URL when `api` was given. */
  readonly apiUrl: string | undefined;
  /** The counts in counting mode (`summaryIntervalS`), else undefined. */
  readonly counter: CsmsCounter | undefined;
  /** Settles once the CSMS has stopped. */
  readonly closed: Promise<void>;
  stop(): Promise<void>;
}

/** Starts the CSMS and the printing; rejects if it cannot listen (e.g. EADDRINUSE). */
export async function runCsmsCli(options: CsmsCliOptions = {}): Promise<CsmsCliHandle> {
  const write = options.write ?? ((line: string) => void process.stdout.write(`${line}\n`));
  // Everything goes through print(): with a prompt on a terminal, lines go above the prompt.
  let prompt: CsmsConsole | undefined;
  const print = (line: string): void => (prompt ? prompt.print(line) : write(line));
  const { json = false, utc = false, password } = options;
  const intervalS = options.summaryIntervalS;
  const quiet = intervalS !== undefined;
  const csms = new EmbeddedCsms({
    ...(options.logger ? { logger: options.logger } : {}),
    // Quiet, it only counts: a short traffic log (it still pairs answers with calls) keeps a
    // fleet-sized run from holding 100,000 parsed frames.
    ...(quiet ? { trafficLimit: QUIET_TRAFFIC_LIMIT } : {}),
    bootPolicy: { interval: options.heartbeatInterval ?? 300 },
    ...(options.tls && { tls: options.tls }),
    ...((password !== undefined || options.tls?.clientCa !== undefined) && {
      // A client certificate (profile 3) must chain to the client CA; without one, the password (profiles 1, 2).
      auth: (request: ConnectionRequest) => (request.clientCertificate ? request.clientCertificate.authorized : password === undefined || request.password === password),
    }),
    ...(options.callTimeoutMs === undefined ? {} : { callTimeoutMs: options.callTimeoutMs }),
  });
  const operator = new CsmsOperator(csms, options.callTimeoutMs === undefined ? {} : { callTimeoutMs: options.callTimeoutMs });
  if (options.tariff) new CsmsTariff(csms, options.tariff).attach();
  if (options.sites) new SiteLoadManager(csms, { ...options.sites, ...(options.logger && { logger: options.logger }) }).attach();
  const emit = (type: string, human: string, fields: Record<string, unknown>, stamped = true): void =>
    print(json ? JSON.stringify({ type, t: new Date().toISOString(), ...fields }) : stamped ? `${clockTime(Date.now(), utc)} ${human}` : human);

  const printViolation = (v: Violation): void =>
    emit('violation', `! ${v.chargePointId}: ${v.by === 'csms' ? 'CSMS' : 'charge point'} sent an invalid ${v.action ?? 'frame'}: ${v.error}`, { ...v, t: new Date(v.t).toISOString() });

  if (quiet && !(Number.isFinite(intervalS) && intervalS > 0)) throw new RangeError(`summary interval must be a positive number of seconds, got ${intervalS}`);
  const counter = quiet ? new CsmsCounter() : undefined;
  const emitSummary = (final: boolean): void => {
    if (!counter) return;
    const s = counter.summary(final);
    if (json) print(JSON.stringify({ type: final ? 'final' : 'summary', t: new Date().toISOString(), ...s }));
    else print(`${clockTime(Date.now(), utc)} ${formatSummary(s, final)}`);
  };
  if (counter) {
    let shown = 0;
    csms.on('message', (record) => counter.message(record));
    csms.on('connect', () => counter.connect());
    csms.on('disconnect', () => counter.disconnect());
    csms.on('refused', () => counter.refuse());
    csms.on('violation', (v) => {
      counter.violation(v);
      if (shown++ < QUIET_VIOLATIONS_SHOWN) printViolation(v);
    });
  } else {
    csms.on('message', (record) => {
      if (!json) return print(formatMessage(record, { utc }));
      const { seq: _seq, raw, t, ...rest } = record;
      print(JSON.stringify({ type: 'message', ...rest, t: new Date(t).toISOString(), ...(record.kind === 'malformed' ? { raw } : {}) }));
    });
    csms.on('connect', (e) => emit('connect', `${e.chargePointId} connected from ${e.remoteAddress ?? '?'} (path ${e.endpoint}, OCPP ${e.ocppVersion})`, e));
    csms.on('disconnect', (e) => emit('disconnect', `${e.chargePointId} disconnected (${e.code}${e.reason ? ` ${e.reason}` : ''})`, e));
    csms.on('refused', (e) => emit('refused', `${e.chargePointId} refused: ${e.status} ${e.reason}`, e));
    csms.on('violation', printViolation);
  }

  const { url } = await csms.start({ host: options.host ?? '127.0.0.1', port: options.port ?? 9000 });
  const security = securityOf(options);
  emit('listening', `listening on ${url}: charge points connect to ${url}/<chargePointId> (any path before the id, e.g. ${url}/ocpp/CP001), OCPP 1.6 or 2.0.1; ${security}`, { url, security });
  const api = options.api && new CsmsHttpApi({ operator, host: options.api.host ?? '127.0.0.1', port: options.api.port, ...(options.logger && { logger: options.logger }) });
  let apiUrl: string | undefined;
  try {
    apiUrl = api && (await api.start()).url;
  } catch (err) {
    await csms.stop();
    // Marked, so a caller can tell which of the two addresses could not be had.
    throw Object.assign(err as Error, { api: true });
  }
  if (apiUrl) emit('api', `HTTP API on ${apiUrl}: GET ${apiUrl}/chargers, POST ${apiUrl}/chargers/<id>/calls/<Action> (docs/csms.md)`, { url: apiUrl });
  const ticker = quiet ? setInterval(() => emitSummary(false), intervalS * 1000) : undefined;
  ticker?.unref();

  let stopping: Promise<void> | undefined;
  let markClosed = (): void => undefined;
  const closed = new Promise<void>((resolve) => (markClosed = resolve));
  const signals: NodeJS.Signals[] = options.handleSignals === false ? [] : ['SIGINT', 'SIGTERM'];
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      for (const s of signals) process.off(s, onStop);
      options.signal?.removeEventListener('abort', onStop);
      if (ticker) clearInterval(ticker);
      prompt?.close();
      // The CSMS first: calls still waiting are rejected and their HTTP requests answered.
      await csms.stop();
      await api?.stop();
      await prompt?.done.catch(() => undefined);
      emitSummary(true);
      emit('stopped', 'stopped', {});
      markClosed();
    })();
    return stopping;
  };
  const onStop = (): void => void stop();
  for (const s of signals) process.once(s, onStop);
  if (options.console) {
    prompt = new CsmsConsole({
      operator,
      input: options.console.input,
      ...(options.console.terminal && { terminal: options.console.terminal }),
      emit,
      write,
      onInterrupt: onStop,
      utc,
    });
    // The input ended (Ctrl-D, end of a piped script) or `exit`: stop like Ctrl-C.
    prompt.done.then(onStop, (err: unknown) => {
      options.logger?.error({ err }, 'CSMS prompt failed');
      onStop();
    });
  }
  if (options.signal?.aborted) onStop();
  else options.signal?.addEventListener('abort', onStop, { once: true });
  return { csms, operator, url, apiUrl, counter, closed, stop };
}

/** What a charge point must bring, for the listening line. */
function securityOf(options: CsmsCliOptions): string {
  const { tls, password } = options;
  if (!tls) return password === undefined ? 'no authentication' : 'HTTP Basic password required (security profile 1)';
  const ways = [password === undefined ? 'no password asked' : 'HTTP Basic password (security profile 2)', ...(tls.clientCa ? ['or a client certificate from the client CA (security profile 3)'] : [])];
  return `TLS ≥ 1.2, ${ways.join(' ')}`;
}
