/**
 * Which CSMS the next connection attempt goes to, when the charger has more than one connection
 * profile (OCPP 2.0.1 OCPPCommCtrlr.NetworkConfigurationPriority and NetworkProfileConnectionAttempts;
 * the same keys under 1.6, from the settings).
 *
 * Slot 1 is the primary CSMS (`csms.url`, or what the security service says for it), slots 2… are
 * the fallback URLs in order; they connect with the primary's password and TLS settings.
 * - Attempts go to the slots of NetworkConfigurationPriority in its order (empty: every slot in
 *   slot order; a slot this charger does not have is skipped).
 * - After NetworkProfileConnectionAttempts failed attempts in a row on one slot, the next slot is
 *   tried; after the last, the first again.
 * - Once connected, the charger stays on that slot (there is no switching back while a fallback
 *   works); when that connection is lost, or the link starts again (a reboot), attempts begin
 *   again with the most preferred slot.
 * Both keys are read at every attempt, so a change applies to the next one.
 */
import type { OcppConfiguration } from '../store/OcppConfiguration.js';

export class ConnectionProfiles {
  /** Position in the priority order of the slot being tried. */
  private position = 0;
  /** Failed attempts in a row on that slot. */
  private failures = 0;

  /** `fallbackUrls[i]` is slot i + 2. */
  constructor(
    private readonly fallbackUrls: readonly string[],
    private readonly config: OcppConfiguration,
  ) {}

  /** The slots to try, most preferred first. */
  order(): number[] {
    const slots = this.fallbackUrls.length + 1;
    const listed = this.config.getList('NetworkConfigurationPriority').map(Number).filter((s) => s >= 1 && s <= slots);
    return listed.length > 0 ? listed : Array.from({ length: slots }, (_, i) => i + 1);
  }

  /** The slot of the next attempt. */
  get slot(): number {
    const order = this.order();
    return order[this.position % order.length]!;
  }

  /** The URL of the next attempt: `primaryUrl` for slot 1. */
  url(primaryUrl: string): string {
    const slot = this.slot;
    return slot === 1 ? primaryUrl : this.fallbackUrls[slot - 2]!;
  }

  /** An attempt failed before the connection opened. Returns the slot the next attempt goes to when that changes. */
  failed(): number | undefined {
    if (++this.failures < this.config.getInt('NetworkProfileConnectionAttempts')) return undefined;
    const before = this.slot;
    this.failures = 0;
    this.position = (this.position + 1) % this.order().length;
    return this.slot === before ? undefined : this.slot;
  }

  /** A connection opened: its slot's failure count starts again. */
  connected(): void {
    this.failures = 0;
  }

  /** The connection was lost or the link starts again: back to the most preferred slot. */
  restart(): void {
    this.position = 0;
    this.failures = 0;
  }
}
