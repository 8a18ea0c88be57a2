/**
 * Usage data for planning, from one Agent: a {@link SessionRecord} per transaction (start and stop,
 * energy, charging time, idle time after charging until the EV left, stop reason, faults seen) and
 * {@link UsageInterval}s of each connector's time plugged in, charging, faulted and unavailable.
 * It only listens — to the Agent's `transaction` and `status` events and to each connector's control
 * pilot (A: no EV; B, C, D: an EV is plugged in; E and F say nothing about the plug) — and hands
 * every change at once to its {@link UsageSink}.
 *
 * A tracker is attached before `agent.start()` (it learns the statuses from the start-up events)
 * and detached after `agent.stop()` (which ends the transactions). The next tracker — after a
 * Reset, a restart or a crash — takes over what was open from a {@link UsageResume}: open intervals
 * end where the previous tracker was last known alive and begin again if the condition still holds;
 * a session whose transaction was running is marked interrupted and ends with the PowerLoss stop of
 * the power-loss recovery (or goes on, ResumeTransactionOnPowerLoss); a stopped session whose EV
 * left meanwhile is complete.
 */
import type { Logger } from 'pino';
import type { Clock, ConnectorHardware, PilotState } from '../../hal/index.js';
import { hashIdTag } from '../auth/idTagHash.js';
import type { StatusChange } from '../charging/ConnectorController.js';
import type { ConnectorStatus } from '../charging/connectorTypes.js';
import type { TransactionEvent } from '../transactions/transactionTypes.js';
import { INTERVAL_KINDS, type IntervalKind, type SessionRecord, type UsageInterval, type UsageResume, type UsageSink } from '../store/usageTypes.js';

/** What the tracker needs of the Agent (declared here: agent/sessions does not import the Agent). */
export interface TrackedAgent {
  on(event: 'status', listener: (change: StatusChange) => void): unknown;
  on(event: 'transaction', listener: (event: TransactionEvent) => void): unknown;
  off(event: 'status', listener: (change: StatusChange) => void): unknown;
  off(event: 'transaction', listener: (event: TransactionEvent) => void): unknown;
  readonly options: { readonly hardware: { readonly connectors: readonly ConnectorHardware[] } };
}

export interface UsageTrackerOptions {
  /** The Agent: its `transaction` and `status` events, and its hardware's control pilots. */
  agent: TrackedAgent;
  clock: Clock;
  sink: UsageSink & { alive?(at: number): void };
  /** Salt for the idTag hash (agent/auth/idTagHash.ts). */
  idTagSalt?: string;
  /** What the previous tracker left open. */
  resume?: UsageResume;
  log?: Logger;
}

/** At most this many distinct faults are kept per session. */
const MAX_FAULTS = 10;

const DOWN: Partial<Record<ConnectorStatus, IntervalKind>> = { Faulted: 'faulted', Unavailable: 'unavailable' };

/**
 * What the tracker knows of one connector; the intervals open now under their kind's name. Every
 * key is always present (a fixed shape; a fleet holds one per connector).
 */
interface ConnectorUsage extends Record<IntervalKind, UsageInterval | undefined> {
  readonly connectorId: number;
  readonly hardware: ConnectorHardware;
  /** An EV is plugged in. */
  evIn: boolean;
  status: ConnectorStatus | undefined;
  /** The connector's session that is not complete yet. */
  session: SessionRecord | undefined;
}

type Heard = StatusChange | TransactionEvent | PilotState;

export class UsageTracker {
  private readonly connectors: ConnectorUsage[];
  /**
   * The one listener for the agent's `status` and `transaction` and every pilot's `state`: it
   * tells them apart by the emitter (`this`) and the argument. One closure per charger, not three.
   */
  private readonly listener: (this: unknown, arg: Heard) => void;
  private listening = false;
  /** Clock time of {@link start} (the beginning of what this tracker observes). */
  startedAt: number | undefined;

  constructor(private readonly o: UsageTrackerOptions) {
    this.connectors = o.agent.options.hardware.connectors.map((hardware) => ({
      connectorId: hardware.connectorId,
      hardware,
      evIn: false,
      status: undefined,
      session: undefined,
      plugged: undefined,
      charging: undefined,
      faulted: undefined,
      unavailable: undefined,
    }));
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the listener's own `this` is the emitter
    const tracker = this;
    this.listener = function (this: unknown, arg: Heard) {
      tracker.heard(this, arg);
    };
  }

