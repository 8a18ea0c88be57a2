/**
 * Behaviour every {@link RfidReader} implementation owes the agent (hal/index.ts), as a vitest
 * suite. Run it against the simulated twin and the serial driver alike.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CardEvent, RfidReader } from '../index.js';
import type { ContractHarness, Control } from './ContractHarness.js';
import { watchFaults } from './observers.js';

export interface RfidHarness extends ContractHarness {
  /** The reader under test, fault-free, no card present. The suite closes it. */
  readonly reader: RfidReader;
  /** Consecutive unreadable frames after which the reader reports RFID_FAULT. */
  readonly garbageFaultThreshold: number;
  /** Device time after which a card no longer seen counts as removed (a driver's debounce), ms. Default 0. */
  readonly removalMs?: number;
  /**
   * A uid of the longest kind this reader's technology carries (default a 7-byte ISO 14443A uid;
   * a 125 kHz EM4100 reader can only be shown 4- or 5-byte ids).
   */
  readonly longUid?: string;
  /** Device side: a card (upper-case hex uid) is presented and taken away. */
  presentCard(uid: string): Control;
  /** Device side: a card lies on the reader; calling it again = the reader sees it again. */
  holdCard(uid: string): Control;
  /** Device side: the held card is taken away. */
  removeCard(): Control;
  /** Device side: one unreadable frame arrives. */
  sendGarbage(): Control;
}

const TECHNOLOGIES = ['ISO14443A', 'ISO14443B', 'ISO15693', 'FeliCa', 'EM4100', 'unknown'];

export function rfidContract(name: string, makeHarness: () => RfidHarness | Promise<RfidHarness>): void {
  describe(`RfidReader contract: ${name}`, () => {
    let h: RfidHarness;
    let reader: RfidReader;
    let cards: CardEvent[];

    beforeEach(async () => {
      h = await makeHarness();
      reader = h.reader;
      cards = [];
      reader.on('card', (c) => cards.push(c));
    });

    afterEach(async () => {
      await reader.release();
      await h.dispose?.();
    });

    async function settle(): Promise<void> {
      await h.advance(h.removalMs ?? 0);
    }

    it('a tapped card is one card event with its uid in upper-case hex', async () => {
      const uid = h.longUid ?? '04A2B3C4D5E6F7';
      await h.presentCard(uid);
      await settle();
      expect(cards).toHaveLength(1);
      expect(cards[0]!.uid).toBe(uid);
      expect(cards[0]!.uid).toMatch(/^[0-9A-F]+$/);
      expect(TECHNOLOGIES).toContain(cards[0]!.technology);
      expect(Number.isFinite(cards[0]!.timestamp)).toBe(true);
    });

    it('a card held on the reader is one event however long it stays', async () => {
      for (let i = 0; i < 10; i++) {
        await h.holdCard('DEADBEEF');
        await h.advance(500);
      }
      expect(cards.map((c) => c.uid)).toEqual(['DEADBEEF']);
    });

    it('removing the card and presenting it again is a new event', async () => {
      await h.holdCard('DEADBEEF');
      await h.advance(1000);
      await h.removeCard();
      await settle();
      await h.holdCard('DEADBEEF');
      await settle();
      expect(cards.map((c) => c.uid)).toEqual(['DEADBEEF', 'DEADBEEF']);
    });

    it('two different cards are two events, in order', async () => {
      await h.presentCard('11223344');
      await settle();
      await h.presentCard('55667788');
      await settle();
      expect(cards.map((c) => c.uid)).toEqual(['11223344', '55667788']);
    });

    it('unreadable frames never produce a card event; fewer than the threshold are no fault', async () => {
      const faults = watchFaults(reader);
      for (let i = 0; i < h.garbageFaultThreshold - 1; i++) await h.sendGarbage();
      await settle();
      expect(cards).toEqual([]);
      expect(faults.raised).toEqual([]);
    });

    it('a good read resets the count of consecutive unreadable frames', async () => {
      const faults = watchFaults(reader);
      for (let i = 0; i < h.garbageFaultThreshold - 1; i++) await h.sendGarbage();
      await h.presentCard('CAFE0001');
      await settle();
      for (let i = 0; i < h.garbageFaultThreshold - 1; i++) await h.sendGarbage();
      await settle();
      expect(faults.raised).toEqual([]);
      expect(cards.map((c) => c.uid)).toEqual(['CAFE0001']);
    });

    it('enough unreadable frames in a row fault RFID_FAULT once; the next good read clears it, then reports the card', async () => {
      const faults = watchFaults(reader);
      for (let i = 0; i < 2 * h.garbageFaultThreshold; i++) await h.sendGarbage();
      await settle();
      expect(cards).toEqual([]);
      expect(faults.raised).toEqual(['RFID_FAULT']);
      expect(faults.errors[0]!.recoverable).toBe(true);
      expect(reader.activeFaults.has('RFID_FAULT')).toBe(true);
      const order: string[] = [];
      reader.on('faultCleared', (code) => order.push(`cleared:${code}`));
      reader.on('card', (c) => order.push(`card:${c.uid}`));
      await h.presentCard('CAFE0002');
      await settle();
      expect(order).toEqual(['cleared:RFID_FAULT', 'card:CAFE0002']);
      expect([...reader.activeFaults]).toEqual([]);
    });

    it('after release() no card is reported; release() is idempotent', async () => {
      await reader.release();
      await reader.release();
      await h.presentCard('0BADCAFE');
      await settle();
      expect(cards).toEqual([]);
    });
  });
}
