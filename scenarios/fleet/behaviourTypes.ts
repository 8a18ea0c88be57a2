/**
 * What a fleet charger's simulated drivers (SessionBehaviour.ts) and its fault injection
 * (FaultInjector.ts) share: what they may ask of the charger, and the events they count.
 */
import type { FaultKind } from './profile.js';

/** What the behaviour may ask of the charger's agent. */
export interface ChargerControls {
  /** Whether a transaction runs on the connector (1-based). */
  transactionOn(connectorId: number): boolean;
  /** The charger's OCPP link (accepted by the CSMS or not). */
  readonly link: { readonly isAccepted: boolean };
  /** Network outage: the charger's connection goes away … */
  dropLink(): void;
  /** … and comes back. */
  restoreLink(): void;
}

/** Counted behaviour events (FleetMetrics keeps them per name). */
export type BehaviourEvent =
  | 'arrivals'
  | 'startedRfid'
  | 'startedRemote'
  | 'remoteMissed'
  | 'rfidNotStarted'
  | 'energyReached'
  | 'lengthReached'
  | 'endedElsewhere'
  | `fault:${FaultKind}`
  /** An arrival of this EV model (the profile's `evs[].name`). */
  | `ev:${string}`;