  private heard(emitter: unknown, arg: Heard): void {
    if (typeof arg === 'string') {
      const c = this.connectors.find((x) => x.hardware.pilot === emitter);
      if (c) this.pilotChanged(c, arg);
    } else if ('event' in arg) this.transactionEvent(arg);
    else this.statusChanged(arg);
  }

  /** Takes over what was open, then follows the agent. Call before `agent.start()`. */
  start(): void {
    if (this.listening) return;
    this.listening = true;
    const now = this.o.clock.now();
    this.startedAt = now;
    for (const c of this.connectors) c.evIn = pluggedIn(c.hardware.pilot.state, false);
    if (this.o.resume) this.takeOver(this.o.resume, now);
    for (const c of this.connectors) if (c.evIn) this.openInterval(c, 'plugged', now);
    this.o.agent.on('status', this.listener);
    this.o.agent.on('transaction', this.listener);
    for (const c of this.connectors) c.hardware.pilot.on('state', this.listener);
  }

  /**
   * Stops listening. `close`: the end of the observation (a fleet's end): open intervals end now
   * and open sessions are handed over as complete. Otherwise they stay open for the next tracker.
   * Returns false when it was not running.
   */
  stop(options: { close?: boolean } = {}): boolean {
    if (!this.listening) return false;
    this.listening = false;
    this.o.agent.off('status', this.listener);
    this.o.agent.off('transaction', this.listener);
    for (const c of this.connectors) c.hardware.pilot.off('state', this.listener);
    const now = this.o.clock.now();
    if (!options.close) {
      this.o.sink.alive?.(now);
      return true;
    }
    for (const c of this.connectors) {
      for (const kind of INTERVAL_KINDS) this.closeInterval(c, kind, now);
      if (c.session) this.complete(c);
    }
    return true;
  }

  private takeOver(resume: UsageResume, now: number): void {
    const aliveAt = resume.aliveAt ?? now;
    for (const s of resume.sessions) {
      const c = this.connector(s.connectorId);
      if (!c) continue; // the charger has fewer connectors now
      c.session = { ...s, faults: [...s.faults] };
    }
    // What was open ends where the previous tracker was last alive: the gap is not observed.
    for (const i of resume.intervals) {
      const to = Math.max(i.from, aliveAt);
      this.o.sink.interval({ connectorId: i.connectorId, kind: i.kind, from: i.from, to });
      const s = this.connector(i.connectorId)?.session;
      if (i.kind === 'charging' && s && s.stoppedAt === undefined) {
        s.chargingMs += to - i.from;
        s.chargeEndedAt = to;
      }
    }
    for (const c of this.connectors) {
      const s = c.session;
      if (!s) continue;
      if (s.stoppedAt === undefined) {
        // Its transaction was running when the previous tracker ended: a crash or power cut. Its
        // stop comes from the power-loss recovery; an EV gone by now left while nobody watched.
        s.interrupted = true;
        if (!c.evIn) s.unpluggedAt ??= Math.max(s.startedAt, aliveAt);
        this.o.sink.session(s, false);
      } else if (!c.evIn) {
        // Stopped, and the EV left while nobody watched.
        s.unpluggedAt ??= Math.max(s.stoppedAt, aliveAt);
        s.interrupted = true;
        this.complete(c);
      }
    }
  }

  /** Connectors observed. */
  get connectorCount(): number {
    return this.connectors.length;
  }

  private connector(connectorId: number): ConnectorUsage | undefined {
    return this.connectors.find((c) => c.connectorId === connectorId);
  }

  private pilotChanged(c: ConnectorUsage, state: PilotState): void {
    const plugged = pluggedIn(state, c.evIn);
    if (plugged === c.evIn) return;
    c.evIn = plugged;
    const now = this.o.clock.now();
    if (plugged) {
      this.openInterval(c, 'plugged', now);
      return;
    }
    this.closeInterval(c, 'plugged', now);
    const s = c.session;
    if (!s) return;
    s.unpluggedAt = now;
    if (s.stoppedAt !== undefined) this.complete(c);
    else this.o.sink.session(s, false); // unplugged while the transaction goes on (StopTransactionOnEVSideDisconnect false)
  }

  private statusChanged(change: StatusChange): void {
    const c = this.connector(change.connectorId);
    if (!c) return; // connectorId 0: the charge point as a whole
    const at = change.timestamp;
    const was = c.status;
    c.status = change.status;
    if (was !== change.status) {
      if (was === 'Charging') this.chargingEnded(c, at);
      const wasDown = was && DOWN[was];
      if (wasDown) this.closeInterval(c, wasDown, at);
      if (change.status === 'Charging') this.openInterval(c, 'charging', at);
      const down = DOWN[change.status];
      if (down) this.openInterval(c, down, at);
    }
    const s = c.session;
    if (s && change.errorCode !== 'NoError') {
      const fault = change.info ? `${change.errorCode}: ${change.info}` : change.errorCode;
      if (!s.faults.includes(fault) && s.faults.length < MAX_FAULTS) {
        s.faults.push(fault);
        this.o.sink.session(s, false);
      }
    }
  }

