/** The embedded strict CSMS on 127.0.0.1 with a silent logger, stopped when the test's clean-ups run. */
import { pino, type Logger } from 'pino';
import { EmbeddedCsms } from '../../scenarios/csms/EmbeddedCsms.js';

export async function startQuietCsms(cleanups: (() => Promise<unknown>)[]): Promise<{ csms: EmbeddedCsms; url: string; log: Logger }> {
  const log = pino({ level: 'silent' });
  const csms = new EmbeddedCsms({ logger: log });
  const { url } = await csms.start();
  cleanups.push(() => csms.stop());
  return { csms, url, log };
}
