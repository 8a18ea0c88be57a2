/**
 * Remote maintenance of one charger: firmware updates (agent/firmware) and log uploads
 * (agent/diagnostics), each a version-neutral service, with their statuses reported in the order
 * they happened (MaintenanceNotifications), in 1.6 words that a 2.0.1 charger's caller translates. The Agent makes one only
 * when the charger has an installer or keeps logs; a fleet charger without either pays nothing.
 */
import type { Logger } from 'pino';
import type { Clock } from '../hal/clock.js';
import { DiagnosticsService } from './diagnostics/DiagnosticsService.js';
import type { LogKind, LogSource } from './diagnostics/diagnosticsTypes.js';
import type { FirmwareInstaller } from './firmware/FirmwareInstaller.js';
import { FirmwareService, type FirmwareChargerPort } from './firmware/FirmwareService.js';
import type { FirmwareStore } from './firmware/FirmwareStore.js';
import type { ManufacturerRoots } from './firmware/ManufacturerRoots.js';
import type { OcppCaller } from './ocpp/OcppCaller.js';
import type { OcppLink } from './ocpp/OcppLink.js';
import { firmwareStatusMessage } from './ocpp/v16/firmwareStatusMessage.js';
import { MaintenanceNotifications } from './ocpp/v16/MaintenanceNotifications.js';
import { uploadStatusMessage } from './ocpp/v16/uploadStatusMessage.js';
import type { SecurityEventSink } from './security/securityEvents.js';

export interface FirmwareOptions {
  installer: FirmwareInstaller;
  store: FirmwareStore;
  manufacturerRoots: ManufacturerRoots;
  /** Give up a transfer after this long without data (real time, ms). */
  stallTimeoutMs?: number;
}

export interface DiagnosticsOptions {
  /** The logs this charger keeps (a kind without a source: GetLog Rejected). */
  sources: Partial<Record<LogKind, LogSource>>;
}

export interface RemoteMaintenanceOptions {
  chargePointId: string;
  firmware?: FirmwareOptions | undefined;
  diagnostics?: DiagnosticsOptions | undefined;
  /** Default: logged only (the security service plugs its sink in). */
  securityEvents?: SecurityEventSink | undefined;
  /** The version BootNotification reports. */
  runningVersion: string | undefined;
  link: OcppLink;
  /**
   * What the notifications are said through: the caller the shared services use (an OCPP 2.0.1
   * charger's translates them, v201/Ocpp201Outbound.ts); default the link (1.6).
   */
  calls?: OcppCaller;
  /** What a firmware update needs of the charger (made only when there is an installer). */
  charger: () => FirmwareChargerPort;
  clock: Clock;
  log: Logger;
}

export class RemoteMaintenance {
  readonly firmware: FirmwareService | undefined;
  readonly diagnostics: DiagnosticsService | undefined;
  private readonly notifications: MaintenanceNotifications;

  constructor(o: RemoteMaintenanceOptions) {
    const { clock, log } = o;
    this.notifications = new MaintenanceNotifications(o.link, log, o.calls);
    if (o.firmware) {
      const security = o.securityEvents ?? { raise: (type: string, techInfo?: string) => log.warn({ securityEvent: type, techInfo }, 'security event') };
      this.firmware = new FirmwareService({
        store: o.firmware.store,
        installer: o.firmware.installer,
        roots: o.firmware.manufacturerRoots,
        security,
        runningVersion: o.runningVersion,
        charger: o.charger(),
        clock,
        log,
        ...(o.firmware.stallTimeoutMs !== undefined && { stallTimeoutMs: o.firmware.stallTimeoutMs }),
      });
      this.firmware.on('status', (event) => {
        const message = firmwareStatusMessage(event);
        if (message) this.notifications.send(message.action, message.payload);
      });
    }
    if (o.diagnostics) {
      this.diagnostics = new DiagnosticsService({ chargePointId: o.chargePointId, sources: o.diagnostics.sources, clock, log });
      this.diagnostics.on('status', (event) => {
        const message = uploadStatusMessage(event);
        this.notifications.send(message.action, message.payload);
      });
    }
  }

  /** Picks up a persisted firmware update (the outcome of the reboot it caused, or the work left). */
  start(log: Logger): void {
    this.firmware?.start().catch((err: unknown) => log.error({ err }, 'firmware update state could not be resumed'));
  }

  /** Resolves once no transfer or installer of an update or upload is under way (waits on the clock do not count). */
  async settled(): Promise<void> {
    await this.firmware?.settled();
    await this.diagnostics?.settled();
  }

  /** Stops the work under way (before the agent ends its transactions: that must not trigger a reboot). */
  async stop(): Promise<void> {
    await this.firmware?.stop();
    await this.diagnostics?.stop();
  }

  /** Drops the notifications not yet delivered (after the link stopped; the persisted job reports again). */
  dispose(): void {
    this.notifications.dispose();
  }
}
