/**
 * What the charger does when its cabinet is opened or it is moved (a {@link TamperSensor}):
 * outside maintenance it ends every running session (reason Other), puts every connector Faulted
 * (TAMPER_DETECTED, so no new session starts), raises the security event TamperDetectionActivated,
 * switches the site output on (a light, a camera trigger) and tells the owner (`tamper` event:
 * MQTT). The fault is **latched**: a door shut again does not put the charger back in service —
 * the CSMS does, by setting the vendor key MaintenanceMode (ChangeConfiguration). While
 * MaintenanceMode is true, opening the cabinet (a service visit) is only logged and reported.
 */
import type { Logger } from 'pino';
import { HAL_ERRORS, type SignalOutput, type TamperSensor } from '../../hal/index.js';
import type { ConnectorEvent } from '../charging/connectorTypes.js';
import type { StopReason } from '../ocpp16/vocabulary.js';
import type { OcppConfiguration } from '../store/OcppConfiguration.js';
import type { SecurityEventSink } from '../security/securityEvents.js';

/** What the owner hears (MQTT `<base>/tamper`). */
export interface TamperState {
  /** The switch reports the cabinet open / the charger moved. */
  active: boolean;
  /** MaintenanceMode is set: opening is allowed. */
  maintenance: boolean;
  /** The charger is out of service after tampering, until the CSMS sets MaintenanceMode. */
  latched: boolean;
}

export interface TamperGuardOptions {
  sensor: TamperSensor;
  alarm?: SignalOutput | undefined;
  config: OcppConfiguration;
  security: SecurityEventSink;
  sessions: { stopAll(reason: StopReason): number };
  connectors: readonly { send(event: ConnectorEvent): void }[];
  log: Logger;
  onChange(state: TamperState): void;
}

const FAULT = { code: 'TAMPER_DETECTED', ocppErrorCode: HAL_ERRORS.TAMPER_DETECTED.ocpp, recoverable: true, info: 'tamper: cabinet opened' } as const;

export class TamperGuard {
  private latched = false;
  private attached = false;
  private readonly onTamper = (): void => this.evaluate();
  private readonly onConfig = (key: string): void => {
    if (key === 'MaintenanceMode') this.evaluate();
  };

  constructor(private readonly o: TamperGuardOptions) {}

  get state(): TamperState {
    return { active: this.o.sensor.active, maintenance: this.o.config.getBool('MaintenanceMode'), latched: this.latched };
  }

  /** Follows the switch and MaintenanceMode; a cabinet already open at start counts. */
  start(): void {
    if (this.attached) return;
    this.attached = true;
    this.o.sensor.on('tamper', this.onTamper);
    this.o.config.on('changed', this.onConfig);
    if (this.o.sensor.active) this.evaluate();
  }

  stop(): void {
    if (!this.attached) return;
    this.attached = false;
    this.o.sensor.off('tamper', this.onTamper);
    this.o.config.off('changed', this.onConfig);
  }

  private evaluate(): void {
    const { active, maintenance } = this.state;
    if (active && !maintenance && !this.latched) {
      this.latched = true;
      this.o.log.warn({ device: this.o.sensor.id }, 'tamper detected: sessions ended, connectors out of service until the CSMS sets MaintenanceMode');
      this.o.security.raise('TamperDetectionActivated', `${this.o.sensor.id}: cabinet opened or charger moved`);
      this.o.sessions.stopAll('Other');
      for (const c of this.o.connectors) c.send({ type: 'FAULT', fault: { ...FAULT } });
      this.signal(true);
    } else if (this.latched && maintenance) {
      this.latched = false;
      this.o.log.info('tamper fault acknowledged by MaintenanceMode: connectors back in service');
      for (const c of this.o.connectors) c.send({ type: 'FAULT_CLEARED', code: 'TAMPER_DETECTED' });
      this.signal(false);
    } else if (maintenance) {
      this.o.log.info({ active }, active ? 'cabinet opened in maintenance mode' : 'cabinet shut in maintenance mode');
    }
    this.o.onChange(this.state);
  }

  private signal(on: boolean): void {
    this.o.alarm?.set(on).catch((err: unknown) => this.o.log.error({ err }, 'the tamper alarm output could not be switched'));
  }
}
