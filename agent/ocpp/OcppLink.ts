/**
 * OcppLink: one charge point's OCPP connection to its CSMS, typed per action. The version spoken
 * (subprotocol, CSMS calls answered, BootNotification shape) is its {@link ProtocolFace}: OCPP 1.6J
 * unless told otherwise; the 2.0.1 face gives its own typed calls over {@link OcppLink.call}.
 *
 * - Connection: a strict ocpp-rpc client whose own reconnect is off (it never retries a failed
 *   first connect, and its jitter only lengthens delays). The attempts (ConnectionAttempts.ts) wait
 *   on the injected clock as the OCPP 2.0.1 RetryBackOff* keys say (backoff.ts), until stop(), and
 *   move between connection profiles (ConnectionProfiles.ts), each with its own URL, security
 *   profile and message timeout.
 * - Registration (OCPP 1.6 §4.2, policy in Registration.ts): BootNotification after every connect. Accepted → heartbeats;
 *   Pending → answer the CSMS, send nothing but BootNotification (or what a TriggerMessage asked
 *   for), boot again after `interval`; Rejected → send and answer nothing until `interval`.
 * - Calls: one in flight at a time, in call order, each bounded by the connection profile's
 *   message timeout (else callTimeoutMs) of the clock.
 * - CSMS calls: answered by the face (1.6: the module-level handler table, v16/answerCall.ts).
 */
import { EventEmitter } from 'node:events';
import type { IHandlersOption } from './ocppRpc.js';
import type { Logger } from 'pino';
import type { ConfigValue, ConfigurationKey } from '../store/OcppConfiguration.js';
import { ConnectionAttempts, type AttemptsHost } from './ConnectionAttempts.js';
import type { ConnectionProfiles } from './ConnectionProfiles.js';
import { OcppLinkError, toCallError, toLinkError } from './errors.js';
import type { OcppLinkEvents, OcppLinkOptions, OcppLinkState } from './OcppLinkTypes.js';
import { OcppTraffic, type TrafficRecord, type TrafficSink } from './OcppTraffic.js';
import type { AnsweringLink } from './v16/answerCall.js';
import { OCPP16_FACE } from './v16/face.js';
import type { ProtocolFace } from './ProtocolFace.js';
import type { BootNotificationRequest, BootNotificationResponse, Ocpp16Action, RequestOf, ResponseOf } from '../ocpp16/messages.js';
import { attachClientEvents, createRpcClient } from './linkClient.js';
import { warmValidators, type ClientEventSink, type OcppRpcClient } from './OcppRpcClient.js';
import { SendGate } from './v16/SendGate.js';
import { Heartbeat } from './Heartbeat.js';
import { Registration } from './Registration.js';

/** Message ids of CSMS calls remembered per connection to recognise a replayed frame. */
const SEEN_CALL_IDS = 256;
const REPLAY_REFUSED = () => toCallError({ code: 'SecurityError', message: 'message id already used on this connection', internal: false });

export type { OcppLinkEvents, OcppLinkOptions, OcppLinkState } from './OcppLinkTypes.js';
export type { TrafficRecord } from './OcppTraffic.js';

/** ocpp-rpc's own call timeout is off: calls are timed on the injected clock ({@link OcppLink.send}). Read-only to ocpp-rpc. */
const CALL_OPTIONS = Object.freeze({ callTimeoutMs: 0 });

export class OcppLink extends EventEmitter<OcppLinkEvents> {
  private readonly client: OcppRpcClient;
  /** The OCPP version spoken: subprotocol, CSMS calls answered, BootNotification shape. */
  readonly face: ProtocolFace;
  private readonly log: Logger;
  private readonly random: () => number;
  private readonly traffic: OcppTraffic;
  private readonly gate = new SendGate();
  private readonly heartbeat: Heartbeat;
  private current: OcppLinkState = 'idle';
  private connected = false;
  private stopping: Promise<void> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private queued = 0;
  private readonly registration: Registration;
  /** The Accepted BootNotification answer of this run (since start()), if any, and the connection profile it was given on. */
  private registered: BootNotificationResponse | undefined;
  private registeredSlot = 0;
  /** Where and how each connection attempt goes (connection profiles, security, back-off). */
  private readonly attempts: ConnectionAttempts;
  /** The call in flight was aborted by its timer ({@link onCallTimeout}). */
  private callTimedOut = false;
  /** Message ids of the CSMS's calls on this connection (replay detection; made at the first call). */
  private seenCallIds: Set<string> | undefined;
  /** The last strict-validation failure of one of our calls (ocpp-rpc reports it by event). */
  private lastInvalid: { error: unknown; which: 'request' | 'response' } | undefined;

