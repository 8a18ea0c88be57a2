/** The public shapes of {@link OcppLink}: options, states, events. */
import type { Logger } from 'pino';
import type { Clock } from '../../hal/clock.js';
import type { OcppConfiguration } from '../store/OcppConfiguration.js';
import type { BackoffWindow } from './backoff.js';
import type { NetworkProfiles } from './NetworkProfiles.js';
import type { TrafficRecord } from './OcppTraffic.js';
import type { ChargePointControl } from './v16/ChargePointControl.js';
import type { BootNotificationRequest, BootNotificationResponse } from '../ocpp16/messages.js';

/**
 * - idle: created, not started
 * - connecting: opening the WebSocket, or waiting to retry
 * - booting: connected, a BootNotification of ours is outstanding
 * - pending / rejected: the CSMS answered so; waiting `interval` before booting again
 * - accepted: registered; heartbeats run, every request may be sent
 * - stopped: stop() was called (start() may follow)
 */
export type OcppLinkState = 'idle' | 'connecting' | 'booting' | 'pending' | 'rejected' | 'accepted' | 'stopped';

/** TLS settings of one connection attempt (Node's tls.connect options of the same names). */
export interface LinkTls {
  /** Trust anchors: the CSMS certificate must chain to one of these (Node's built-in roots are not used). Absent: Node's roots. */
  ca?: string[];
  /** Client certificate chain and its key (security profile 3). */
  cert?: string;
  key?: string;
  /** OpenSSL cipher list (TLS 1.2; TLS 1.3 suites stay Node's). */
  ciphers?: string;
  minVersion: 'TLSv1.2' | 'TLSv1.3';
}

/** Where and how one connection attempt connects (OCPP security profiles). */
export interface LinkConnection {
  url: string;
  /** HTTP Basic password (profiles 1 and 2); absent: no Authorization header. */
  password?: string;
  tls?: LinkTls;
}

/**
 * The security service's hook into the link (agent/security/ConnectionSecurity.ts): it chooses
 * the URL, password and TLS settings of every attempt, hears how attempts end (to raise security
 * events and fall back from a security change that does not work), and may ask for a new
 * connection when those settings change.
 */
export interface LinkSecurity {
  /** Called by the link's constructor: `reconnect()` closes the connection; the next attempt uses {@link connection} again. */
  attach(link: { reconnect(): void }): void;
  /**
   * Before each connection attempt: the settings for a connection to `target.url` (default: the
   * settings' URL) with `target.securityProfile` (a connection profile's own; default: the
   * profile in effect, or the one being tried).
   */
  connection(target?: { url: string; securityProfile?: number }): LinkConnection;
  /** The attempt failed before the WebSocket opened (TLS, HTTP 401, network). */
  connectFailed(err: unknown): void;
  /**
   * The CSMS accepted a BootNotification on this connection: the settings work. `securityProfile`:
   * the one this connection used (a connection profile's own); a higher one than in effect is
   * from now on the station's (OCPP 2.0.1 A05.FR.06), never to be lowered over OCPP.
   */
  connected(securityProfile?: number): void;
  /** The security profile in effect (SecurityCtrlr.SecurityProfile): connection profiles below it are not used. */
  readonly profile?: number;
  /** What a connection with `securityProfile` to `url` needs that the charger lacks (a trust anchor, a client certificate, a password), or undefined. */
  missingFor?(securityProfile: number, url: string): string | undefined;
  /** The CSMS sent something that is not valid OCPP (the security event InvalidMessages). */
  invalidMessage?(what: string): void;
  /** The CSMS sent a call again under a message id it already used on this connection (the security event AttemptedReplayAttacks). */
  attemptedReplay?(what: string): void;
}

export interface OcppLinkOptions {
  /** CSMS base URL; the link connects to `${url}/${identity}`. */
  url: string;
  identity: string;
  /** HTTP Basic password (security profiles 1 and 2). */
  password?: string;
  clock: Clock;
  /** The charger's logger; the link logs through a child of it with `component: 'ocpp'`. */
  log: Logger;
  /**
   * A logger already bound for the link (`component: 'ocpp'`), used instead of a child of `log`:
   * the Agent passes a sibling of its own logger, because a pino logger with a child becomes that
   * child's prototype and gets a hidden class of its own (≈ 0.4 KB per charger in a fleet).
   */
  linkLog?: Logger;
  /** The BootNotification payload (a function is called for every boot). */
  boot: BootNotificationRequest | (() => BootNotificationRequest);
  config: OcppConfiguration;
  control: ChargePointControl;
  /** How long a call waits for its answer, in ms of `clock`. */
  callTimeoutMs: number;
  /**
   * More CSMSs to fall back to (connection profiles 2, 3, …; ConnectionProfiles.ts): tried in the
   * order of the key NetworkConfigurationPriority after NetworkProfileConnectionAttempts failed
   * attempts, with the password and TLS settings of the primary. The reconnect wait itself follows
   * the keys RetryBackOffWaitMinimum, RetryBackOffRandomRange and RetryBackOffRepeatTimes.
   */
  fallbackUrls?: readonly string[];
  /**
   * The connection profiles (NetworkProfiles.ts): the settings' and those a CSMS set with
   * SetNetworkProfile, kept durably. Absent: made in memory from `url` and `fallbackUrls` when
   * there are fallbacks.
   */
  networkProfiles?: NetworkProfiles;
  /** While on a less preferred connection profile, probe the more preferred ones this often (ms of `clock`; default 10 min, 0: never). */
  preferredProbeIntervalMs?: number;
  /** Back-off when the CSMS answers Pending/Rejected with interval 0 or a boot call fails (default 30 s … 10 min). */
  bootRetry?: BackoffWindow;
  /** Uniform [0,1) source for jitter (seed it for reproducible fleets); default Math.random. */
  random?: () => number;
  /** Set from currentTime of every BootNotification and Heartbeat answer (a board without a trusted clock). */
  timeSource?: { setTime(epochMs: number): void };
  /** Longest wait (real ms, enforced by ws) for the CSMS to acknowledge our close in stop(); default 5000. */
  closeTimeoutMs?: number;
  /** Local (source) IP address of the connection; default: the one the OS picks. */
  localAddress?: string;
  /**
   * Offer permessage-deflate (RFC 7692) to the CSMS; default true. A compressed connection holds
   * zlib state (hundreds of KB) per connection: fleets turn it off.
   */
  perMessageDeflate?: boolean;
  /** Security profiles (agent/security): overrides `url` and `password` per attempt and adds TLS. Absent: `url` and `password` as given. */
  security?: LinkSecurity;
}

export interface OcppLinkEvents {
  state: [state: OcppLinkState, previous: OcppLinkState];
  /**
   * After each Accepted BootNotification (`booted`), and (OCPP 2.0.1, which boots once per run) on
   * each new connection of an accepted station (`booted` false): time for the agent to send
   * StatusNotifications.
   */
  accepted: [response: BootNotificationResponse, booted: boolean];
  disconnected: [info: { code: number; reason: string }];
  /** A reconnect is scheduled; `attempt` counts from 1 since the CSMS last answered a call. */
  reconnecting: [info: { attempt: number; delayMs: number }];
  /** Every frame in and out (built only while someone listens). */
  message: [record: TrafficRecord];
  /** Problems worth surfacing (connect, boot, a handler crash); the link keeps running. */
  error: [error: Error];
}
