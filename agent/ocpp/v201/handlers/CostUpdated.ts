import { tellCostUpdated } from '../TariffCost201.js';
import type { Handler201 } from './Handler201.js';

/**
 * CostUpdated (OCPP 2.0.1 I02): the running cost of a transaction, shown to the driver by the
 * tariff and cost service (with the California Pricing customData, counted on between updates).
 * The message cannot be refused: one for a transaction not running here is only logged.
 */
export const costUpdated: Handler201<'CostUpdated'> = (station, request) => {
  const port = station.tariffCost;
  const shown = port !== undefined && tellCostUpdated(port, request, station.now());
  if (!shown) station.log.info({ transactionId: request.transactionId, totalCost: request.totalCost }, port ? 'CostUpdated for a transaction not running here' : 'CostUpdated without a cost display');
  return {};
};
