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
import type { OcppCaller } from './OcppCaller.js';
import type { OcppLink } from './OcppLink.js';
import type { OcppVersion, ProtocolFace } from './ProtocolFace.js';
import { OCPP16_FACE } from './v16/face.js';
import { attachOcpp201Station, type StationSources } from './v201/attachStation.js';
import { Ocpp201Face } from './v201/Ocpp201Face.js';
import { Ocpp201Outbound } from './v201/Ocpp201Outbound.js';

/** What the shared services send through: typed calls, registration state, boot and heartbeat on demand. */
export type ServiceCaller = OcppCaller & Pick<OcppLink, 'state' | 'sendBootNotification' | 'sendHeartbeat'>;

/** What the version's CSMS calls work on, from the charger's parts (built after them). */
export type StationParts = Omit<StationSources, 'transactionEvents' | 'forgetSentStatuses' | 'notifyEvent'>;

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
}

export function versionFace(version: OcppVersion | undefined, options: VersionFaceOptions): VersionFace {
  if (version !== '2.0.1') return OCPP16;
  const face = new Ocpp201Face(options.bootReason);
  let outbound: Ocpp201Outbound | undefined;
  return {
    face,
    services(link) {
      outbound = new Ocpp201Outbound(link, options.clock, options.seqNos());
      return outbound;
    },
    attach(parts) {
      const out = outbound;
      if (!out) throw new Error('versionFace: attach() before services()');
      const p = parts();
      // Key by key, not spread: the station keeps this object, and a spread-built object gets a
      // hidden class of its own per charger (docs/fleet.md, Memory and scale).
      const station = attachOcpp201Station(face, {
        log: p.log,
        clock: p.clock,
        config: p.config,
        control: p.control,
        transactions: p.transactions,
        undelivered: p.undelivered,
        events: p.events,
        link: p.link,
        identity: p.identity,
        boot: p.boot,
        csms: p.csms,
        statuses: p.statuses,
        localListSize: p.localListSize,
        hardware: p.hardware,
        voltageV: p.voltageV,
        transactionEvents: out.transactions,
        forgetSentStatuses: () => out.forgetSentStatuses(),
        notifyEvent: (event) => out.notifyEvent(event),
      });
      return () => station.dispose();
    },
  };
}
