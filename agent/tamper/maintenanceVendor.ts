/**
 * MaintenanceMode over DataTransfer, for a CSMS that cannot send ChangeConfiguration for a vendor
 * key (many only offer the keys they know): vendorId {@link MAINTENANCE_VENDOR_ID}, messageId
 * {@link MAINTENANCE_MESSAGE_ID}, data `"true"` / `"false"` sets it (the same as
 * ChangeConfiguration MaintenanceMode: stored with the OCPP configuration, so it survives a
 * restart, and followed by the TamperGuard at once); no data reads it (answer data `"true"` /
 * `"false"`). Anything else is Rejected.
 */
import type { Logger } from 'pino';
import type { DataTransferRequest, DataTransferResponse } from '../ocpp16/messages.js';
import type { OcppConfiguration } from '../store/OcppConfiguration.js';

/** The Agent's DataTransferVendors, as far as this needs it (agent/tamper does not import agent/). */
interface VendorRegistry {
  register(vendorId: string, handler: (request: DataTransferRequest) => Promise<DataTransferResponse>, messageId?: string): () => void;
}

export const MAINTENANCE_VENDOR_ID = 'org.evse-agent.maintenance';
export const MAINTENANCE_MESSAGE_ID = 'MaintenanceMode';

/** Registers the message on `vendors`; returns the function that removes it. */
export function registerMaintenanceMode(vendors: VendorRegistry, config: OcppConfiguration, log: Logger): () => void {
  return vendors.register(
    MAINTENANCE_VENDOR_ID,
    async (req) => {
      const data = req.data?.trim();
      if (data === undefined || data === '') return { status: 'Accepted', data: String(config.getBool('MaintenanceMode')) };
      if (data !== 'true' && data !== 'false') {
        log.info({ data }, 'DataTransfer MaintenanceMode refused: data must be "true" or "false"');
        return { status: 'Rejected' };
      }
      const status = await config.change('MaintenanceMode', data);
      log.info({ maintenance: data, status }, 'MaintenanceMode set by the CSMS (DataTransfer)');
      return { status: status === 'Accepted' ? 'Accepted' : 'Rejected', data: String(config.getBool('MaintenanceMode')) };
    },
    MAINTENANCE_MESSAGE_ID,
  );
}
