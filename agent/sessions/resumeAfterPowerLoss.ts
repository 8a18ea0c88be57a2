/**
 * ResumeTransactionOnPowerLoss (vendor configuration key): after a crash or power cut, a
 * transaction the journal shows open may continue under the same transactionId instead of being
 * ended with reason PowerLoss — but only when the session could have gone on without the cut:
 * - the key is true;
 * - the connector is Preparing: the EV is still plugged in (pilot B/C), the connector is
 *   operative, has no fault, no reservation and nothing else pending;
 * - the idTag is still valid: the CSMS did not answer its StartTransaction with anything but
 *   Accepted, and the authorization rules say Accepted now (at start the charger is not online
 *   yet, so that is the local decision: Local Authorization List, cache, offline keys — an expired
 *   or blocked idTag is refused).
 * Then the connector machine takes the transaction over (RESUME_TRANSACTION): the contactor closes
 * again through its normal guard once the EV asks for power.
 */
import type { Logger } from 'pino';
import type { AuthorizationResult } from '../auth/Authorizer.js';
import type { IdTokenKind } from '../auth/idToken.js';
import type { ConnectorController } from '../charging/ConnectorController.js';
import type { OcppConfiguration } from '../store/OcppConfiguration.js';
import type { InterruptedTransaction } from '../transactions/TransactionSender.js';

export interface ResumeContext {
  config: OcppConfiguration;
  connector: ConnectorController | undefined;
  authorize: (idTag: string, type?: IdTokenKind) => Promise<AuthorizationResult>;
  /** The CSMS transactionId of the interrupted transaction, when its start was confirmed. */
  transactionId: number | undefined;
  log: Logger;
}

/** Decides, and hands the transaction to the connector machine; true when the machine took it. */
export async function resumeAfterPowerLoss(ctx: ResumeContext, tx: InterruptedTransaction & { idTag: string }): Promise<boolean> {
  if (!ctx.config.getBool('ResumeTransactionOnPowerLoss')) return false;
  const { connector } = ctx;
  const refuse = (why: string): false => {
    ctx.log.info({ connector: tx.connectorId, localId: tx.localId, why }, 'interrupted transaction not resumed: stopping it (PowerLoss)');
    return false;
  };
  const ready = (): string | undefined =>
    !connector ? 'no such connector' : connector.hasTransaction || connector.status !== 'Preparing' ? `connector is ${connector.status}, not Preparing with the EV plugged in` : undefined;
  const notReady = ready();
  if (notReady) return refuse(notReady);
  if (tx.idTagStatus !== undefined && tx.idTagStatus !== 'Accepted') return refuse(`the CSMS answered its StartTransaction ${tx.idTagStatus}`);
  const auth = await ctx.authorize(tx.idTag, tx.idTokenType);
  if (auth.status !== 'Accepted') return refuse(`idTag is ${auth.status} now (${auth.source})`);
  // The authorization took a moment: the EV may have gone, a card may have started something.
  const changed = ready();
  if (changed) return refuse(changed);
  connector!.send({
    type: 'RESUME_TRANSACTION',
    idTag: tx.idTag,
    ...(tx.idTokenType !== undefined && { idTokenType: tx.idTokenType }),
    ...(auth.parentIdTag !== undefined && { parentIdTag: auth.parentIdTag }),
    ...(auth.parentIdTagType !== undefined && { parentIdTagType: auth.parentIdTagType }),
    ...(ctx.transactionId !== undefined && { transactionId: ctx.transactionId }),
  });
  return connector!.hasTransaction || refuse('the connector machine did not take it');
}
