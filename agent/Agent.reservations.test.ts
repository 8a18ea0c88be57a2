/**
 * Reservations end to end: ReserveNow / CancelReservation from the embedded strict CSMS over a real
 * socket on 127.0.0.1, an in-process Agent on virtual time with simulated hardware
 * (test/support/agentFixture.ts). Connector 0 reserves any connector: the last free one is held.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { CardEvent } from '../hal/index.js';
import type { Refusal } from './sessions/SessionService.js';
import { CP, agentFixture, cleanupAgents, type AgentFixture } from '../test/support/agentFixture.js';

afterEach(cleanupAgents);

const CARD = '04A1B2C3D4E5F6';
const OTHER = '04FFEEDDCCBBAA';
const THIRD = '0411223344';
const HOUR = 3_600_000;

async function twoConnectors(): Promise<AgentFixture & { refusals: { idTag: string; refusal: Refusal }[] }> {
  const f = await agentFixture({ charger: { connectors: 2 } });
  const refusals: { idTag: string; refusal: Refusal }[] = [];
  f.agent.on('cardRefused', (card: CardEvent, refusal) => refusals.push({ idTag: card.uid, refusal }));
  return Object.assign(f, { refusals });
}

const reserve = (f: AgentFixture, connectorId: number, reservationId: number, extra: { idTag?: string; parentIdTag?: string; inMs?: number } = {}) =>
  f.csms.call(CP, 'ReserveNow', {
    connectorId,
    reservationId,
    idTag: extra.idTag ?? CARD,
    expiryDate: new Date(f.clock.now() + (extra.inMs ?? HOUR)).toISOString(),
    ...(extra.parentIdTag !== undefined && { parentIdTag: extra.parentIdTag }),
  });

const statuses = (f: AgentFixture) => f.agent.connectors.map((c) => c.status);

describe('a reservation of connector 0 (any connector)', () => {
  it('holds the last free connector: a walk-up driver takes one, the next is refused at once, the reserving card starts on the held one', async () => {
    const f = await twoConnectors();
    expect(await reserve(f, 0, 7)).toEqual({ status: 'Accepted' });
    await f.advance(1000);
    // Two free connectors: nothing needs holding yet.
    expect(statuses(f)).toEqual(['Available', 'Available']);

    f.sim.connectors[0]!.ev.plugIn();
    f.sim.rfid.tap(OTHER);
    await f.advance(2000);
    expect(f.sent('StartTransaction')).toEqual([expect.objectContaining({ connectorId: 1, idTag: OTHER })]);
    expect(f.sent('StartTransaction')[0]).not.toHaveProperty('reservationId');
    expect(statuses(f)).toEqual(['Charging', 'Reserved']);

    // Someone else at the last connector: refused without an Authorize round trip, with the reason.
    const authorizesBefore = f.sent('Authorize').length;
    f.sim.rfid.tap(THIRD);
    await f.advance(1000);
    expect(f.sent('Authorize')).toHaveLength(authorizesBefore);
    expect(f.refusals).toEqual([{ idTag: THIRD, refusal: { reason: 'reserved', message: 'connector 2 is reserved for another driver' } }]);
    expect(statuses(f)).toEqual(['Charging', 'Reserved']);

    f.sim.connectors[1]!.ev.plugIn();
    f.sim.rfid.tap(CARD);
    await f.advance(2000);
    expect(f.sent('StartTransaction')[1]).toMatchObject({ connectorId: 2, idTag: CARD, reservationId: 7 });
    // Used: gone.
    expect(await f.csms.call(CP, 'CancelReservation', { reservationId: 7 })).toEqual({ status: 'Rejected' });
  });

  it('the reserving driver may start on any free connector: the start carries the reservation, which ends', async () => {
    const f = await twoConnectors();
    expect(await reserve(f, 0, 8)).toEqual({ status: 'Accepted' });
    f.sim.connectors[1]!.ev.plugIn();
    f.sim.rfid.tap(CARD);
    await f.advance(2000);
    expect(f.sent('StartTransaction')).toEqual([expect.objectContaining({ connectorId: 2, idTag: CARD, reservationId: 8 })]);
    // Nothing is held any more: a walk-up driver gets connector 1.
    expect(statuses(f)[0]).toBe('Available');
    expect(await f.csms.call(CP, 'CancelReservation', { reservationId: 8 })).toEqual({ status: 'Rejected' });
  });

  it('lets the held connector go when another becomes free, and holds again when only one is left', async () => {
    const f = await twoConnectors();
    f.sim.connectors[0]!.ev.plugIn();
    f.sim.rfid.tap(OTHER);
    await f.advance(2000);
    expect(await reserve(f, 0, 9)).toEqual({ status: 'Accepted' });
    await f.advance(1000);
    expect(statuses(f)).toEqual(['Charging', 'Reserved']);

    f.sim.rfid.tap(OTHER); // ends the walk-up session
    await f.advance(1000);
    f.sim.connectors[0]!.ev.unplug();
    await f.advance(1000);
    expect(statuses(f)).toEqual(['Available', 'Available']);

    f.sim.connectors[1]!.ev.plugIn();
    f.sim.rfid.tap(THIRD);
    await f.advance(2000);
    expect(f.sent('StartTransaction').at(-1)).toMatchObject({ connectorId: 2, idTag: THIRD });
    expect(statuses(f)).toEqual(['Reserved', 'Charging']);
  });

  it('a card of the reservation group (parentIdTag, answered by the CSMS) uses it', async () => {
    const f = await twoConnectors();
    f.csms.setAuthorization({ [THIRD]: { status: 'Accepted', parentIdTag: 'FLEET-7' }, [OTHER]: { status: 'Accepted' } });
    f.sim.connectors[0]!.ev.plugIn();
    f.sim.rfid.tap(OTHER);
    await f.advance(2000);
    expect(await reserve(f, 0, 10, { parentIdTag: 'FLEET-7' })).toEqual({ status: 'Accepted' });
    await f.advance(1000);
    f.sim.connectors[1]!.ev.plugIn();
    f.sim.rfid.tap(THIRD);
    await f.advance(2000);
    expect(f.sent('StartTransaction').at(-1)).toMatchObject({ connectorId: 2, idTag: THIRD, reservationId: 10 });
  });

  it('expires: the held connector is free again and the reservation cannot be cancelled any more', async () => {
    const f = await twoConnectors();
    f.sim.connectors[0]!.ev.plugIn();
    f.sim.rfid.tap(OTHER);
    await f.advance(2000);
    expect(await reserve(f, 0, 11, { inMs: 60_000 })).toEqual({ status: 'Accepted' });
    await f.advance(1000);
    expect(statuses(f)).toEqual(['Charging', 'Reserved']);
    await f.advance(60_000);
    expect(statuses(f)).toEqual(['Charging', 'Available']);
    expect(await f.csms.call(CP, 'CancelReservation', { reservationId: 11 })).toEqual({ status: 'Rejected' });
  });

  it('CancelReservation lets the held connector go', async () => {
    const f = await twoConnectors();
    f.sim.connectors[0]!.ev.plugIn();
    f.sim.rfid.tap(OTHER);
    await f.advance(2000);
    expect(await reserve(f, 0, 12)).toEqual({ status: 'Accepted' });
    await f.advance(1000);
    expect(await f.csms.call(CP, 'CancelReservation', { reservationId: 12 })).toEqual({ status: 'Accepted' });
    await f.advance(1000);
    expect(statuses(f)).toEqual(['Charging', 'Available']);
  });

  it('is Occupied when no connector is free or another reservation of connector 0 holds the charger; a new expiry for the same id replaces it', async () => {
    const f = await twoConnectors();
    expect(await reserve(f, 0, 13)).toEqual({ status: 'Accepted' });
    expect(await reserve(f, 0, 14, { idTag: OTHER })).toEqual({ status: 'Occupied' });
    expect(await reserve(f, 0, 13, { inMs: 2 * HOUR })).toEqual({ status: 'Accepted' });
    expect(await f.csms.call(CP, 'CancelReservation', { reservationId: 13 })).toEqual({ status: 'Accepted' });
    for (const c of f.sim.connectors) c.ev.plugIn();
    f.sim.rfid.tap(OTHER);
    await f.advance(2000);
    f.sim.rfid.tap(THIRD);
    await f.advance(2000);
    expect(statuses(f)).toEqual(['Charging', 'Charging']);
    expect(await reserve(f, 0, 15)).toEqual({ status: 'Occupied' });
  });

  it('is Rejected while ReserveConnectorZeroSupported is false', async () => {
    const f = await agentFixture({ charger: { connectors: 2 }, readonlyOcpp: { ReserveConnectorZeroSupported: false } });
    expect(await reserve(f, 0, 16)).toEqual({ status: 'Rejected' });
  });
});

describe('a reservation of one connector', () => {
  it("refuses someone else's card at once (no Authorize), with the reason; the reserving card starts", async () => {
    const f = await agentFixture();
    const refusals: Refusal[] = [];
    f.agent.on('cardRefused', (_card, refusal) => refusals.push(refusal));
    expect(await reserve(f, 1, 20)).toEqual({ status: 'Accepted' });
    await f.advance(1000);
    f.sim.connectors[0]!.ev.plugIn();
    f.sim.rfid.tap(OTHER);
    await f.advance(1000);
    expect(f.sent('Authorize')).toEqual([]);
    expect(refusals).toEqual([{ reason: 'reserved', message: 'connector 1 is reserved for another driver' }]);
    expect(f.agent.connectors[0]!.status).toBe('Reserved');

    f.sim.rfid.tap(CARD);
    await f.advance(2000);
    expect(f.sent('StartTransaction')).toEqual([expect.objectContaining({ connectorId: 1, idTag: CARD, reservationId: 20 })]);
  });

  it('a reservation for a group still asks who a card is (its parentIdTag decides)', async () => {
    const f = await agentFixture();
    f.csms.setAuthorization({ [OTHER]: { status: 'Accepted', parentIdTag: 'NOT-FLEET' } });
    expect(await reserve(f, 1, 21, { parentIdTag: 'FLEET-7' })).toEqual({ status: 'Accepted' });
    f.sim.connectors[0]!.ev.plugIn();
    f.sim.rfid.tap(OTHER);
    await f.advance(1000);
    expect(f.sent('Authorize')).toEqual([{ idTag: OTHER }]);
    expect(f.sent('StartTransaction')).toEqual([]);
    expect(f.agent.connectors[0]!.status).toBe('Reserved');
  });
});
