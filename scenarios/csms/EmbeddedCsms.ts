/**
 * A small, strict OCPP 1.6J and 2.0.1 central system for the demo, `evse csms`, scenarios and tests.
 *
 * Strict: each connection speaks the subprotocol its handshake chose (`ocpp1.6` or `ocpp2.0.1`,
 * the charge point's preference among those offered) and every message is validated both ways
 * against that version's schemas (ocpp-rpc `strictMode`); what failed validation is kept as a
 * {@link Violation}, so a test can assert that the agent never sent an invalid message. So are
 * broken 2.0.1 rules the schemas cannot see (seqNo gaps, an EVSE Available before its
 * transaction Ended).
 * Observable: every frame is recorded ({@link TrafficRecord}) and emitted; `waitFor…` resolve
 * with the recorded message. Scriptable: see {@link CsmsReplies}.
 *
 * It binds to 127.0.0.1 unless told otherwise: it has no authentication unless `auth` is given.
 */
import { EventEmitter, on } from 'node:events';
import type { Logger } from 'pino';
import type { Ocpp16Action, RequestOf, ResponseOf } from '../../agent/ocpp16/messages.js';
import type { Ocpp201Action, RequestOf as RequestOf201, ResponseOf as ResponseOf201 } from '../../agent/ocpp201/messages.js';
import type { OcppVersion } from '../../agent/ocpp/ProtocolFace.js';
import { applyExchange, newChargePointState, type ChargePointState, type RuleBroken, type TransactionRecord } from './ChargePointState.js';
import { CsmsReplies, inboundActions, type AnyInboundAction, type AuthorizationRule, type BootPolicy, type Reply, type ReplyOptions } from './CsmsReplies.js';
import { CsmsListener, type ConnectionRequest } from './CsmsListener.js';
import { InvalidAnswerError } from './errors.js';
import { versionOf, type ServerClient } from './ocppRpcServer.js';
import { TrafficLog, parseFrame, type CallMatch, type CallMatch201, type CallRecord, type CallRecord201, type Direction, type TrafficRecord, type WaitOptions } from './TrafficLog.js';
import { Violations, type Violation } from './Violations.js';

export { NO_REPLY, callError, isRpcError, type RpcError } from './ocppRpcServer.js';
export type { ConnectionRequest } from './CsmsListener.js';
export type { CallMatch, CallRecord, TrafficRecord } from './TrafficLog.js';
export type { Violation } from './Violations.js';

export interface EmbeddedCsmsOptions {
  /** The OCPP versions accepted (default both; the 2.0.1 schemas are loaded only when 2.0.1 is accepted). */
  readonly ocppVersions?: readonly OcppVersion[];
  /** The CSMS clock (ms since the epoch): currentTime in replies and record times. Default Date.now. */
  readonly now?: () => number;
  readonly logger?: Logger;
  readonly bootPolicy?: BootPolicy;
  readonly authorization?: AuthorizationRule;
  /** Accept or refuse a connection (HTTP 401), e.g. to check the agent's password. Default: accept. */
  readonly auth?: (request: ConnectionRequest) => boolean | Promise<boolean>;
  /** For calls to charge points. Default 10 000 ms. */
  readonly callTimeoutMs?: number;
  /** WebSocket pings to charge points; 0 = none. Default 30 000 ms. */
  readonly pingIntervalMs?: number;
  readonly firstTransactionId?: number;
  /** How many traffic records to keep. Default 100 000. */
  readonly trafficLimit?: number;
  /**
   * Serve wss:// with this certificate and key (PEM), e.g. from demoCertificates.ts. Default: ws://.
   * With `clientCa` (PEM) a charge point may present a client certificate (security profile 3):
   * `auth` sees whether it chains to that CA (ConnectionRequest.clientCertificate).
   */
  readonly tls?: { readonly cert: string; readonly key: string; readonly clientCa?: string };
}

export interface EmbeddedCsmsEvents {
  message: [TrafficRecord];
  /** A call from a charge point was recorded (before it is validated and answered). */
  call: [TrafficRecord];
  connect: [{ chargePointId: string; endpoint: string; remoteAddress: string | undefined; ocppVersion: OcppVersion }];
  disconnect: [{ chargePointId: string; code: number; reason: string }];
  refused: [{ chargePointId: string; status: number; reason: string }];
  violation: [Violation];
  transactionStarted: [TransactionRecord];
  transactionStopped: [TransactionRecord];
}

/** A timeout in ms, or options. */
export type CsmsWait = number | (WaitOptions & { readonly direction?: Direction });

