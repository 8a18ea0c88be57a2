/**
 * One virtual charger of a {@link Fleet}: simulated hardware, in-memory OCPP configuration, a real
 * {@link Agent} and (unless the fleet runs without) its session behaviour, built but not started.
 * Long-lived objects are literals (not spread-built): V8 gives each spread-built object a hidden
 * class of its own (docs/fleet.md, Memory and scale).
 */
import type { Logger } from 'pino';
import { Agent } from '../../agent/Agent.js';
import { OcppConfiguration } from '../../agent/store/OcppConfiguration.js';
import type { Clock } from '../../hal/clock.js';
import { createSimulatedCharger, type SimulatedCharger } from '../../hal/sim/createSimulatedCharger.js';
import type { FleetOptions } from './fleetOptions.js';
import { chargerId } from './fleetIds.js';
import type { FleetProfile } from './profile.js';
import { ocppForCharger, resolveBehaviour } from './profileLoader.js';
import { deriveSeed, seededRandom } from '../seededRandom.js';
import type { BehaviourEvent } from './behaviourTypes.js';
import { SessionBehaviour } from './SessionBehaviour.js';
import { versionAt, type OcppVersion } from './ocppVersions.js';

export interface FleetChargerContext {
  clock: Clock;
  /** The parent of the charger's loggers (the fleet's `log` or a child of it). */
  log: Logger;
  /** A profile given to the control API for this charger (over the fleet's behaviour option). */
  profile: FleetProfile | undefined;
  /** Clock time at which profile time starts (asked only when the charger has a behaviour). */
  epochMs: () => number;
  count: (event: BehaviourEvent) => void;
  /** True while the control API holds this charger's connection closed (a fault's outage must not reopen it). */
  closedByControl: (id: string) => boolean;
}

export interface BuiltCharger {
  id: string;
  agent: Agent;
  sim: SimulatedCharger;
  behaviour: SessionBehaviour | undefined;
  /** The OCPP version it speaks (by its position: ocppVersions.ts). */
  version: OcppVersion;
}

/** Builds the charger at fleet position `k` (seeded by the fleet's seed and `k`). */
export async function buildFleetCharger(k: number, options: FleetOptions, ctx: FleetChargerContext): Promise<BuiltCharger> {
  const { seed = 1, connectors = 1 } = options;
  const { clock, log } = ctx;
  const id = chargerId(options.idPrefix ?? 'CP', k);
  const sim = createSimulatedCharger({ clock, connectors, idPrefix: `${id}/` });
  const added = ctx.profile;
  const resolved = resolveBehaviour(added ? { profile: added } : options.behaviour || {});
  const config = await OcppConfiguration.open({
    file: null,
    // The profile's keys (and those of the charger's seeded group), then the fleet's own.
    // No WebSocket pings unless a profile or the fleet asks for them (a timer per socket otherwise).
    initial: { WebSocketPingInterval: 0, ...ocppForCharger(resolved.profile, seededRandom(deriveSeed(seed, k, 3))()), ...options.ocpp },
    readonlyValues: { NumberOfConnectors: connectors },
    log,
  });
  // A profile given to the control API for this charger decides its version when it says one.
  const version = versionAt(added?.ocppVersions ?? options.ocppVersions ?? resolved.profile.ocppVersions, k);
  const agent = new Agent({
    chargePointId: id,
    ocppVersion: version,
    boot: { chargePointVendor: 'evse-agent', chargePointModel: 'fleet', chargePointSerialNumber: id.slice(-25) },
    csms: {
      url: options.csmsUrl,
      callTimeoutMs: 30_000,
      // No zlib state per connection, whatever the CSMS offers (docs/fleet.md, Memory and scale).
      perMessageDeflate: false,
      localAddress: options.localAddresses?.[k % options.localAddresses.length],
    },
    hardware: sim.hardware,
    config,
    clock,
    log,
    random: seededRandom(deriveSeed(seed, k, 1)),
    ventilation: resolved.profile.charger.ventilation,
  });
  const behaviour =
    options.behaviour === false && !added
      ? undefined
      : new SessionBehaviour({
          sim,
          clock,
          random: seededRandom(deriveSeed(seed, k, 2)),
          faultRandom: seededRandom(deriveSeed(seed, k, 4)),
          cardUid: `F0${k.toString(16).toUpperCase().padStart(8, '0')}`,
          log: agent.log,
          behaviour: resolved,
          epochMs: ctx.epochMs(),
          controls: {
            transactionOn: (connectorId) => agent.transactions.get(connectorId) !== undefined,
            link: agent.link,
            // A network outage: the socket drops without a close handshake, as a real one would.
            dropLink: () => void agent.link.stop({ abrupt: true }),
            // Also when the fleet stops (behaviours stop before the agents): the agent must be
            // connected to deliver its StopTransactions. A connection closed through the control
            // API stays closed until the API opens it.
            restoreLink: () => {
              if (agent.link.state === 'stopped' && !ctx.closedByControl(id)) agent.link.start();
            },
          },
          count: ctx.count,
        });
  return { id, agent, sim, behaviour, version };
}
