/**
 * What a {@link Fleet} follows of each charger's link: connected and booted counts, connect and
 * boot latencies, drops, reconnect attempts and the traffic metrics; and the charger's
 * {@link BootGate} slot, given back at its first boot outcome (accepted, connection lost or
 * stopped, or {@link BOOT_SLOT_MS} without one).
 */
import type { Agent } from '../../agent/Agent.js';
import type { BootGate } from './BootGate.js';
import type { FleetMetrics } from './FleetMetrics.js';

/** A charger whose boot has no outcome after this long gives its slot back (BootNotification Pending/Rejected). */
export const BOOT_SLOT_MS = 30_000;

export class FleetLinks {
  connected = 0;
  accepted = 0;

  constructor(
    private readonly metrics: FleetMetrics,
    readonly gate: BootGate,
    /** True when a drop of this agent's connection is the fleet's own doing (stopping, removing). */
    private readonly expectedDrop: (agent: Agent) => boolean,
  ) {}

  observe(agent: Agent, release: () => void): void {
    const t0 = performance.now();
    let slot: { release: () => void; timer: ReturnType<typeof globalThis.setTimeout> } | undefined = { release, timer: globalThis.setTimeout(() => boot(), BOOT_SLOT_MS) };
    slot.timer.unref();
    // Once: the slot (its timer and closure) is dropped, so nothing of it stays per charger.
    const boot = () => {
      if (!slot) return;
      globalThis.clearTimeout(slot.timer);
      slot.release();
      slot = undefined;
    };
    let connectedOnce = false;
    let acceptedOnce = false;
    let online = false;
    agent.on('traffic', this.metrics.recorder());
    agent.link.on('state', (state) => {
      if (state === 'booting' && !online) {
        online = true;
        this.connected++;
        this.metrics.timeline.count(connectedOnce ? 'reconnects' : 'connects', Date.now());
        this.metrics.timeline.connected(this.connected, Date.now());
        if (!connectedOnce) this.metrics.connect.add(performance.now() - t0);
        connectedOnce = true;
      }
      if (state === 'stopped') boot();
      if ((state === 'connecting' || state === 'stopped') && online) {
        online = false;
        this.connected--;
        this.metrics.timeline.connected(this.connected, Date.now());
      }
    });
    agent.link.on('accepted', () => {
      boot();
      if (acceptedOnce) return;
      acceptedOnce = true;
      this.accepted++;
      this.metrics.boot.add(performance.now() - t0);
    });
    // Only drops count, not the fleet's own closing.
    agent.link.on('disconnected', () => {
      if (!this.expectedDrop(agent)) {
        this.metrics.disconnects++;
        this.metrics.timeline.count('disconnects', Date.now());
      }
    });
    agent.link.on('reconnecting', () => {
      boot();
      this.metrics.reconnects++;
      this.metrics.timeline.count('attempts', Date.now());
    });
    // Problems are logged by the agent; an 'error' without listener would end the process.
    agent.link.on('error', () => undefined);
  }
}
