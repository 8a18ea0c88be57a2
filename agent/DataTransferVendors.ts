/**
 * Vendor extensions a CSMS can reach with DataTransfer (OCPP 1.6 §5.5 / §4.3): handlers registered
 * by vendorId, for one messageId or for all of that vendor's messages. An unknown vendorId is
 * answered UnknownVendorId; a known vendor without a handler for the messageId, UnknownMessageId;
 * a handler that fails, Rejected (logged). Vendor ids are compared exactly (OCPP: case-sensitive).
 *
 * Cheap per charger: nothing is allocated until the first registration.
 */
import type { Logger } from 'pino';
import type { DataTransferRequest, DataTransferResponse } from './ocpp16/messages.js';

/** Answers one DataTransfer.req of its vendor (and messageId, if registered for one). */
export type VendorHandler = (request: DataTransferRequest) => DataTransferResponse | Promise<DataTransferResponse>;

interface Vendor {
  /** Handlers by messageId. */
  messages?: Map<string, VendorHandler>;
  /** Handler for any messageId not in `messages` (also for requests without one). */
  any?: VendorHandler;
}

export class DataTransferVendors {
  private vendors: Map<string, Vendor> | undefined;

  /**
   * Registers `handler` for `vendorId` (and only `messageId`, when given). Returns the function
   * that removes it again.
   * @throws Error when that vendorId/messageId already has a handler (two owners of one message is a wiring bug).
   */
  register(vendorId: string, handler: VendorHandler, messageId?: string): () => void {
    if (vendorId.length === 0 || vendorId.length > 255) throw new RangeError(`DataTransfer vendorId must be 1..255 characters (got ${vendorId.length})`);
    const vendors = (this.vendors ??= new Map());
    const vendor = vendors.get(vendorId) ?? {};
    vendors.set(vendorId, vendor);
    const taken = messageId === undefined ? vendor.any !== undefined : vendor.messages?.has(messageId) === true;
    if (taken) throw new Error(`DataTransfer ${vendorId}${messageId === undefined ? '' : `/${messageId}`} already has a handler`);
    if (messageId === undefined) vendor.any = handler;
    else (vendor.messages ??= new Map()).set(messageId, handler);
    return () => {
      if (messageId === undefined) {
        if (vendor.any === handler) delete vendor.any;
      } else if (vendor.messages?.get(messageId) === handler) vendor.messages.delete(messageId);
      if (!vendor.any && !vendor.messages?.size) vendors.delete(vendorId);
    };
  }

  /** The answer to a DataTransfer.req from the CSMS. Never rejects. */
  async answer(request: DataTransferRequest, log: Logger): Promise<DataTransferResponse> {
    const vendor = this.vendors?.get(request.vendorId);
    if (!vendor) {
      log.info({ vendorId: request.vendorId, messageId: request.messageId }, 'DataTransfer for an unknown vendor');
      return { status: 'UnknownVendorId' };
    }
    const handler = (request.messageId !== undefined ? vendor.messages?.get(request.messageId) : undefined) ?? vendor.any;
    if (!handler) {
      log.info({ vendorId: request.vendorId, messageId: request.messageId }, 'DataTransfer with an unknown messageId');
      return { status: 'UnknownMessageId' };
    }
    try {
      const { status, data } = await handler(request);
      return data === undefined ? { status } : { status, data };
    } catch (err) {
      log.warn({ err, vendorId: request.vendorId, messageId: request.messageId }, 'DataTransfer handler failed');
      return { status: 'Rejected' };
    }
  }
}
