/**
 * FleetSites against a whole Agent on simulated hardware in virtual time, the embedded strict CSMS
 * over a real socket sending the profiles: each SetChargingProfile is classified (obeyed, unchanged,
 * refused), obeyed ones are timed to the pilot's new offer, and the site's power is sampled once a
 * virtual second.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SetChargingProfileRequest } from '../../agent/ocpp16/messages.js';
import { CP, agentFixture, cleanupAgents, startSession } from '../../test/support/agentFixture.js';
import { FleetSites } from './FleetSites.js';
import { resolveSites } from './sites.js';

afterEach(cleanupAgents);

type Profile = SetChargingProfileRequest['csChargingProfiles'];
const profile = (id: number, purpose: Profile['chargingProfilePurpose'], limit: number, extra: Partial<Profile> = {}): Profile => ({
  chargingProfileId: id,
  stackLevel: 0,
  chargingProfilePurpose: purpose,
  chargingProfileKind: 'Relative',
  chargingSchedule: { chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit }] },
  ...extra,
});

describe('FleetSites', () => {
  it('times profiles that move the offer, counts the others, samples the site power', async () => {
    const f = await agentFixture();
    const sites = new FleetSites(resolveSites([{ name: 'depot', chargers: 1, limitA: 16 }], 1), f.clock);
    sites.adopt(0, f.agent, f.sim);
    sites.start();
    const set = (connectorId: number, p: Profile) => f.csms.call(CP, 'SetChargingProfile', { connectorId, csChargingProfiles: p });

    // No session: the limit changes, the offer (none) does not.
    expect(await set(0, profile(1, 'TxDefaultProfile', 10))).toEqual({ status: 'Accepted' });
    expect(sites.report().obey).toMatchObject({ received: 1, obeyed: 0, unchanged: 1 });

    await startSession(f);
    expect(f.sim.connectors[0]!.pilot.currentOfferA).toBe(10);
    const transactionId = f.agent.transactions.transactionIdOn(1)!;
    // 6 A for the transaction: the offer follows.
    expect(await set(1, profile(2, 'TxProfile', 6, { transactionId }))).toEqual({ status: 'Accepted' });
    expect(f.sim.connectors[0]!.pilot.currentOfferA).toBe(6);
    // The same again: nothing to follow. For another transaction: refused.
    expect(await set(1, profile(2, 'TxProfile', 6.5, { transactionId }))).toEqual({ status: 'Accepted' });
    expect(await set(1, profile(3, 'TxProfile', 8, { transactionId: transactionId + 1 }))).toEqual({ status: 'Rejected' });
    const { obey } = sites.report();
    expect(obey).toMatchObject({ received: 4, obeyed: 1, unchanged: 2, refused: 1, superseded: 0 });
    expect(obey.ms.count).toBe(1);
    // Virtual time does not move while the call is handled.
    expect(obey.ms.max).toBe(0);

    await f.advance(3000);
    const site = sites.report().sites[0]!;
    expect(site).toMatchObject({ name: 'depot', chargers: 1, limitW: 16 * 230 * 3, samplesOverLimit: 0 });
    expect(site.samples).toBeGreaterThanOrEqual(3);
    // 10 A on three phases at 230 V during the session's start, 6 A since the TxProfile.
    expect(site.maxW).toBeCloseTo(10 * 230 * 3, -1);
    expect(site.power.maxW.at(-1)).toBeCloseTo(6 * 230 * 3, -1);
    expect(site.power.maxW.filter((w) => w !== null).length).toBe(site.samples);
    sites.stop();
  });
});