  /**
   * What the link's parts call back: the handlers' view of the link ({@link AnsweringLink}), the
   * client's events ({@link ClientEventSink}) and the traffic log's clock and output. One object
   * with methods on its prototype per link, not a closure per callback (≈ 0.6 KB per charger in a
   * fleet; docs/fleet.md, Memory and scale). Inside the class, so it may reach the link's state.
   */
  private static readonly Ports = class implements AnsweringLink, ClientEventSink, TrafficSink, AttemptsHost {
    constructor(private readonly link: OcppLink) {}
    // AnsweringLink
    get control(): AnsweringLink['control'] {
      return this.link.opts.control;
    }
    get log(): Logger {
      return this.link.log;
    }
    state(): OcppLinkState {
      return this.link.current;
    }
    ignored(messageId: string | undefined): void {
      if (messageId !== undefined) this.link.traffic.unanswered(messageId);
    }
    triggerAccepted(request: Parameters<AnsweringLink['triggerAccepted']>[0]): void {
      this.link.gate.allowTriggered(request, this.link.opts.control.connectorCount);
    }
    failed(err: Error): void {
      this.link.surface(err);
    }
    // ClientEventSink (log above)
    open(): void {
      this.link.onOpen();
    }
    disconnect(info: { code: number; reason: string }): void {
      this.link.onDisconnect(info);
    }
    invalid(which: 'request' | 'response', error: unknown): void {
      this.link.lastInvalid = { error, which };
    }
    invalidAnswer(err: Error): void {
      this.link.surface(err);
    }
    invalidFromCsms(what: string): void {
      this.link.opts.security?.invalidMessage?.(what);
    }
    traffic(): OcppTraffic | undefined {
      return this.link.listenerCount('message') > 0 ? this.link.traffic : undefined;
    }
    // AttemptsHost
    isStopping(): boolean {
      return this.link.stopping !== undefined;
    }
    reconnecting(info: { attempt: number; delayMs: number }): void {
      this.link.setState('connecting');
      this.link.emit('reconnecting', info);
    }
    attemptFailed(err: Error): void {
      this.link.surface(err);
    }
    // TrafficSink
    now(): number {
      return this.link.opts.clock.now();
    }
    record(record: TrafficRecord): void {
      this.link.emit('message', record);
    }
  };

  /** `face`: the OCPP version spoken (default OCPP 1.6J). */
  constructor(
    private readonly opts: OcppLinkOptions,
    face: ProtocolFace = OCPP16_FACE,
  ) {
    super();
    this.face = face;
    warmValidators(face.subprotocol, [...face.handledActions, ...face.sentActions]);
    this.log = opts.linkLog ?? opts.log.child({ component: 'ocpp' });
    this.random = opts.random ?? Math.random;
    const ports = new OcppLink.Ports(this);
    this.traffic = new OcppTraffic(ports);
    this.heartbeat = new Heartbeat(opts.clock, opts.config, () => void this.sendHeartbeat());
    this.registration = new Registration(opts, this.log, this.random, this.startBoot);
    this.client = createRpcClient(opts, face.subprotocol);
    this.attempts = new ConnectionAttempts(opts, this.client, ports, this.random, face.subprotocol);
    this.client.handleActions(face.handledActions, (option: IHandlersOption) => (this.replayed(option) ? Promise.reject(REPLAY_REFUSED()) : face.answer(ports, option)));
    attachClientEvents(this.client, ports);
    opts.config.on('changed', this.onConfigChanged);
    opts.security?.attach(this);
  }

