/**
 * The MQTT topic tree of one charger and the JSON payloads published on it (documented in
 * docs/mqtt.md). Everything lives under `<prefix>/<chargePointId>/`; connector 0 (the charge
 * point as a whole) uses the charger-level topics.
 */

/** `<base>/online`, retained. The Last Will publishes `{ online: false, reason: 'connection lost' }`. */
export interface OnlinePayload {
  online: boolean;
  reason?: 'connection lost' | 'shutdown';
  ts?: string;
}

/** `<base>/info`, retained: who is publishing. */
export interface InfoPayload {
  chargePointId: string;
  /** Agent (firmware) version. */
  version: string;
  vendor: string;
  model: string;
  connectors: number[];
  ts: string;
}

/** `<base>/ocpp`, retained: the OCPP link state (accepted = registered with the CSMS). */
export interface OcppPayload {
  state: string;
  connected: boolean;
  ts: string;
}

/** `<base>/status` (connector 0) and `<base>/connector/<n>/status`, retained. */
export interface StatusPayload {
  connectorId: number;
  /** OCPP 1.6 ChargePointStatus. */
  status: string;
  /** OCPP 1.6 ChargePointErrorCode (`NoError` when healthy). */
  errorCode: string;
  info?: string;
  /** HAL fault codes active on the connector's devices right now. */
  faults: string[];
  ts: string;
}

/** `<base>/connector/<n>/pilot`, retained: IEC 61851 control pilot; on a change of the state or the offer. */
export interface PilotPayload {
  /** A no vehicle, B connected, C/D charging requested, E/F error. */
  state: string;
  /** Current offered to the vehicle by PWM, A (0 = PWM off). */
  currentOfferA: number;
  ts: string;
}

/**
 * `<base>/connector/<n>/limit`, retained, only with MQTT commands on: the connector's
 * `set_current_limit` limit (the Home Assistant number's state); at start and on every change.
 */
export interface LimitPayload {
  /** The limit in force, A; `maxCurrentA` when there is none. */
  currentLimitA: number;
  /** The hardware maximum, A. */
  maxCurrentA: number;
  ts: string;
}

/**
 * `<base>/connector/<n>/charging_limit`, retained: the limit the connector's arbiter gives the
 * pilot (agent/chargingLimits/) and which source binds; at start and on every change.
 */
export interface ChargingLimitPayload {
  /** A per phase, whole amps; below 6 nothing is offered (SuspendedEVSE). */
  limitA: number;
  /** `chargingProfile`, `localLimit`, `cable` or `hardware`. */
  source: string;
  /** What each source allows now, A (a source that does not limit is absent). */
  sources: Record<string, number>;
  /** The charging profile that binds, when one does. */
  profileId?: number;
  ts: string;
}

/** `<base>/connector/<n>/meter`, retained, QoS 0: on change and on every interval (./MeterTelemetry.ts); rounded (./meterPayload.ts). */
export interface MeterPayload {
  /** 0.1 Wh. */
  energyWh: number;
  /** 1 W. */
  powerW: number;
  /** 0.01 A. */
  currentA: number[];
  /** 0.1 V. */
  voltageV: number[];
  /** 0.01 Hz. */
  frequencyHz: number;
  /** 0.1 °C: the EVSE's temperature sensor's last reading; absent without a sensor or while it has no value. */
  temperatureC?: number;
  /** Time of the reading (not of the publish). */
  ts: string;
}

/**
 * `<base>/transaction`, event (QoS 1, not retained). `started` / `stopped` when it happens on the
 * charger (journaled), CSMS reachable or not; `confirmed` when the CSMS answered the
 * StartTransaction with its transactionId — at once when online, after the reconnect for a start
 * made offline (then possibly after `stopped`); `authorized` when a driver is authorized for a
 * session begun without one (at the plug-in). `sessionId` (the charger's own id of the
 * transaction) ties them together; `transactionId` is null while the CSMS has not assigned it.
 * idTags: `idTagHash` / `stopIdTagHash` (SHA-256 hex of salt + idTag), or `idTag` / `stopIdTag`
 * only when configured to publish them raw.
 */
export type TransactionPayload =
  | {
      event: 'started';
      sessionId: string;
      connectorId: number;
      transactionId: number | null;
      idTagHash?: string;
      idTag?: string;
      meterStartWh: number;
      reservationId?: number;
      /** Present after a restart when a transaction interrupted by a power loss goes on (same sessionId). */
      resumed?: true;
      ts: string;
    }
  | {
      event: 'stopped';
      sessionId: string;
      connectorId: number;
      transactionId: number | null;
      /** The idTag that started the session (absent for one ended after a power loss). */
      idTagHash?: string;
      idTag?: string;
      /** The idTag that stopped it, when a card or command did. */
      stopIdTagHash?: string;
      stopIdTag?: string;
      meterStartWh?: number;
      meterStopWh: number;
      /** meterStop − meterStart (absent only when meterStart is unknown after a power loss). */
      energyWh?: number;
      /** OCPP 1.6 Reason. */
      reason: string;
      ts: string;
    }
  | {
      event: 'confirmed';
      sessionId: string;
      connectorId: number;
      transactionId: number;
      /** CSMS verdict on the idTag (Accepted, Invalid, …). */
      idTagStatus: string;
      /** When the answer arrived. */
      ts: string;
    }
  | {
      /** A driver is authorized for a session begun without one (at the plug-in, OCPP 2.0.1 TxStartPoint EVConnected; its `started` has no idTag). */
      event: 'authorized';
      sessionId: string;
      connectorId: number;
      transactionId: number | null;
      idTagHash?: string;
      idTag?: string;
      ts: string;
    };

