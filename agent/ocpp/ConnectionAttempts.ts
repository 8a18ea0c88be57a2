/**
 * The link's connection attempts (OcppLink's connect loop, here so the link reads as registration
 * and calls): where the next attempt goes (the connection profile, ConnectionProfiles.ts), with
 * which URL, password and TLS settings (the security service, per profile), how long it waits
 * after a failure (the RetryBackOff* keys, backoff.ts), and the probe of a more preferred profile
 * while a less preferred one is in use.
 *
 * Probing: while connected through a profile that is not the most preferred one usable, every
 * `probeIntervalMs` (OcppLinkOptions.preferredProbeIntervalMs, default 10 min of the clock) the
 * station opens one WebSocket handshake to each more preferred profile in order, closed normally
 * (1000) before any OCPP message. When one opens, the connection in use is closed normally and
 * the usual reconnect begins with the most preferred profile (which then boots, B10.FR.10). OCPP
 * does not require this (a station returns after a reboot or a lost connection, B10.FR.03/04); a
 * CSMS that was down comes back without anyone resetting the station.
 */
import type { Logger } from 'pino';
import type { TimerId } from '../../hal/clock.js';
import { retryBackOffDelay, type RetryBackOff } from './backoff.js';
import { ConnectionProfiles } from './ConnectionProfiles.js';
import { OcppLinkError } from './errors.js';
import { applyConnection, tlsSocketOptions } from './linkClient.js';
import type { NetworkProfile } from './NetworkProfiles.js';
import { NetworkProfiles } from './NetworkProfiles.js';
import { ocppRpc } from './ocppRpc.js';
import type { LinkConnection, OcppLinkOptions } from './OcppLinkTypes.js';
import type { OcppRpcClient } from './OcppRpcClient.js';

/** Default interval of the probe of a more preferred connection profile (ms of the clock). */
export const PREFERRED_PROBE_INTERVAL_MS = 600_000;
/** A probe handshake gives up after this long (real ms). */
const PROBE_TIMEOUT_MS = 10_000;

/** What the attempts tell the link (implemented by OcppLink's ports: no closure per link). */
export interface AttemptsHost {
  readonly log: Logger;
  /** The link is being stopped: nothing more is attempted. */
  isStopping(): boolean;
  /** A reconnect is scheduled (state connecting, the `reconnecting` event). */
  reconnecting(info: { attempt: number; delayMs: number }): void;
  /** An attempt failed (surfaced as the link's `error`). */
  attemptFailed(err: Error): void;
}

export class ConnectionAttempts {
  /** Attempts since the CSMS last answered a call. */
  private attempt = 0;
  private timer: TimerId | undefined;
  private probeTimer: TimerId | undefined;
  private probing = false;
  /** With connection profiles only (fallback URLs, or a store of profiles; a fleet charger has none). */
  readonly profiles: ConnectionProfiles | undefined;
  /** The profile of the last attempt (the connection in use once it opened). */
  private target: NetworkProfile | undefined;
  private attemptUrl: string;

  constructor(
    private readonly opts: OcppLinkOptions,
    private readonly client: OcppRpcClient,
    private readonly host: AttemptsHost,
    private readonly random: () => number,
    private readonly subprotocol: string,
  ) {
    const store = opts.networkProfiles ?? (opts.fallbackUrls?.length ? NetworkProfiles.inMemory({ url: opts.url, fallbackUrls: opts.fallbackUrls, log: host.log }) : undefined);
    if (store) {
      this.profiles = new ConnectionProfiles(store, opts.config, opts.security, host.log);
      this.profiles.own();
    }
    this.attemptUrl = opts.url;
  }

  /** The slot of the current (or the next) connection: 1 is `url`, 2… the fallbacks or the CSMS's profiles (ActiveNetworkProfile). */
  get slot(): number {
    return this.target?.slot ?? this.profiles?.slot ?? 1;
  }

  /** Where the last attempt went. */
  get url(): string {
    return this.attemptUrl;
  }

  /** How long a call waits for its answer on this connection: its profile's messageTimeout, else the settings'. */
  get callTimeoutMs(): number {
    const s = this.target?.messageTimeoutS;
    return s === undefined ? this.opts.callTimeoutMs : s * 1000;
  }

  /** The security profile of this connection (its profile's own, else the one in effect); undefined without the security service and profiles. */
  get securityProfile(): number | undefined {
    const { security } = this.opts;
    // Without the security service only a CSMS's profile says; the station's own is derived elsewhere (attachStation).
    if (!security) return this.target?.securityProfile;
    return this.target && this.profiles ? this.profiles.securityOf(this.target) : security.profile;
  }

  /** The link starts (again): the most preferred profile first, the back-off count from 0. */
  start(previous?: Promise<void>): void {
    this.attempt = 0;
    this.profiles?.restart();
    if (previous) void previous.then(() => !this.host.isStopping() && void this.connect());
    else void this.connect();
  }

  /** The CSMS answered a call: this connection counts as stable. */
  answered(): void {
    this.attempt = 0;
  }

  /** The connection opened. */
  opened(): void {
    this.profiles?.connected();
  }

  /** The CSMS accepted this connection (a boot, or a 2.0.1 connection after one): remembered for B10.FR.07, and the probe armed. */
  accepted(): void {
    if (!this.profiles) return;
    this.profiles.accepted(this.slot);
    this.armProbe();
  }

