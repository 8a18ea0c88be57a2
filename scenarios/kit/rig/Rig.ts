/**
 * What a scenario does to the physical world around a charger: the EV at a connector, a card
 * at the reader, faults in the devices. The runner drives a {@link Rig}; the agent only ever
 * sees its hardware (simulated or serial drivers) react.
 *
 * Three rigs come with the kit:
 * - the simulated HAL's own twin (sim, virtual time, see simRig.ts);
 * - `--rig sim-devices`: the project's device simulators on socat ptys (SimDevicesRig.ts);
 * - `--rig prompt`: asks the engineer at the bench to do each step (PromptRig.ts).
 *
 * A bench with a real test rig (a relay that switches the pilot resistor of a vehicle
 * emulator, a card on a servo, a programmable load) implements this interface and is given to
 * `runScenarioFiles(files, { hal: { kind: 'serial', … } })` (docs/scenarios.md, "a real rig").
 *
 * Obligations: each method resolves once the action has happened at the hardware (not once the
 * charger has reacted: the runner waits for that), resolves `'skipped'` when the action could
 * not be done but the run may go on, and rejects with a {@link RigRefusal} when the rig cannot
 * do it at all, or a {@link RigAborted} when the run must stop there (either way the scenario
 * fails naming the step). Methods are never called concurrently.
 */
import type { Clock } from '../../../hal/clock.js';
import type { ChargerHardware } from '../../../hal/index.js';

export type EvAction = 'plugIn' | 'unplug' | 'suspend' | 'resume';
export type FaultKind = 'meter' | 'relay' | 'pilot' | 'tamper';
export const FAULT_MODES = {
  meter: ['timeout', 'invalid', 'clear'],
  relay: ['welded', 'stuck', 'clear'],
  pilot: ['F', 'E', 'clear'],
  // The cabinet door (a charger with a tamper switch): opened, or shut again.
  tamper: ['open', 'clear'],
} as const satisfies Record<FaultKind, readonly string[]>;
export type FaultMode<K extends FaultKind> = (typeof FAULT_MODES)[K][number];

/** `done`: it happened; `skipped`: the engineer chose to skip it (the timeline says so). */
export type RigOutcome = 'done' | 'skipped';

export interface Rig {
  /** Human name for the report ("simulated HAL", "sim-devices over ptys", "prompts on the TTY"). */
  readonly name: string;
  /** The EV at `connector` (1-based) plugs in, unplugs, pauses or resumes drawing power. */
  ev(action: EvAction, connector: number): Promise<RigOutcome>;
  /** The EV's battery state of charge, 0..1. */
  setSoC(soc: number, connector: number): Promise<RigOutcome>;
  /** A card with this uid (hex) is presented once at the reader. */
  presentCard(uid: string): Promise<RigOutcome>;
  /** A device defect appears or is repaired (`clear`). */
  fault<K extends FaultKind>(kind: K, mode: FaultMode<K>, connector: number): Promise<RigOutcome>;
  /** The EVSE at `connector` is now at `celsius` where its temperature sensor sits (a rig without one: absent, the step is refused). */
  setTemperature?(celsius: number, connector: number): Promise<RigOutcome>;
  /** A line for the timeline after time passes (power, EV state), when the rig knows. */
  describe?(connector: number): string | undefined;
  /** Releases what the rig opened (ports, child processes). */
  close(): Promise<void>;
}

/** The rig cannot do this step at all (a prompt rig asked for a welded relay, …). */
export class RigRefusal extends Error {
  override readonly name = 'RigRefusal';
}

/** The step was not done and the run must stop (the engineer aborted, no answer in time): the scenario fails at it. */
export class RigAborted extends Error {
  override readonly name = 'RigAborted';
}

/** Serial hardware plus the rig acting on it, for one charger; built once per scenario. */
export interface SerialBench {
  readonly hardware: ChargerHardware;
  readonly rig: Rig;
}

/** Builds the serial bench for one scenario run on the given (real-time) clock. */
export type SerialBenchFactory = (clock: Clock) => Promise<SerialBench>;
