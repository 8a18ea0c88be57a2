import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../../hal/clock.js';
import { PromptRig } from './PromptRig.js';
import { RigAborted, RigRefusal } from './Rig.js';

function rig(answerTimeoutMs = 2000) {
  const input = new PassThrough();
  const output = new PassThrough();
  let text = '';
  output.on('data', (d: Buffer) => (text += d.toString()));
  const r = new PromptRig({ input, output, clock: systemClock, answerTimeoutMs });
  return { r, input, text: () => text };
}

describe('PromptRig', () => {
  it('takes answers typed ahead in order, and asks again after an answer it does not know', async () => {
    const { r, input, text } = rig();
    input.write('\nskip\nmaybe\ny\n');
    await expect(r.ev('plugIn', 1)).resolves.toBe('done');
    await expect(r.presentCard('04A1B2C3')).resolves.toBe('skipped');
    await expect(r.ev('unplug', 2)).resolves.toBe('done');
    expect(text()).toContain('>> Present card 04A1B2C3 at the reader, then press Enter');
    expect(text()).toContain(">> 'maybe' is not an answer: Enter, s or a");
    expect(text().match(/>> Unplug the EV from connector 2/g)).toHaveLength(2);
    r.dispose();
  });

  it('aborts on a, on no answer within the timeout, and when the input ends; refuses faults', async () => {
    const { r, input } = rig(300);
    input.write('a\n');
    await expect(r.ev('plugIn', 1)).rejects.toThrow(new RigAborted('Plug the EV into connector 1: aborted by the engineer'));
    await expect(r.ev('resume', 1)).rejects.toThrow(/^no answer within 0\.3 s$/);
    await expect(r.fault('relay')).rejects.toBeInstanceOf(RigRefusal);
    input.end();
    await new Promise((resolve) => setImmediate(resolve));
    await expect(r.presentCard('04A1B2C3')).rejects.toThrow(/no answer, the input was closed/);
    r.dispose();
  });
});