  get state(): OcppLinkState {
    return this.current;
  }

  /** True while registration is Accepted on the current connection. */
  get isAccepted(): boolean {
    return this.current === 'accepted';
  }

  /** The connection profile of the current (or the next) connection: 1 is `url`, 2… the fallbacks or profiles a CSMS set (OCPP 2.0.1 ActiveNetworkProfile). */
  get connectionSlot(): number {
    return this.attempts.slot;
  }

  /** The security profile of the current (or the next) connection, when known (the security service or its connection profile says). */
  get connectionSecurityProfile(): number | undefined {
    return this.attempts.securityProfile;
  }

  /** How long a call waits for its answer on this connection, ms: its connection profile's messageTimeout, else callTimeoutMs. */
  get callTimeoutMs(): number {
    return this.attempts.callTimeoutMs;
  }

  /** The connection profiles (SetNetworkProfile, NetworkConfigurationPriority); absent for a charger with one CSMS and no store. */
  get connectionProfiles(): ConnectionProfiles | undefined {
    return this.attempts.profiles;
  }

  /** The WebSocket ping interval in effect, ms (0 = off): WebSocketPingInterval, also after a CSMS change. */
  get pingIntervalMs(): number {
    return this.client.pingIntervalMs;
  }

  /** Calls queued or in flight. */
  get pendingCalls(): number {
    return this.queued;
  }

  /** Resolves once the calls queued or in flight now have settled (answered, failed or timed out). */
  whenCallsSettled(): Promise<void> {
    return this.queue.then(() => undefined);
  }

  /** Starts connecting now and keeps the link up until {@link stop}. Allowed again after stop(). */
  start(): void {
    if (this.current !== 'idle' && this.current !== 'stopped') throw new Error(`OcppLink.start() in state ${this.current}`);
    const previousStop = this.stopping;
    if (previousStop) this.opts.config.on('changed', this.onConfigChanged);
    this.stopping = undefined;
    this.registered = undefined; // a (re)start is a boot
    this.setState('connecting');
    // The most preferred CSMS first; a restart waits for the old socket to be closed (the CSMS's boot `interval` still holds).
    this.attempts.start(previousStop);
  }

  /**
   * Closes the connection and cancels every timer of the link. Resolves once the socket is closed:
   * the CSMS acknowledged the close, or ws gave up after closeTimeoutMs. Idempotent.
   * `abrupt` drops the socket without a close handshake, as a network failure would (fleet control).
   */
  stop(options: { abrupt?: boolean } = {}): Promise<void> {
    if (this.stopping) return this.stopping;
    // Assigned first: whatever runs from here on (state listeners, rejected calls) sees it.
    this.stopping = this.client.close(options.abrupt ? { force: true } : { code: 1000, reason: 'Charge point stopping' }).then(
      () => undefined,
      (err: unknown) => this.log.warn({ err }, 'closing the OCPP connection failed'),
    );
    this.endSession();
    this.opts.config.off('changed', this.onConfigChanged);
    this.setState('stopped');
    return this.stopping;
  }

  /**
   * Sends a request and resolves with the CSMS's typed answer; requests go one at a time in call
   * order. Rejects with an {@link OcppLinkError}: NOT_CONNECTED, NOT_ACCEPTED (registration not
   * Accepted — BootNotification and what a TriggerMessage asked for excepted), TIMEOUT,
   * DISCONNECTED, CALL_ERROR, INVALID_REQUEST, INVALID_RESPONSE or STOPPED.
   * Any BootNotification answer updates the registration state.
   * `after`: the request keeps its place in the queue but goes out only once this settles (a
   * number it carries being made durable first).
   */
  call<A extends Ocpp16Action>(action: A, payload: RequestOf<A>, after?: Promise<unknown>): Promise<ResponseOf<A>> {
    this.queued++;
    const result = after ? this.queue.then(() => after).then(() => this.send(action, payload)) : this.queue.then(() => this.send(action, payload));
    const settled = () => void this.queued--;
    this.queue = result.then(settled, settled);
    return result;
  }

