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
import { attachOcpp201Station, type StationSources } from './v201/attachStation.js';
import { ExternalLimits201 } from './v201/ExternalLimits201.js';
import { Ocpp201Face } from './v201/Ocpp201Face.js';
import { Ocpp201Outbound } from './v201/Ocpp201Outbound.js';

/** What the shared services send through: typed calls, registration state, boot and heartbeat on demand. */
export type ServiceCaller = OcppCaller & Pick<OcppLink, 'state' | 'sendBootNotification' | 'sendHeartbeat'>;

/** What the version's CSMS calls work on, from the charger's parts (built after them). */
export type StationParts = Omit<StationSources, 'transactionEvents' | 'forgetSentStatuses' | 'notifyEvent' | 'monitors'>;

export interface VersionFace {
  /** Given to the link: subprotocol, CSMS calls answered, boot shape. */
  readonly face: ProtocolFace;
  /** The caller the shared services send through, over `link` (the link itself for 1.6). */
  services(link: OcppLink): ServiceCaller;
  /** Once the charger's parts exist; returns what to call when the charger stops (or nothing). */
  attach(parts: () => StationParts): (() => void) | undefined;
}

const OCPP16: VersionFace = Object.freeze({
  face: OCPP16_FACE,
  services: (link: OcppLink) => link,
  // The 1.6 handlers work on the charger's RemoteControl, which the link is given directly.
  attach: () => undefined,
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
  if (version !== '2.0.1') return OCPP16;
  const face = new Ocpp201Face(options.bootReason);
  let outbound: Ocpp201Outbound | undefined;
  let monitors: VariableMonitorStore | undefined;
  return {
    face,
    services(link) {
      const m = options.monitoring();
      monitors = m.store;
      outbound = new Ocpp201Outbound(link, options.clock, options.seqNos(), { log: options.log, ...(m.queue && { queue: m.queue }), store: m.store, config: m.config }, options.driver);
      return outbound;
    },
    attach(parts) {
      const out = outbound;
      if (!out || !monitors) throw new Error('versionFace: attach() before services()');
      const sources = parts();
      // Problems are told from the status changes themselves: offline too (no StatusNotification is sent then).
      const onStatus = (change: Parameters<Ocpp201Outbound['statusChanged']>[0]): void => out.statusChanged(change);
      sources.events.on('status', onStatus);
      const station = attachOcpp201Station(face, {
        ...sources,
        transactionEvents: out.transactions,
        forgetSentStatuses: () => out.forgetSentStatuses(),
        notifyEvent: (severity, event) => out.notifyEvent(severity, event),
        monitors,
      });
      // The charger's own external limit (the local energy manager's) is told to the CSMS (K12);
      // made at the first local limit (most chargers of a fleet never get one).
      const limits = sources.control.chargingLimits;
      let external: ExternalLimits201 | undefined;
      const limitChanged = (limit: { sources: { localLimit?: number } }): void => {
        if (!external && limits && limit.sources.localLimit !== undefined) {
          external = new ExternalLimits201({ log: options.log, limits, config: sources.config, link: sources.link, evseCount: sources.control.connectorCount });
        }
        external?.sync();
      };
      const accepted = (): void => external?.sync();
      if (limits) {
        sources.events.on('limit', limitChanged);
        sources.link.on('accepted', accepted);
      }
      return () => {
        if (limits) {
          sources.events.off('limit', limitChanged);
          sources.link.off('accepted', accepted);
          external?.stop();
        }
        sources.events.off('status', onStatus);
        station.dispose();
        void out.stopEvents();
      };
    },
  };
}