  /** The connection was lost: the most preferred profile first again, after the back-off. */
  lost(): void {
    this.cancel();
    this.profiles?.restart();
    if (!this.host.isStopping()) this.schedule();
  }

  /** Timers belong to one connection. */
  cancel(): void {
    this.opts.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.opts.clock.clearTimeout(this.probeTimer);
    this.probeTimer = undefined;
  }

  /** Closes the open connection normally; the next attempt follows the usual reconnect. */
  close(reason: string): void {
    void this.client.close({ code: 1000, reason }).catch((err: unknown) => this.host.log.warn({ err }, 'closing for a reconnect failed'));
  }

  private async connect(): Promise<void> {
    try {
      this.applyConnection();
      await this.client.connect();
    } catch (err) {
      if (this.host.isStopping()) return;
      this.opts.security?.connectFailed(err);
      this.host.log.warn({ err: String(err), url: this.attemptUrl, ...(this.profiles && { slot: this.slot }) }, 'cannot connect to the CSMS');
      this.host.attemptFailed(new OcppLinkError('CONNECT_FAILED', `cannot connect to ${this.attemptUrl}: ${String(err)}`, { cause: err }));
      const next = this.profiles?.failed();
      if (next !== undefined) this.host.log.warn({ slot: next, url: this.profiles!.profile.url }, 'trying the next connection profile (NetworkConfigurationPriority)');
      this.schedule();
    }
  }

  /** Where and how the next attempt connects: the profile's URL, with the security service's settings for its security profile. */
  private applyConnection(): void {
    const { security } = this.opts;
    this.target = this.profiles?.profile;
    if (!security && !this.profiles) return; // the client keeps the URL and password it was made with
    const connection = this.connectionFor(this.target);
    this.attemptUrl = connection.url;
    applyConnection(this.client, connection, this.opts);
  }

  private connectionFor(profile: NetworkProfile | undefined): LinkConnection {
    const { security } = this.opts;
    const url = profile?.url ?? this.opts.url;
    if (security) return security.connection({ url, ...(profile?.securityProfile !== undefined && { securityProfile: profile.securityProfile }) });
    return { url, ...(this.opts.password !== undefined && { password: this.opts.password }) };
  }

  /** The reconnect back-off in effect: the RetryBackOff* keys, read at every attempt (a change applies to the next). */
  private retryBackOff(): RetryBackOff {
    const { config } = this.opts;
    return { waitMinimumS: config.getInt('RetryBackOffWaitMinimum'), randomRangeS: config.getInt('RetryBackOffRandomRange'), repeatTimes: config.getInt('RetryBackOffRepeatTimes') };
  }

  private schedule(): void {
    const attempt = this.attempt++;
    const delayMs = retryBackOffDelay(attempt, this.retryBackOff(), this.random);
    this.host.reconnecting({ attempt: attempt + 1, delayMs });
    this.timer = this.opts.clock.setTimeout(this.onDue, delayMs);
  }

  private readonly onDue = (): void => {
    this.timer = undefined;
    void this.connect();
  };

  // ---- the probe of a more preferred profile -------------------------------------------------

  private armProbe(): void {
    const interval = this.opts.preferredProbeIntervalMs ?? PREFERRED_PROBE_INTERVAL_MS;
    this.opts.clock.clearTimeout(this.probeTimer);
    this.probeTimer = undefined;
    if (interval <= 0 || !this.profiles || this.profiles.preferredTo(this.slot).length === 0) return;
    // A closure only here: a charger with one CSMS (a fleet's) never arms a probe.
    this.probeTimer = this.opts.clock.setTimeout(() => {
      this.probeTimer = undefined;
      void this.probe();
    }, interval);
  }

  private async probe(): Promise<void> {
    const profiles = this.profiles;
    if (!profiles || this.probing) return;
    this.probing = true;
    const from = this.slot;
    try {
      for (const slot of profiles.preferredTo(from)) {
        const profile = profiles.store.get(slot);
        if (!profile || this.host.isStopping() || this.slot !== from) return;
        if (await this.handshake(this.connectionFor(profile))) {
          if (this.host.isStopping() || this.slot !== from) return;
          this.host.log.info({ slot, url: profile.url, from }, 'a more preferred connection profile answers: returning to it');
          this.close('Returning to the preferred connection profile');
          return;
        }
        this.host.log.debug({ slot, url: profile.url }, 'probe of a more preferred connection profile failed');
      }
      this.armProbe();
    } finally {
      this.probing = false;
    }
  }

  /** One WebSocket handshake offering the link's subprotocol, closed before any OCPP message: true when it opened. */
  private async handshake(connection: LinkConnection): Promise<boolean> {
    const client = new ocppRpc.RPCClient({
      endpoint: connection.url.replace(/\/+$/, ''),
      identity: this.opts.identity,
      password: connection.password ?? null,
      protocols: [this.subprotocol],
      strictMode: false, // no OCPP message is exchanged
      reconnect: false,
      callTimeoutMs: 1000,
      pingIntervalMs: 0,
      wsOpts: { handshakeTimeout: PROBE_TIMEOUT_MS, localAddress: this.opts.localAddress, ...tlsSocketOptions(connection.tls) },
    } as unknown as ConstructorParameters<typeof ocppRpc.RPCClient>[0]);
    try {
      await client.connect();
      return client.protocol === this.subprotocol;
    } catch {
      return false;
    } finally {
      await client.close({ code: 1000, reason: 'Connection profile probed', force: false }).catch(() => undefined);
    }
  }
}
