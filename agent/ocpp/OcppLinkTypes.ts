/** The public shapes of {@link OcppLink}: options, states, events. */
import type { Logger } from 'pino';
import type { Clock } from '../../hal/clock.js';
import type { OcppConfiguration } from '../store/OcppConfiguration.js';
import type { BackoffWindow } from './backoff.js';
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
  /** Reconnect window: full jitter in [0, min(max, initial·2^n)]; n resets once a boot is answered. */
  reconnect: BackoffWindow;
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
}

export interface OcppLinkEvents {
  state: [state: OcppLinkState, previous: OcppLinkState];
  /** After each Accepted BootNotification: time for the agent to send StatusNotifications. */
  accepted: [response: BootNotificationResponse];
  disconnected: [info: { code: number; reason: string }];
  /** A reconnect is scheduled; `attempt` counts from 1 since the last answered boot. */
  reconnecting: [info: { attempt: number; delayMs: number }];
  /** Every frame in and out (built only while someone listens). */
  message: [record: TrafficRecord];
  /** Problems worth surfacing (connect, boot, a handler crash); the link keeps running. */
  error: [error: Error];
}
