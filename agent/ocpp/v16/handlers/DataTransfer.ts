import type { Handler } from './Handler.js';

/**
 * DataTransfer (OCPP 1.6 §5.5): vendor extensions belong to the charge point, which answers
 * UnknownVendorId / UnknownMessageId for what it does not know.
 */
export const dataTransfer: Handler<'DataTransfer'> = (control, request) => control.dataTransfer(request);
