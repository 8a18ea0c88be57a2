/**
 * Short form of the crash campaign (test/crash/campaign.ts): a dozen sessions with SIGKILLs and
 * dropped connections, over OCPP 1.6 and (fewer) 2.0.1; the long form is `npm run test:crash`
 * (≥ 200 sessions; CRASH_OCPP=2.0.1 for 2.0.1).
 */
import { describe, expect, it } from 'vitest';
import { runCampaign } from './crash/campaign.js';

describe('crash campaign (short form)', () => {
  it('keeps every session exactly once, in order, stopped, through SIGKILLs and dropped connections', async () => {
    const sessions = Number(process.env.CRASH_SESSIONS ?? 12);
    const seed = Number(process.env.CRASH_SEED ?? 20261125);
    console.log(`crash campaign: ${sessions} sessions, seed ${seed}`);
    const result = await runCampaign({ sessions, seed, log: (l) => console.log(l) });
    console.log(JSON.stringify({ ...result, failures: result.failures.length }));
    expect(result.failures).toEqual([]);
    expect(result.kills).toBeGreaterThan(0);
    expect(result.transactions).toBe(sessions);
  }, 90_000);

  it('OCPP 2.0.1: the same, and each transaction\'s TransactionEvent seqNos 0..n without a gap, a number twice only as the same event resent', async () => {
    const sessions = Number(process.env.CRASH_SESSIONS_201 ?? 6);
    const seed = Number(process.env.CRASH_SEED ?? 20261207);
    console.log(`crash campaign over OCPP 2.0.1: ${sessions} sessions, seed ${seed}`);
    const result = await runCampaign({ sessions, seed, ocppVersion: '2.0.1', log: (l) => console.log(l) });
    console.log(JSON.stringify({ ...result, failures: result.failures.length }));
    expect(result.failures).toEqual([]);
    expect(result.kills).toBeGreaterThan(0);
    expect(result.transactions).toBe(sessions);
  }, 90_000);
});
