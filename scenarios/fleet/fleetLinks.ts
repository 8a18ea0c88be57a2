/**
 * What a {@link Fleet} follows of each charger's link: connected and booted counts, connect and
 * boot latencies, drops, reconnect attempts and the traffic metrics; and the charger's
 * {@link BootGate} slot, given back at its first boot outcome (accepted, connection lost or
 * stopped, or {@link BOOT_SLOT_MS} without one).
 *
 * The listeners are module-level functions shared by every charger of every fleet: an emitter
 * calls its listeners with itself as `this`, so each finds its charger's {@link LinkWatch} through
 * the link (a closure per listener and charger cost ≈ 0.5 KB per charger; docs/fleet.md, Memory
 * and scale).
 */
import type { Agent } from '../../agent/Agent.js';
import type { OcppLink, OcppLinkState } from '../../agent/ocpp/OcppLink.js';
import type { TrafficRecord } from '../../agent/ocpp/OcppTraffic.js';
import type { BootGate } from './BootGate.js';
import type { CallsInFlight, FleetMetrics } from './FleetMetrics.js';
import type { OcppVersion } from './ocppVersions.js';

/** A charger whose boot has no outcome after this long gives its slot back (BootNotification Pending/Rejected). */
export const BOOT_SLOT_MS = 30_000;

/** One charger as its fleet follows it. */
class LinkWatch implements CallsInFlight {
  pending: Map<string, number> | undefined = undefined;
  txEvents: Map<string, string> | undefined = undefined;
  private readonly t0 = performance.now();
  /** The boot slot, until the first boot outcome (then nothing of it stays per charger). */
  private slot: { release: () => void; timer: ReturnType<typeof globalThis.setTimeout> } | undefined;
  private connectedOnce = false;
  private acceptedOnce = false;
  private online = false;

  constructor(
    private readonly links: FleetLinks,
    readonly agent: Agent,
    release: () => void,
    readonly version: OcppVersion,
  ) {
    this.slot = { release, timer: globalThis.setTimeout(slotExpired, BOOT_SLOT_MS, this) };
    this.slot.timer.unref();
  }

  /** The first boot outcome gives the slot back; later ones do nothing. */
  bootOutcome(): void {
    if (!this.slot) return;
    globalThis.clearTimeout(this.slot.timer);
    this.slot.release();
    this.slot = undefined;
  }

  state(state: OcppLinkState): void {
    const { links } = this;
    const { metrics } = links;
    // Connected: booting, or straight to accepted (an OCPP 2.0.1 registration outlives its
    // connection: no new boot) or pending/rejected (a boot still waiting for its interval).
    if (state !== 'idle' && state !== 'connecting' && state !== 'stopped' && !this.online) {
      this.online = true;
      links.connected++;
      metrics.timeline.count(this.connectedOnce ? 'reconnects' : 'connects', Date.now());
      metrics.timeline.connected(links.connected, Date.now());
      if (!this.connectedOnce) metrics.connect.add(performance.now() - this.t0);
      this.connectedOnce = true;
    }
    if (state === 'stopped') this.bootOutcome();
    if ((state === 'connecting' || state === 'stopped') && this.online) {
      this.online = false;
      links.connected--;
      metrics.timeline.connected(links.connected, Date.now());
    }
  }

  accepted(): void {
    this.bootOutcome();
    if (this.acceptedOnce) return;
    this.acceptedOnce = true;
    this.links.accepted++;
    this.links.metrics.chargerAccepted(this.version);
    this.links.metrics.boot.add(performance.now() - this.t0);
  }

  /** Only drops count, not the fleet's own closing. */
  disconnected(): void {
    const { links } = this;
    if (links.expectedDrop(this.agent)) return;
    links.metrics.disconnects++;
    links.metrics.timeline.count('disconnects', Date.now());
  }

  reconnecting(): void {
    this.bootOutcome();
    this.links.metrics.reconnects++;
    this.links.metrics.timeline.count('attempts', Date.now());
  }

  traffic(record: TrafficRecord): void {
    this.links.metrics.record(record, this);
  }
}

const watches = new WeakMap<OcppLink, LinkWatch>();

function slotExpired(watch: LinkWatch): void {
  watch.bootOutcome();
}
function onState(this: OcppLink, state: OcppLinkState): void {
  watches.get(this)?.state(state);
}
function onAccepted(this: OcppLink): void {
  watches.get(this)?.accepted();
}
function onDisconnected(this: OcppLink): void {
  watches.get(this)?.disconnected();
}
function onReconnecting(this: OcppLink): void {
  watches.get(this)?.reconnecting();
}
function onTraffic(this: Agent, record: TrafficRecord): void {
  watches.get(this.link)?.traffic(record);
}
/** Problems are logged by the agent; an 'error' without listener would end the process. */
function ignoreError(): void {}

export class FleetLinks {
  connected = 0;
  accepted = 0;

  constructor(
    readonly metrics: FleetMetrics,
    readonly gate: BootGate,
    /** True when a drop of this agent's connection is the fleet's own doing (stopping, removing). */
    readonly expectedDrop: (agent: Agent) => boolean,
  ) {}

  observe(agent: Agent, release: () => void, version: OcppVersion = '1.6'): void {
    watches.set(agent.link, new LinkWatch(this, agent, release, version));
    this.metrics.chargerStarted(version);
    agent.on('traffic', onTraffic);
    agent.link.on('state', onState);
    agent.link.on('accepted', onAccepted);
    agent.link.on('disconnected', onDisconnected);
    agent.link.on('reconnecting', onReconnecting);
    agent.link.on('error', ignoreError);
  }
}