  /** TriggerMessage(BootNotification): boots again on the open connection. Never rejects. */
  async sendBootNotification(): Promise<void> {
    try {
      await this.call('BootNotification', this.bootRequest()); // may throw too
    } catch (err) {
      this.log.warn({ err }, 'triggered BootNotification failed');
    }
  }

  /** TriggerMessage(Heartbeat), or a caller that wants one now. Never rejects. */
  async sendHeartbeat(): Promise<void> {
    await this.call('Heartbeat', {}).catch((err: unknown) => this.log.warn({ err }, 'Heartbeat failed'));
  }

  private async send<A extends Ocpp16Action>(action: A, payload: RequestOf<A>): Promise<ResponseOf<A>> {
    if (this.stopping) throw new OcppLinkError('STOPPED', `${action}: link stopped`, { action });
    if (!this.connected) throw new OcppLinkError('NOT_CONNECTED', `${action}: not connected`, { action });
    if (!this.gate.take(this.current, action, this.face.sendableWhilePending)) throw new OcppLinkError('NOT_ACCEPTED', `${action}: not allowed while ${this.current}`, { action });
    // One call at a time (the queue in call()), so the timer aborts whatever the client has in flight.
    this.callTimedOut = false;
    const timer = this.opts.clock.setTimeout(this.onCallTimeout, this.attempts.callTimeoutMs);
    let response: ResponseOf<A>;
    try {
      response = (await this.client.call(action, payload, CALL_OPTIONS)) as ResponseOf<A>;
    } catch (err) {
      const last = this.lastInvalid;
      const invalid = last && last.error === err ? last.which : undefined;
      this.lastInvalid = undefined;
      throw toLinkError(err, action, { timedOut: this.callTimedOut, stopped: this.stopping !== undefined, invalid });
    } finally {
      this.opts.clock.clearTimeout(timer);
    }
    this.attempts.answered(); // the CSMS answered: this connection counts as stable
    if (action === 'BootNotification' && this.connected && !this.stopping) this.onBootAnswer(response as BootNotificationResponse);
    // Both answers carry the CSMS's time; a board without a trusted clock takes it (OcppLinkOptions.timeSource).
    if ((action === 'BootNotification' || action === 'Heartbeat') && this.opts.timeSource) this.opts.timeSource.setTime(Date.parse((response as { currentTime: string }).currentTime));
    return response;
  }

  /**
   * The BootNotification payload in the face's version. Typed as 1.6 for {@link call}; a 2.0.1
   * payload is checked against the 2.0.1 schema by the strict client all the same.
   */
  private bootRequest(): BootNotificationRequest {
    return this.face.bootRequest(this.registration.request()) as BootNotificationRequest;
  }

  private readonly onCallTimeout = (): void => {
    this.callTimedOut = true;
    this.client.abortPendingCalls('no answer in time');
  };

  // ---- connection ---------------------------------------------------------------------------

  /**
   * Closes the open connection (a normal close, code 1000) so that the next attempt, after the
   * usual reconnect delay, connects with what `security` says now. No-op while not connected.
   */
  reconnect(): void {
    if (!this.connected || this.stopping) return;
    this.log.info('reconnecting: the connection settings changed');
    this.attempts.close('Connection settings changed');
  }

  /**
   * A call from the CSMS under a message id it already used on this connection (OCPP-J: unique
   * per sender and connection) is a replayed frame: refused (SecurityError), never executed twice.
   * The ids of the last {@link SEEN_CALL_IDS} calls are kept, allocated at the first call.
   */
  private replayed(option: IHandlersOption): boolean {
    const id = option.messageId;
    if (id === undefined) return false;
    const seen = (this.seenCallIds ??= new Set());
    if (!seen.has(id)) {
      seen.add(id);
      if (seen.size > SEEN_CALL_IDS) seen.delete(seen.values().next().value!);
      return false;
    }
    const what = `${option.method ?? 'a call'} with message id ${id}, already used on this connection`;
    this.log.warn({ action: option.method, messageId: id }, 'CSMS call replayed: refused');
    this.opts.security?.attemptedReplay?.(what);
    return true;
  }

