/**
 * The RFID contract harness for a {@link Pn532Reader} on a socat pty pair with a {@link Pn532Sim}
 * on the device end. Polls and timeouts run on a SimulatedClock; frames travel over a real line.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { SimulatedClock } from '../../clock.js';
import type { RfidHarness } from '../../contract/rfid.contract.js';
import { Pn532Reader } from '../Pn532Reader.js';
import { Pn532Sim } from '../deviceSims/Pn532Sim.js';
import { PtyPair } from '../deviceSims/PtyPair.js';

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export interface SerialPn532Harness extends RfidHarness {
  reader: Pn532Reader;
  sim: Pn532Sim;
  clock: SimulatedClock;
  /** The USB adapter is pulled: the chip's side closes and both ptys vanish. */
  unplug(): Promise<void>;
  /** … and plugged back on the same path, the chip answering again. */
  replug(): Promise<void>;
}

export async function createSerialPn532Harness(): Promise<SerialPn532Harness> {
  const clock = new SimulatedClock();
  const pair = await PtyPair.create();
  const sim = new Pn532Sim(pair.devicePath);
  await sim.open().catch(async (err: unknown) => {
    await pair.dispose(); // never leave socat running behind a failed setup
    throw err;
  });
  const reader = new Pn532Reader({ id: 'rfid:1', clock, path: pair.driverPath, pollIntervalMs: 100, responseTimeoutMs: 150, garbageFaultThreshold: 3 });
  /** Bytes the sim sent that went down with an unplugged adapter. */
  let lost = 0;
  /** Waits (real time, bounded) until the sim's bytes have arrived and no command is pending. */
  const quiet = async (): Promise<void> => {
    for (let waited = 0; waited < 1000; waited += 2) {
      await flush();
      if ((!reader.busy || sim.mode === 'silent') && reader.stats.bytes + lost >= sim.stats.bytesSent) break;
      await sleep(2);
    }
    await flush();
  };
  const opening = reader.open();
  await quiet();
  await opening;
  // One poll step at a time: a poll's reply travels in real time, while timers fire at once.
  const advance = async (ms: number): Promise<void> => {
    await quiet();
    for (let left = ms; left > 0; left -= 100) {
      clock.advance(Math.min(100, left));
      await quiet();
    }
  };
  return {
    reader,
    sim,
    clock,
    garbageFaultThreshold: reader.garbageFaultThreshold,
    removalMs: 300,
    presentCard: (uid) => sim.presentCard(uid),
    holdCard: (uid) => sim.holdCard(uid),
    removeCard: () => sim.removeCard(),
    sendGarbage: () => sim.sendGarbage(),
    advance,
    async unplug() {
      await sim.close();
      await pair.unplug();
      lost = sim.stats.bytesSent - reader.stats.bytes;
    },
    async replug() {
      await pair.replug();
      await sim.open();
    },
    async dispose() {
      await sim.close();
      await pair.dispose();
    },
  };
}