export class EmbeddedCsms extends EventEmitter<EmbeddedCsmsEvents> {
  private readonly now: () => number;
  private readonly replies: CsmsReplies;
  private readonly log: TrafficLog;
  private readonly states = new Map<string, ChargePointState>();
  private readonly clients = new Map<string, ServerClient>();
  private readonly violationLog: Violations;
  /** Rejections of our calls caused by an invalid answer, and that answer. */
  private readonly invalidAnswers = new WeakMap<Error, { result: unknown }>();
  private listener: CsmsListener | undefined;
  private starting = false;
  private stopping: Promise<void> | undefined;

  constructor(private readonly options: EmbeddedCsmsOptions = {}) {
    super();
    this.now = options.now ?? Date.now;
    this.replies = new CsmsReplies(this.now, options.bootPolicy, options.authorization, options.firstTransactionId);
    this.log = new TrafficLog(options.trafficLimit);
    this.violationLog = new Violations(this.now);
  }

  /** Listens; charge points connect to `${url}/${chargePointId}` (any path prefix is accepted). */
  async start({ host = '127.0.0.1', port = 0 }: { host?: string; port?: number } = {}): Promise<{ url: string; port: number }> {
    if (this.starting || this.stopping) throw new Error('EmbeddedCsms can be started once');
    this.starting = true;
    const timeouts = { callTimeoutMs: this.options.callTimeoutMs ?? 10_000, pingIntervalMs: this.options.pingIntervalMs ?? 30_000 };
    try {
      const versions = this.options.ocppVersions && { versions: this.options.ocppVersions };
      this.listener = await CsmsListener.listen(host, port, { ...timeouts, ...versions, ...(this.options.tls && { tls: this.options.tls }) }, {
        auth: this.options.auth,
        refused: ({ error, ...e }) => {
          this.options.logger?.warn({ ...e, err: error }, 'connection refused');
          this.emit('refused', e);
        },
        client: (client) => this.attach(client),
        error: (err) => this.options.logger?.error({ err }, 'CSMS server error'),
      });
    } catch (err) {
      this.starting = false; // e.g. EADDRINUSE: another port may be tried
      throw err;
    }
    this.options.logger?.info({ url: this.listener.url }, 'CSMS listening');
    return { url: this.listener.url, port: this.listener.port };
  }

  /** The URL from {@link start}. */
  get url(): string {
    if (!this.listener) throw new Error('EmbeddedCsms not started');
    return this.listener.url;
  }

  /**
   * Closes every connection (close code 1001) and the listener. Connections that do not finish
   * their closing handshake within `timeoutMs` are cut. Pending waits are rejected. Idempotent.
   */
  stop({ timeoutMs = 2000 }: { timeoutMs?: number } = {}): Promise<void> {
    this.stopping ??= this.shutDown(timeoutMs);
    return this.stopping;
  }

  // ── scripting ────────────────────────────────────────────────────────────────────────────

  /** Overrides the answer to an action (see {@link CsmsReplies.reply} for precedence); returns an undo. */
  respondTo<A extends AnyInboundAction>(action: A, reply: Reply<A>, options?: ReplyOptions): () => void {
    return this.replies.respondTo(action, reply, options);
  }

  /** Overrides the answer to the next `times` (default 1) calls of an action. */
  respondOnce<A extends AnyInboundAction>(action: A, reply: Reply<A>, options: ReplyOptions = {}): () => void {
    return this.replies.respondTo(action, reply, { ...options, times: options.times ?? 1 });
  }

  clearReplies(action?: AnyInboundAction): void {
    this.replies.clear(action);
  }

  setBootPolicy(policy: BootPolicy): void {
    this.replies.setBootPolicy(policy);
  }

  setAuthorization(rule: AuthorizationRule | undefined): void {
    this.replies.setAuthorization(rule);
  }

  // ── observing ────────────────────────────────────────────────────────────────────────────

  chargePoint(chargePointId: string): Readonly<ChargePointState> | undefined {
    return this.states.get(chargePointId);
  }

  chargePoints(): Readonly<ChargePointState>[] {
    return [...this.states.values()];
  }

  isConnected(chargePointId: string): boolean {
    return this.clients.has(chargePointId);
  }

  /** Transactions of one charge point, or of all, in the order they started. */
  transactions(chargePointId?: string): readonly TransactionRecord[] {
    const states = chargePointId === undefined ? [...this.states.values()] : [this.states.get(chargePointId)].filter((s) => s !== undefined);
    return states.flatMap((s) => s.transactions);
  }

