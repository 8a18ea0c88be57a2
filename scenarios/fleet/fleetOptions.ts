/** What a {@link Fleet} (./Fleet.ts) is built from; each charger of it (./fleetCharger.ts) reads them too. */
import type { Logger } from 'pino';
import type { Clock } from '../../hal/clock.js';
import type { Shard } from './fleetIds.js';
import type { FleetBehaviourOptions } from './profileLoader.js';
import type { OcppVersionMix } from './ocppVersions.js';

export interface FleetOptions {
  /** CSMS base URL; charger `id` connects to `${csmsUrl}/${id}`. */
  csmsUrl: string;
  /** Chargers in the whole fleet (all shards). */
  count: number;
  /** Id prefix (default `CP`): ids are `CP00001` …. */
  idPrefix?: string;
  /** Chargers started per second (default 100). */
  rampPerSecond?: number;
  /** Connectors per charger (default 1). */
  connectors?: number;
  shard?: Shard;
  /** Seed for the reconnect back-off's random part and behaviour (default 1). */
  seed?: number;
  log: Logger;
  /** Default: the process-wide SystemClock. */
  clock?: Clock;
  /** Sessions and faults: a profile (default: the default profile) and/or the idle/charge shorthands; false: none. */
  behaviour?: FleetBehaviourOptions | false;
  /**
   * OCPP configuration keys every charger starts with; the reconnect back-off is
   * RetryBackOffWaitMinimum / RetryBackOffRandomRange / RetryBackOffRepeatTimes (default 3 s, 10 s, 3).
   */
  ocpp?: Record<string, string | number | boolean>;
  /**
   * OCPP versions of the chargers in percent, assigned by position (ocppVersions.ts), e.g.
   * `{ '2.0.1': 100 }` or `{ '1.6': 70, '2.0.1': 30 }`; over the profile's `ocppVersions`.
   * Default: the profile's, else every charger speaks 1.6.
   */
  ocppVersions?: OcppVersionMix;
  /**
   * Local (source) IP addresses, used round-robin by charger position: one address has about
   * 28,000 ephemeral ports towards one CSMS address and port (Linux default range).
   */
  localAddresses?: readonly string[];
  /**
   * Chargers at most between their start and their first boot outcome (BootNotification
   * accepted, connection lost, or 30 s); the ramp waits for a slot (default
   * {@link DEFAULT_MAX_BOOTING}; 0: no limit). Bounds the memory of a ramp faster than the CSMS.
   */
  maxBooting?: number;
}

/** Default {@link FleetOptions.maxBooting}: at 2,000/s the ramp keeps its rate against a CSMS answering within ≈ 125 ms. */
export const DEFAULT_MAX_BOOTING = 250;
