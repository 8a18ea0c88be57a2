/**
 * What the step families (chargerSteps.ts, csmsSteps.ts) share for one charger: step names
 * (`charger(2).ev.plugIn` for any charger but the first), usage errors, and running a
 * physical action through the rig and letting the charger react.
 */
import type { ChargerUnderTest, Harness } from './harness.js';
import { RigAborted, RigRefusal, type RigOutcome } from './rig/Rig.js';
import { ScenarioFailure, ScenarioUsageError } from './errors.js';
import { atCallSite } from './stepNames.js';
import { didYouMean } from './words.js';

export interface StepTools {
  readonly h: Harness;
  readonly c: ChargerUnderTest;
  /** `ev.plugIn` → `charger(2).ev.plugIn` on the second charger. */
  step(name: string): string;
  usage(step: string, text: string): ScenarioUsageError;
  /** Timeline text with the charger's id in a multi-charger site. */
  say(text: string): string;
  /** A rig action, then one second (virtual or real) for the charger to react. */
  act(step: string, text: string, fn: () => Promise<RigOutcome>): Promise<void>;
  oneOf<T extends string>(step: string, what: string, value: unknown, allowed: readonly T[]): T;
  /** Checks a connector number against the charger. */
  connector(step: string, n: number | undefined): number;
  /** How long to wait between polls: a virtual second, or 100 ms of real time. */
  readonly pollMs: number;
}

export function stepTools(h: Harness, c: ChargerUnderTest): StepTools {
  const multi = h.chargers.length > 1;
  const step = (name: string) => (c.index === 1 ? name : `charger(${c.index}).${name}`);
  const usage = (s: string, text: string) => new ScenarioUsageError(`${step(s)}: ${text}${atCallSite()}`);
  const say = (text: string) => (multi ? `${c.id}: ${text}` : text);
  return {
    h,
    c,
    step,
    usage,
    say,
    pollMs: h.virtual ? 1000 : 100,
    async act(s, text, fn) {
      h.note('step', say(text));
      let outcome: RigOutcome;
      try {
        outcome = await fn();
      } catch (err) {
        if (err instanceof RigRefusal) throw usage(s, `${err.message} (rig: ${c.rig.name})`);
        if (err instanceof RigAborted) throw new ScenarioFailure(step(s), `the bench to do it: ${text}`, err.message, `${step(s)}: ${err.message}`);
        throw err;
      }
      if (outcome === 'skipped') h.note('note', say(`skipped at the bench: ${text}`));
      await h.advance(1000);
    },
    oneOf(s, what, value, allowed) {
      if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as never;
      throw usage(s, `${what} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}${didYouMean(String(value), allowed)}`);
    },
    connector(s, n) {
      const id = n ?? 1;
      if (!Number.isInteger(id) || id < 1 || id > c.connectorCount) throw usage(s, `connector must be 1..${c.connectorCount}, got ${JSON.stringify(n)}`);
      return id;
    },
  };
}