  transaction(transactionId: number): TransactionRecord | undefined {
    return this.transactions().findLast((t) => t.transactionId === transactionId);
  }

  traffic(filter?: (record: TrafficRecord) => boolean): TrafficRecord[] {
    return this.log.list(filter);
  }

  /** Messages that failed strict validation (either side's) or were not OCPP-J, oldest first. */
  violations(chargePointId?: string): readonly Violation[] {
    return this.violationLog.all(chargePointId);
  }

  /** The latest record's `seq`: pass it as `since` to wait only for what happens next. */
  mark(): number {
    return this.log.mark();
  }

  /**
   * The first recorded message (already recorded, unless `since`) satisfying `predicate`.
   * Rejects after the timeout (default 5000 ms) with an error listing the last messages.
   */
  waitFor(predicate: (record: TrafficRecord) => boolean, wait?: CsmsWait): Promise<TrafficRecord> {
    return this.log.waitFor(predicate, normalizeWait(wait));
  }

  /** A call from the charge point (or, with `direction: 'out'`, to it) whose payload matches. */
  waitForCall<A extends Ocpp16Action>(chargePointId: string, action: A, match?: CallMatch<A>, wait?: CsmsWait): Promise<CallRecord<A>> {
    return this.log.waitForCall(chargePointId, action, match, normalizeWait(wait));
  }

  /** {@link waitForCall} for a 2.0.1 action, with its 2.0.1 payload type. */
  waitForCall201<A extends Ocpp201Action>(chargePointId: string, action: A, match?: CallMatch201<A>, wait?: CsmsWait): Promise<CallRecord201<A>> {
    return this.log.waitForCall(chargePointId, action as never, match as never, normalizeWait(wait)) as unknown as Promise<CallRecord201<A>>;
  }

  /** The OCPP version the charge point's (latest) connection speaks; undefined before it connected. */
  ocppVersion(chargePointId: string): OcppVersion | undefined {
    return this.states.get(chargePointId)?.ocppVersion;
  }

