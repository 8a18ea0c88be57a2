/**
 * The one place where the Agent's OCPP version makes a difference to how it is put together: the
 * link's face, the caller the shared services send through, and (2.0.1) the station its handlers
 * work on. The Agent asks for these by version and stays version-neutral itself (DESIGN.md §10).
 *
 * The 1.6 binding is module-level (a fleet's 1.6 chargers pay nothing for it); a 2.0.1 binding is
 * per charger.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../hal/index.js';
import type { TransactionSeqNos } from '../store/TransactionSeqNos.js';
import type { DriverPorts } from './DriverPorts.js';
import type { TransactionJournal } from '../store/TransactionJournal.js';
import type { OcppConfiguration } from '../store/OcppConfiguration.js';
import type { VariableMonitorStore } from '../store/VariableMonitorStore.js';
import type { QueuedNotifyEvent } from './v201/NotifyEvents.js';
import type { OcppCaller } from './OcppCaller.js';
import type { OcppLink } from './OcppLink.js';
import type { OcppVersion, ProtocolFace } from './ProtocolFace.js';
import { OCPP16_FACE } from './v16/face.js';
import { attachOcpp201Station, type StationSources201 } from './v201/attachStation.js';
import { ExternalLimits201 } from './v201/ExternalLimits201.js';
import type { Ocpp201Station } from './v201/Ocpp201Station.js';
import { Ocpp201Face } from './v201/Ocpp201Face.js';
import { Ocpp201Outbound, type NotifyEventSources } from './v201/Ocpp201Outbound.js';

/** What the shared services send through: typed calls, registration state, boot and heartbeat on demand. */
export type ServiceCaller = OcppCaller & Pick<OcppLink, 'state' | 'sendBootNotification' | 'sendHeartbeat'>;

/** What the version's CSMS calls work on, from the charger's parts (built after them). */
export type StationParts = StationSources201;

export interface VersionFace {
  /** Given to the link: subprotocol, CSMS calls answered, boot shape. */
  readonly face: ProtocolFace;
  /** The caller the shared services send through, over `link` (the link itself for 1.6). */
  services(link: OcppLink): ServiceCaller;
  /** Once the charger's parts exist (read, not copied: the object is kept). */
  attach(parts: StationParts): void;
  /** When the charger stops. */
  detach(): void;
  /**
   * The charger's own events (`status`, `transaction`, `limit`), told by the charger before their
   * listeners hear them: the version's parts are called rather than subscribed, so a 2.0.1 charger
   * keeps no listener arrays for them (docs/fleet.md, Memory). Absent: nothing to tell (1.6).
   */
  heard?(event: string | symbol, payload: unknown): void;
}

const OCPP16: VersionFace = Object.freeze({
  face: OCPP16_FACE,
  services: (link: OcppLink) => link,
  // The 1.6 handlers work on the charger's RemoteControl, which the link is given directly.
  attach: () => undefined,
  detach: () => undefined,
});

export interface VersionFaceOptions {
  clock: Clock;
  log: Logger;
  /** OCPP 2.0.1: why this start (BootNotification reason). */
  bootReason?: 'PowerUp' | 'RemoteReset' | 'FirmwareUpdate';
  /** OCPP 2.0.1: each open transaction's next seqNo (persisted by the owner). */
  seqNos: () => TransactionSeqNos;
  /** OCPP 2.0.1: the display and pricing services, while they run (the answers' costs and texts go there). */
  driver?: DriverPorts;
  /**
   * OCPP 2.0.1: the variable monitors and monitoring settings, and the NotifyEvent queue (both
   * persisted by the owner), and the configuration (OfflineQueuingSeverity).
   */
  monitoring: () => { store: VariableMonitorStore; queue?: TransactionJournal<QueuedNotifyEvent> | undefined; config: OcppConfiguration };
}

export function versionFace(version: OcppVersion | undefined, options: VersionFaceOptions): VersionFace {
  return version === '2.0.1' ? new Ocpp201Version(options) : OCPP16;
}

/** A 2.0.1 charger's binding: one object with prototype methods, not closures per charger (docs/fleet.md, Memory). */
class Ocpp201Version implements VersionFace {
  readonly face: Ocpp201Face;
  /** Until services(): what they are built from. */
  private options: VersionFaceOptions | undefined;
  private readonly log: Logger;
  private outbound: Ocpp201Outbound | undefined;
  private monitors: VariableMonitorStore | undefined;
  private sources: StationParts | undefined;
  private station: Ocpp201Station | undefined;
  /** The charger's own external limit told to the CSMS (K12): made at the first local limit (most chargers of a fleet never get one). */
  private external: ExternalLimits201 | undefined;

  constructor(options: VersionFaceOptions) {
    this.face = new Ocpp201Face(options.bootReason);
    this.options = options;
    this.log = options.log;
  }

  services(link: OcppLink): ServiceCaller {
    const { options } = this;
    if (!options) throw new Error('versionFace: services() twice');
    const m = options.monitoring();
    this.monitors = m.store;
    const parts: NotifyEventSources = { log: options.log, store: m.store, config: m.config };
    if (m.queue) parts.queue = m.queue;
    this.outbound = new Ocpp201Outbound(link, options.clock, options.seqNos(), parts, options.driver);
    // The outbound hears the link's state and acceptance from here, first (through the face: no listeners).
    this.face.told = this.outbound;
    this.options = undefined;
    return this.outbound;
  }

  attach(sources: StationParts): void {
    const out = this.outbound;
    if (!out || !this.monitors) throw new Error('versionFace: attach() before services()');
    this.sources = sources;
    // From here the charger tells heard() its events, in the order these parts used to subscribe:
    // problems are told from the status changes themselves (offline too: no StatusNotification is sent then).
    this.station = attachOcpp201Station(this.face, sources, out, this.monitors);
    // After each accepted registration: the external limit, and what the station kept (QueueAllMessages).
    out.afterAccepted = this;
  }

  heard(event: string | symbol, payload: unknown): void {
    const { station, outbound } = this;
    if (!station || !outbound) return;
    if (event === 'status') outbound.statusChanged(payload as Parameters<Ocpp201Outbound['statusChanged']>[0]);
    else if (event === 'transaction') station.transaction(payload as Parameters<Ocpp201Station['transaction']>[0]);
    else if (event === 'limit') this.limitChanged(payload as Parameters<Ocpp201Version['limitChanged']>[0]);
  }

  detach(): void {
    const out = this.outbound;
    if (!out) return;
    out.afterAccepted = undefined;
    this.external?.stop();
    this.station?.dispose();
    // Nothing more is heard.
    this.station = undefined;
    void out.stopEvents();
  }

  /**
   * A connector's limit changed: first a ChargingRateChanged of the transaction running there, then
   * the external limit told to the CSMS.
   */
  private limitChanged(limit: { connectorId: number; amps: number; sources: { localLimit?: number } }): void {
    const s = this.sources;
    if (!s) return;
    s.transactions.chargingRateChanged(limit.connectorId, limit.amps);
    const limits = s.control.chargingLimits;
    if (!limits) return;
    if (!this.external && limit.sources.localLimit !== undefined) {
      this.external = new ExternalLimits201({ log: this.log, limits, config: s.config, link: s.link, evseCount: s.control.connectorCount });
    }
    this.external?.sync();
  }

  /** After each accepted registration (Ocpp201Outbound.afterAccepted): the external limit, and what the station kept for the CSMS (QueueAllMessages). */
  linkAccepted(): void {
    this.external?.sync();
    this.station?.accepted();
  }
}