  private chargingEnded(c: ConnectorUsage, at: number): void {
    const i = c.charging;
    this.closeInterval(c, 'charging', at);
    const s = c.session;
    if (!i || !s) return;
    s.chargingMs += Math.max(0, at - Math.max(i.from, s.startedAt));
    s.chargeEndedAt = at;
    this.o.sink.session(s, false);
  }

  private transactionEvent(e: TransactionEvent): void {
    const c = this.connector(e.connectorId);
    if (!c) return;
    if (e.event === 'started') return this.sessionStarted(c, e);
    const s = c.session;
    if (!s || s.id !== e.localId) {
      if (e.event === 'stopped') this.o.log?.debug({ connector: e.connectorId, localId: e.localId }, 'session history: a stop of a session it does not know');
      return;
    }
    if (e.transactionId !== undefined) s.transactionId = e.transactionId;
    if (e.event === 'confirmed') {
      this.o.sink.session(s, false);
      return;
    }
    // Begun without an identifier (at the plug-in): the session is the authorized driver's.
    if (e.event === 'authorized') {
      s.idTagHash = hashIdTag(e.idTag, this.o.idTagSalt);
      this.o.sink.session(s, false);
      return;
    }
    // (Its stop names who started it, should the authorization have gone unheard.)
    if (s.idTagHash === undefined && e.startIdTag) s.idTagHash = hashIdTag(e.startIdTag, this.o.idTagSalt);
    s.stoppedAt = e.timestamp;
    s.stopReason = e.reason;
    const meterStart = e.meterStartWh ?? s.meterStartWh;
    if (meterStart !== undefined) s.energyWh = Math.max(0, e.meterStopWh - meterStart);
    if (c.evIn) {
      this.o.sink.session(s, false);
      return;
    }
    s.unpluggedAt ??= e.timestamp;
    this.complete(c);
  }

  private sessionStarted(c: ConnectorUsage, e: Extract<TransactionEvent, { event: 'started' }>): void {
    // A transaction that went on after a power loss (ResumeTransactionOnPowerLoss): the same session.
    if (e.resumed && c.session?.id === e.localId) return;
    const previous = c.session;
    if (previous) {
      // A new session on the same plug-in: the previous one's occupancy ends here.
      previous.unpluggedAt ??= e.timestamp;
      previous.stoppedAt ??= e.timestamp;
      this.complete(c);
    }
    const pluggedSince = c.plugged?.from;
    const s: SessionRecord = {
      id: e.localId,
      connectorId: c.connectorId,
      ...(e.transactionId !== undefined && { transactionId: e.transactionId }),
      // None for a transaction begun without an identifier (at the plug-in) until one authorizes it.
      ...(e.idTag !== '' && { idTagHash: hashIdTag(e.idTag, this.o.idTagSalt) }),
      ...(pluggedSince !== undefined && pluggedSince <= e.timestamp && { pluggedInAt: pluggedSince }),
      startedAt: e.timestamp,
      meterStartWh: e.meterStartWh,
      chargingMs: 0,
      faults: [],
      ...(e.resumed && { interrupted: true as const }),
    };
    c.session = s;
    this.o.sink.session(s, false);
  }

  private complete(c: ConnectorUsage): void {
    const s = c.session;
    if (!s) return;
    c.session = undefined;
    this.o.sink.session(s, true);
  }

  private openInterval(c: ConnectorUsage, kind: IntervalKind, at: number): void {
    if (c[kind]) return;
    const i: UsageInterval = { connectorId: c.connectorId, kind, from: at };
    c[kind] = i;
    this.o.sink.interval(i);
  }

  private closeInterval(c: ConnectorUsage, kind: IntervalKind, at: number): void {
    const i = c[kind];
    if (!i) return;
    c[kind] = undefined;
    i.to = Math.max(i.from, at);
    this.o.sink.interval(i);
  }
}

/** Whether an EV is plugged in, from the pilot state (E and F do not tell: `otherwise`). */
function pluggedIn(state: PilotState, otherwise: boolean): boolean {
  if (state === 'A') return false;
  return state === 'B' || state === 'C' || state === 'D' ? true : otherwise;
}