  /** Resolves when the charge point is connected (at once if it is). */
  async waitForConnection(chargePointId: string, timeoutMs = 5000): Promise<void> {
    if (this.isConnected(chargePointId)) return;
    try {
      for await (const [e] of on(this, 'connect', { signal: AbortSignal.timeout(timeoutMs) })) {
        if ((e as { chargePointId: string }).chargePointId === chargePointId) return;
      }
    } catch {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${chargePointId} to connect`);
    }
  }

  // ── acting on a charge point ─────────────────────────────────────────────────────────────

  /**
   * Calls the charge point; rejects with its CallError (an Error with `rpcErrorCode`), with an
   * {@link InvalidAnswerError} when its answer fails strict validation, or on timeout.
   */
  async call<A extends Ocpp16Action>(chargePointId: string, action: A, payload: RequestOf<A>, options: { timeoutMs?: number } = {}): Promise<ResponseOf<A>> {
    const client = this.requireClient(chargePointId);
    const callOptions = options.timeoutMs === undefined ? {} : { callTimeoutMs: options.timeoutMs };
    try {
      return (await client.call(action, payload, callOptions)) as ResponseOf<A>;
    } catch (err) {
      // ocpp-rpc rejects an invalid answer with the same kind of error as a CallError from the
      // charge point; only the validation failure event (same error object) tells them apart.
      const answer = err instanceof Error ? this.invalidAnswers.get(err) : undefined;
      if (answer) throw new InvalidAnswerError(chargePointId, action, answer.result, (err as Error).message);
      throw err;
    }
  }

  /** {@link call} of a 2.0.1 action, with its 2.0.1 payload types. */
  call201<A extends Ocpp201Action>(chargePointId: string, action: A, payload: RequestOf201<A>, options: { timeoutMs?: number } = {}): Promise<ResponseOf201<A>> {
    return this.call(chargePointId, action as never, payload as never, options) as Promise<ResponseOf201<A>>;
  }

  /**
   * Sends a frame as is, bypassing validation: for hostile-input tests (bad JSON, unknown
   * message type, schema violations). Arrays and objects are JSON-encoded, strings sent verbatim.
   */
  sendRaw(chargePointId: string, frame: string | readonly unknown[] | Record<string, unknown>): void {
    const client = this.requireClient(chargePointId);
    const raw = typeof frame === 'string' ? frame : JSON.stringify(frame);
    this.violationLog.rawFrameSent(chargePointId, parseFrame(raw));
    client.sendRaw(raw);
  }

  /** Closes the charge point's connection; false when it was not connected. */
  async disconnect(chargePointId: string, options: { code?: number; reason?: string; force?: boolean } = {}): Promise<boolean> {
    const client = this.clients.get(chargePointId);
    if (!client) return false;
    await client.close({ code: options.code ?? 1000, reason: options.reason ?? '', force: options.force ?? false });
    return true;
  }

  // ── internals ────────────────────────────────────────────────────────────────────────────

  private attach(client: ServerClient): void {
    const chargePointId = client.identity;
    const state = this.stateOf(chargePointId);
    const previous = this.clients.get(chargePointId);
    this.clients.set(chargePointId, client);
    const ocppVersion = versionOf(client.protocol);
    state.ocppVersion = ocppVersion;
    state.connected = true;
    state.connections += 1;
    state.connectedAt = this.now();

    client.on('message', ({ message, outbound }) => this.record(chargePointId, outbound ? 'out' : 'in', String(message)));
    client.on('strictValidationFailure', (failure) => {
      if (!failure.outbound && !failure.isCall) this.invalidAnswers.set(failure.error, { result: failure.result });
      this.report(this.violationLog.fromValidationFailure(chargePointId, failure));
    });
    client.on('badMessage', ({ buffer, error }) => this.report(this.violationLog.fromBadMessage(chargePointId, String(buffer), error)));
    client.on('socketError', (err) => this.options.logger?.warn({ err, chargePointId }, 'socket error'));
    client.on('close', ({ code, reason }) => {
      if (this.clients.get(chargePointId) === client) {
        this.clients.delete(chargePointId);
        this.log.dropOpenCalls(chargePointId);
        this.violationLog.connectionClosed(chargePointId);
        state.connected = false;
        state.disconnectedAt = this.now();
        state.lastClose = { code, reason };
      }
      this.options.logger?.info({ chargePointId, code, reason }, 'charge point disconnected');
      this.emit('disconnect', { chargePointId, code, reason });
    });
    for (const action of inboundActions(ocppVersion) as AnyInboundAction[]) {
      client.handle(action, ({ params, messageId }) => {
        const nth = (state.handled[action] ?? 0) + 1;
        state.handled[action] = nth;
        return this.replies.reply(action, params, { chargePointId, ocppVersion, messageId, nth, chargePoint: state });
      });
    }

    this.options.logger?.info({ chargePointId, endpoint: client.handshake.endpoint, ocppVersion }, 'charge point connected');
    this.emit('connect', { chargePointId, endpoint: client.handshake.endpoint, remoteAddress: client.handshake.remoteAddress, ocppVersion });
    // One connection per identity, as a CSMS does: the newer one wins.
    if (previous) void previous.close({ code: 1000, reason: 'replaced by a new connection' });
  }

  private record(chargePointId: string, direction: Direction, raw: string): void {
    const { record, answers } = this.log.append(this.now(), chargePointId, direction, raw);
    this.emit('message', record);
    if (record.kind === 'call' && direction === 'in') this.emit('call', record);
    // A result we sent completes an exchange the charge point started: update our view of it.
    if (answers && direction === 'out' && record.kind === 'result' && answers.action !== undefined) {
      const broken: RuleBroken[] = [];
      const change = applyExchange(this.stateOf(chargePointId), answers.action, answers.payload, record.payload, record.t, broken);
      for (const b of broken) this.report(this.violationLog.ruleBroken(chargePointId, answers, b));
      if (change.type !== 'none') this.emit(change.type, change.transaction);
    }
  }

  private report(violation: Violation | undefined): void {
    if (!violation) return;
    this.options.logger?.warn({ ...violation }, 'OCPP violation');
    this.emit('violation', violation);
  }

  private stateOf(chargePointId: string): ChargePointState {
    let state = this.states.get(chargePointId);
    if (!state) {
      state = newChargePointState(chargePointId);
      this.states.set(chargePointId, state);
    }
    return state;
  }

  private requireClient(chargePointId: string): ServerClient {
    const client = this.clients.get(chargePointId);
    if (!client) throw new Error(`charge point ${chargePointId} is not connected`);
    return client;
  }

  private async shutDown(timeoutMs: number): Promise<void> {
    await this.listener?.close([...this.clients.values()], timeoutMs);
    this.log.rejectAll('the embedded CSMS stopped');
  }
}

function normalizeWait(wait: CsmsWait | undefined): WaitOptions & { direction?: Direction } {
  return typeof wait === 'number' ? { timeoutMs: wait } : (wait ?? {});
}