  private onOpen(): void {
    if (this.stopping) return;
    this.connected = true;
    this.seenCallIds = undefined; // message ids are unique per connection
    this.attempts.opened();
    this.log.info({ url: this.attempts.url, ...(this.attempts.profiles && { slot: this.attempts.slot }) }, 'connected to the CSMS');
    const wait = this.registration.waitBeforeBoot();
    if (this.registered && this.face.registrationOutlivesConnection && this.registeredSlot === this.attempts.slot) {
      // Accepted before on this run (OCPP 2.0.1) through this connection profile: the station boots
      // once, not on every connection; a different profile (another CSMS) boots again (B10.FR.10).
      this.becomeAccepted(this.registered, false);
    } else if (wait > 0) {
      // The CSMS said when we may boot again; a new connection does not change that.
      this.setState(this.registration.waitingAs);
      this.registration.scheduleBoot(wait);
    } else {
      this.startBoot();
    }
  }

  private onDisconnect(info: { code: number; reason: string }): void {
    if (!this.connected) return;
    this.connected = false;
    this.endSession();
    this.traffic.reset();
    // Our own stop is not news; a connection the CSMS or the network ended is.
    if (this.state === 'stopped') this.log.info(info, 'disconnected from the CSMS');
    else this.log.warn(info, 'disconnected from the CSMS');
    this.emit('disconnected', info);
    this.attempts.lost(); // the most preferred CSMS first again, after the back-off
  }

  // ---- registration (§4.2; the policy is in Registration.ts) and heartbeat --------------------

  private readonly startBoot = (): void => {
    this.registration.booting();
    this.setState('booting');
    void this.boot();
  };

  private async boot(): Promise<void> {
    try {
      await this.call('BootNotification', this.bootRequest()); // the answer is applied in send()
    } catch (err) {
      if (!this.connected || this.stopping) return; // the next connection boots again
      const delay = this.registration.retryDelay();
      this.log.warn({ err, retryInMs: delay }, 'BootNotification failed');
      this.surface(err instanceof Error ? err : new Error(String(err)));
      this.registration.scheduleBoot(delay);
    }
  }

  private onBootAnswer(answer: BootNotificationResponse): void {
    const retryInMs = this.registration.answered(answer);
    if (retryInMs === undefined) {
      this.opts.security?.connected(this.attempts.securityProfile);
      if (answer.interval > 0) this.registration.adoptHeartbeatInterval(answer.interval);
      this.registered = answer;
      this.registeredSlot = this.attempts.slot;
      this.becomeAccepted(answer, true);
      return;
    }
    this.registered = undefined;
    this.setState(this.registration.waitingAs);
    this.heartbeat.stop();
    this.registration.scheduleBoot(retryInMs);
  }

  /**
   * Registration Accepted (by this answer, `booted`, or still, on a new connection): heartbeats,
   * and the agent reports.
   */
  private becomeAccepted(answer: BootNotificationResponse, booted: boolean): void {
    this.gate.reset();
    this.setState('accepted');
    this.attempts.accepted();
    this.heartbeat.start();
    this.face.linkAccepted?.(booted);
    this.emit('accepted', answer, booted);
  }

  private readonly onConfigChanged = (key: ConfigurationKey, value: ConfigValue): void => {
    if (key === 'HeartbeatInterval' && this.current === 'accepted') this.heartbeat.start();
    else if (key === 'WebSocketPingInterval') this.client.setPingInterval(Number(value) * 1000);
  };

  // ---- helpers ------------------------------------------------------------------------------

  private setState(next: OcppLinkState): void {
    const previous = this.current;
    if (previous === next) return;
    this.current = next;
    this.log.debug({ state: next, previous }, 'OCPP link state');
    this.face.linkState?.(next, previous);
    this.emit('state', next, previous);
  }

  /** Timers and trigger allowances belong to one connection. */
  private endSession(): void {
    this.attempts.cancel();
    this.registration.cancel();
    this.heartbeat.stop();
    this.gate.reset();
  }

  /** 'error' without a listener would throw: a reported problem must never crash the charger. */
  private surface(err: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }
}
