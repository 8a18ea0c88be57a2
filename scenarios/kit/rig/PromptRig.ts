/**
 * `--rig prompt`: the engineer at the bench is the rig. Each EV or card step is a question on
 * the terminal ("Plug the EV into connector 1, then press Enter"); the answer is a line:
 *
 *   Enter (or y, done)  it is done
 *   s (skip)            it cannot be done now; the run goes on and the timeline says so
 *   a (abort)           stop the scenario here (it fails, naming the step)
 *
 * No answer within the timeout fails the step. Faults cannot be asked for: a scenario with
 * `fault.*` steps needs a rig that injects them (sim-devices, or your own, see Rig.ts).
 * Lines typed (or piped) ahead of a question answer the next questions in order.
 */
import { createInterface, type Interface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Clock } from '../../../hal/clock.js';
import { RigAborted, RigRefusal, type EvAction, type Rig, type RigOutcome } from './Rig.js';

export interface PromptRigOptions {
  readonly input: Readable;
  readonly output: Writable;
  readonly clock: Clock;
  /** How long to wait for each answer, ms (default 5 minutes). */
  readonly answerTimeoutMs?: number;
}

const QUESTIONS: Record<EvAction, (n: number) => string> = {
  plugIn: (n) => `Plug the EV into connector ${n}`,
  unplug: (n) => `Unplug the EV from connector ${n}`,
  suspend: (n) => `Make the EV at connector ${n} pause charging (e.g. from its app)`,
  resume: (n) => `Make the EV at connector ${n} resume charging`,
};

export class PromptRig implements Rig {
  readonly name = 'prompts on the terminal';
  private readonly lines: string[] = [];
  private waiting: ((line: string | undefined) => void) | undefined;
  private ended = false;
  private readonly rl: Interface;
  private readonly timeoutMs: number;

  constructor(private readonly options: PromptRigOptions) {
    this.timeoutMs = options.answerTimeoutMs ?? 300_000;
    this.rl = createInterface({ input: options.input, terminal: false });
    this.rl.on('line', (line) => this.deliver(line));
    this.rl.on('close', () => {
      this.ended = true;
      this.deliver(undefined);
    });
  }

  ev(action: EvAction, connector: number): Promise<RigOutcome> {
    return this.ask(QUESTIONS[action](connector));
  }

  setSoC(soc: number, connector: number): Promise<RigOutcome> {
    return this.ask(`Bring the EV at connector ${connector} to ${Math.round(soc * 100)} % state of charge`);
  }

  setTemperature(celsius: number, connector: number): Promise<RigOutcome> {
    return this.ask(`Bring the temperature at connector ${connector}'s sensor to ${celsius} °C (a heat gun, a cold spray)`);
  }

  presentCard(uid: string): Promise<RigOutcome> {
    return this.ask(`Present card ${uid} at the reader`);
  }

  fault(kind: string, mode?: string): Promise<RigOutcome> {
    // A door the engineer can open; device defects need a rig that injects them.
    if (kind === 'tamper') return this.ask(mode === 'open' ? 'Open the charger\'s cabinet door' : 'Shut the charger\'s cabinet door');
    return Promise.reject(new RigRefusal(`cannot inject a ${kind} fault by prompting; run this scenario with --rig sim-devices or a rig that drives faults`));
  }

  /** Writes the question and waits for the answer. */
  async ask(question: string): Promise<RigOutcome> {
    this.options.output.write(`\n>> ${question}, then press Enter  [Enter = done, s = skip, a = abort; ${this.timeoutMs / 1000} s]\n`);
    const answer = (await this.nextLine())?.trim().toLowerCase();
    if (answer === undefined) throw new RigAborted(`${question}: no answer, the input was closed`);
    if (answer === '' || answer === 'y' || answer === 'yes' || answer === 'done') return 'done';
    if (answer === 's' || answer === 'skip') return 'skipped';
    if (answer === 'a' || answer === 'abort') throw new RigAborted(`${question}: aborted by the engineer`);
    this.options.output.write(`>> '${answer}' is not an answer: Enter, s or a\n`);
    return this.ask(question);
  }

  /** Nothing: one prompt rig serves every scenario of a run (answers typed ahead carry over). */
  async close(): Promise<void> {}

  /** Stops reading the input (at the end of the run). */
  dispose(): void {
    this.rl.close();
  }

  private deliver(line: string | undefined): void {
    const waiting = this.waiting;
    if (waiting) {
      this.waiting = undefined;
      waiting(line);
    } else if (line !== undefined) this.lines.push(line);
  }

  private nextLine(): Promise<string | undefined> {
    const queued = this.lines.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.ended) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      const timer = this.options.clock.setTimeout(() => {
        this.waiting = undefined;
        reject(new RigAborted(`no answer within ${this.timeoutMs / 1000} s`));
      }, this.timeoutMs);
      this.waiting = (line) => {
        this.options.clock.clearTimeout(timer);
        resolve(line);
      };
    });
  }
}
