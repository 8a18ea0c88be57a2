/**
 * The RFID contract harness for an {@link Rdm6300Reader} on a socat pty pair with an
 * {@link Rdm6300Emitter} on the device end; driver debounce runs on a SimulatedClock, frames
 * travel over a real serial line.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { SimulatedClock } from '../../clock.js';
import type { RfidHarness } from '../../contract/rfid.contract.js';
import { Rdm6300Reader } from '../Rdm6300Reader.js';
import { PtyPair } from '../deviceSims/PtyPair.js';
import { Rdm6300Emitter } from '../deviceSims/Rdm6300Emitter.js';

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * With `uidFormat: 'tag'` the reader reports the 4-byte tag, so a contract uid of 4 bytes is sent
 * with version byte 00. An EM4100 card carries 5 bytes, so longer uids cannot be presented.
 */
function em4100Id(uid: string): string {
  if (/^[0-9A-F]{8}$/.test(uid)) return `00${uid}`;
  throw new RangeError(`an RDM6300 (EM4100) reads 4-byte tags; the ${uid.length / 2}-byte uid ${uid} cannot be presented to it`);
}

export interface SerialRdm6300Harness extends RfidHarness {
  reader: Rdm6300Reader;
  clock: SimulatedClock;
  /** The USB adapter is pulled (the reader's side closes, both ptys vanish) … */
  unplug(): Promise<void>;
  /** … and plugged back on the same path. */
  replug(): Promise<void>;
}

export async function createSerialRfidHarness(): Promise<SerialRdm6300Harness> {
  const clock = new SimulatedClock();
  const pair = await PtyPair.create();
  const emitter = new Rdm6300Emitter(pair.devicePath);
  await emitter.open();
  const reader = new Rdm6300Reader({ id: 'rfid:0', clock, path: pair.driverPath, removalMs: 600, garbageFaultThreshold: 3, uidFormat: 'tag' });
  await reader.open();
  /** Bytes sent that went down with an unplugged adapter. */
  let lost = 0;
  /** Waits (real time, bounded) until every byte the emitter sent has reached the driver. */
  const delivered = async (): Promise<void> => {
    for (let waited = 0; reader.stats.bytes + lost < emitter.bytesSent && waited < 300; waited += 2) await sleep(2);
    await flush();
  };
  return {
    reader,
    clock,
    async unplug() {
      await emitter.close();
      await pair.unplug();
      lost = emitter.bytesSent - reader.stats.bytes;
    },
    async replug() {
      await pair.replug();
      await emitter.open();
    },
    garbageFaultThreshold: reader.garbageFaultThreshold,
    removalMs: 600,
    longUid: '12AB34CD',
    presentCard: (uid) => emitter.sendCard(em4100Id(uid)),
    holdCard: (uid) => emitter.sendCard(em4100Id(uid)),
    removeCard: () => undefined, // the reader simply stops sending; the driver notices after removalMs
    sendGarbage: () => emitter.sendGarbage(),
    async advance(ms) {
      await delivered();
      clock.advance(ms);
      await flush();
    },
    async dispose() {
      await emitter.close();
      await pair.dispose();
    },
  };
}