/** `<base>/fault` (card readers) and `<base>/connector/<n>/fault`, event (QoS 1). */
export interface FaultPayload {
  event: 'raised' | 'cleared';
  /** HAL error code, e.g. RELAY_WELDED, METER_TIMEOUT. */
  code: string;
  /** Device that reported it, e.g. `relay:1` (raised only). */
  device?: string;
  recoverable: boolean;
  /** OCPP ChargePointErrorCode the fault maps to. */
  ocppErrorCode: string;
  message?: string;
  ts: string;
}

/** `<base>/telemetry`, retained, QoS 0: the publisher's own counters, on every interval. */
export interface TelemetryStatsPayload {
  published: number;
  queued: number;
  /** Messages dropped (oldest first) because the offline buffer was full, since start. */
  dropped: number;
  ts: string;
}

/** `<base>/cmd/<name>/result` (or the MQTT 5 response topic), QoS 1, not retained. */
export interface CommandReplyPayload {
  ok: boolean;
  /** Why the command was refused or failed (nothing was changed when the payload was invalid). */
  error?: string;
  /** The request's `correlation`, echoed. */
  correlation?: string | number;
  /** start_session: the connector the session was handed to. */
  connector?: number;
  /** set_availability: a connector goes inoperative only after its running transaction. */
  scheduled?: boolean;
  /** set_current_limit: `false` when the limit applies now but could not be saved (lost on restart). */
  persisted?: false;
}

/**
 * `<base>/tamper`, retained, on chargers with a cabinet switch: at start and on every change of the
 * switch or of MaintenanceMode. `latched`: out of service after tampering until the CSMS sets MaintenanceMode.
 */
export interface TamperPayload {
  active: boolean;
  maintenance: boolean;
  latched: boolean;
  ts: string;
}

/** Topic names of one charger. */
export class TelemetryTopics {
  readonly base: string;

  constructor(prefix: string, chargePointId: string) {
    const p = prefix.replace(/\/+$/, '');
    if (p === '' || /[+#\0]/.test(p)) throw new RangeError(`MQTT prefix must be non-empty without + # (got ${JSON.stringify(prefix)})`);
    if (chargePointId === '' || /[/+#\0]/.test(chargePointId)) throw new RangeError(`charge point id ${JSON.stringify(chargePointId)} cannot be an MQTT topic level`);
    this.base = `${p}/${chargePointId}`;
  }

  get online(): string {
    return `${this.base}/online`;
  }
  get info(): string {
    return `${this.base}/info`;
  }
  get ocpp(): string {
    return `${this.base}/ocpp`;
  }
  get stats(): string {
    return `${this.base}/telemetry`;
  }
  /** Charger level for connector 0, else under `connector/<n>/`. */
  status(connectorId: number): string {
    return connectorId === 0 ? `${this.base}/status` : `${this.connector(connectorId)}/status`;
  }
  pilot(connectorId: number): string {
    return `${this.connector(connectorId)}/pilot`;
  }
  meter(connectorId: number): string {
    return `${this.connector(connectorId)}/meter`;
  }
  /** The current limit set by `set_current_limit` (only with commands on). */
  limit(connectorId: number): string {
    return `${this.connector(connectorId)}/limit`;
  }
  /** The arbitrated limit and its binding source. */
  chargingLimit(connectorId: number): string {
    return `${this.connector(connectorId)}/charging_limit`;
  }
  get transaction(): string {
    return `${this.base}/transaction`;
  }
  get tamper(): string {
    return `${this.base}/tamper`;
  }
  /** Charger-level faults (card readers) for connector 0. */
  fault(connectorId: number): string {
    return connectorId === 0 ? `${this.base}/fault` : `${this.connector(connectorId)}/fault`;
  }
  /** Subscription filter for commands: `<base>/cmd/+` (does not match the `…/result` replies). */
  get commands(): string {
    return `${this.base}/cmd/+`;
  }
  /** Default reply topic of a command topic (`<base>/cmd/<name>/result`). */
  commandResult(commandTopic: string): string {
    return `${commandTopic}/result`;
  }
  private connector(connectorId: number): string {
    return `${this.base}/connector/${connectorId}`;
  }
}
