/**
 * The fleet control vocabulary: commands a test harness sends to a running fleet, their results,
 * and the events it can follow. Everything here is plain data, so a command crosses a worker-thread
 * boundary unchanged; {@link FleetControlTarget} is what both {@link Fleet} (one thread) and
 * {@link FleetThreads} (worker threads) implement, so the HTTP layer does not care which runs.
 */
import type { IdTokenKind } from '../../agent/auth/idToken.js';
import type { FleetReport } from './FleetMetrics.js';
import type { FleetProfile } from './profile.js';

export type FaultDevice = 'meter' | 'relay' | 'pilot' | 'lock' | 'rfid' | 'tamper';

/** Fault kinds per device (what the simulated device can be made to do). */
export const FAULT_KINDS: Record<FaultDevice, readonly string[]> = {
  meter: ['timeout', 'invalid'],
  relay: ['stuck', 'welded'],
  pilot: ['E', 'F'],
  lock: ['jammed'],
  rfid: ['garbage'],
  /** The cabinet door of a charger with a tamper switch opens (cleared: shut). */
  tamper: ['open'],
};

export const STOP_REASONS = ['Local', 'Remote', 'EmergencyStop', 'EVDisconnected', 'HardReset', 'SoftReset', 'Reboot', 'PowerLoss', 'DeAuthorized', 'Other'] as const;
export type StopReasonName = (typeof STOP_REASONS)[number];

export type FleetCommand =
  | { type: 'list'; prefix?: string; offset: number; limit: number }
  | { type: 'get'; id: string }
  /** Adds `count` chargers after the highest id so far, with this profile's sessions, or none (`sessions: false`). */
  | { type: 'add'; count: number; sessions?: boolean; profile?: FleetProfile }
  /** Internal (FleetThreads → worker): launch exactly these fleet positions. */
  | { type: 'grow'; positions: number[]; sessions?: boolean; profile?: FleetProfile }
  | { type: 'remove'; id: string }
  | { type: 'plug' | 'unplug'; id: string; connector: number }
  | { type: 'tap'; id: string; uid: string }
  | { type: 'fault'; id: string; device: FaultDevice; kind: string; connector: number }
  | { type: 'clearFaults'; id: string; device?: FaultDevice; connector?: number }
  | { type: 'connection'; id: string; action: 'open' | 'close' }
  /** `idTokenType`: the identifier's kind (agent/auth/idToken.ts), default Local. */
  | { type: 'startTransaction'; id: string; connector: number; idTag: string; idTokenType?: IdTokenKind }
  | { type: 'stopTransaction'; id: string; connector: number; reason: StopReasonName }
  | { type: 'getRamp' }
  | { type: 'setRamp'; perSecond: number }
  /** Internal (event filters): 200 when every id is a charger of this fleet, started or still to start; else 404 naming the first that is not. */
  | { type: 'exists'; ids: string[] };

/** HTTP-shaped on purpose: the status is what the control API answers. */
export interface CommandResult {
  status: 200 | 201 | 202 | 404 | 409 | 422 | 503 | 504;
  body: unknown;
}

export const ok = (body: unknown, status: 200 | 201 | 202 = 200): CommandResult => ({ status, body });
export const fail = (status: 404 | 409 | 422 | 503 | 504, error: string): CommandResult => ({ status, body: { error } });

export interface ConnectorView {
  connectorId: number;
  status: string;
  errorCode: string;
  plugged: boolean;
  /** OCPP transactionId of the running transaction once the CSMS gave one. */
  transactionId?: number;
  hasTransaction: boolean;
  faults: string[];
}

export interface ChargerView {
  id: string;
  /** OcppLink state: connecting, booting, pending, rejected, accepted, stopped. */
  connection: string;
  /** BootNotification Accepted on the current connection. */
  accepted: boolean;
  /** The OCPP version it speaks (1.6 or 2.0.1). */
  ocppVersion: string;
  /** Closed through the control API (stays offline until opened). */
  closedByControl: boolean;
  /** Automatic sessions (the fleet's behaviour) run on this charger. */
  sessions: boolean;
  connectors: ConnectorView[];
  /** Active faults of charger-wide devices (the card reader). */
  faults: string[];
}

export const EVENT_TYPES = ['status', 'connection', 'traffic', 'transaction'] as const;
export type FleetEventType = (typeof EVENT_TYPES)[number];

export interface FleetEvent {
  type: FleetEventType;
  charger: string;
  /** Wall-clock time, ISO 8601. */
  at: string;
  data: Record<string, unknown>;
}

/** Which events a subscriber wants: chargers by exact id (none = all), types (none = all). */
export interface EventFilter {
  chargers?: string[];
  types?: FleetEventType[];
}

export function matches(filter: EventFilter, event: FleetEvent): boolean {
  return (!filter.types || filter.types.includes(event.type)) && (!filter.chargers || filter.chargers.includes(event.charger));
}

export interface FleetControlTarget {
  execute(command: FleetCommand): Promise<CommandResult>;
  /** Starts delivering matching events; resolves (once the events flow) with the unsubscribe function. */
  watch(filter: EventFilter, listener: (event: FleetEvent) => void): Promise<() => void>;
  report(): FleetReport;
}
