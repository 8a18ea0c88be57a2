/**
 * The serial bench of `evse scenario run --hal serial`: the charger's devices come from the same
 * configuration and EVSE_* variables as `evse run` with EVSE_HAL=serial (docs/hardware.md);
 * the rig that acts on them is the engineer (`--rig prompt`) or the project's device
 * simulators on socat ptys (`--rig sim-devices`, which points the serial ports at them).
 */
import type { Readable, Writable } from 'node:stream';
import { systemClock, type Clock } from '../hal/clock.js';
import { PromptRig } from '../scenarios/kit/rig/PromptRig.js';
import type { SerialBench, SerialBenchFactory } from '../scenarios/kit/rig/Rig.js';
import { SimDevicesRig } from '../scenarios/kit/rig/SimDevicesRig.js';
import { createHardware } from './createHardware.js';
import { loadSettings, type Environment } from './settings/loadSettings.js';
import type { Settings } from './settings/settings.js';

export const RIGS = ['prompt', 'sim-devices'] as const;
export type RigName = (typeof RIGS)[number];

export interface SerialBenchOptions {
  readonly rig: RigName;
  /** The environment the settings are read from (default process.env). */
  readonly env?: Environment;
  /** Where the prompt rig reads answers and writes questions. */
  readonly input: Readable;
  readonly output: Writable;
  /** How long the prompt rig waits for each answer, ms. */
  readonly answerTimeoutMs?: number;
}

export interface SerialBenchSetup {
  readonly bench: SerialBenchFactory;
  /** Ends what lives for the whole run (the prompt rig's reading of the input). */
  dispose(): void;
}

/** Settings for a serial bench: `evse run`'s, with the serial driver forced on. Throws SettingsError. */
function serialSettings(env: Environment, extra: Record<string, string> = {}): Settings {
  return loadSettings({ env: { ...env, ...extra, EVSE_HAL: 'serial' } });
}

/**
 * Checks the configuration now (prompt: the configured ports must exist; a SettingsError names
 * the key) and returns the factory the runner calls once per scenario.
 */
export function serialBench(options: SerialBenchOptions): SerialBenchSetup {
  const env = options.env ?? process.env;
  if (options.rig === 'sim-devices') {
    return {
      async bench(clock: Clock): Promise<SerialBench> {
        const rfidModel = env.EVSE_RFID_MODEL === 'rdm6300' ? 'rdm6300' : 'pn532';
        const rig = await SimDevicesRig.start({ clock, rfidModel });
        try {
          const { hardware } = await createHardware(serialSettings(env, rig.environment), clock);
          return { hardware, rig };
        } catch (err) {
          await rig.close();
          throw err;
        }
      },
      dispose: () => undefined,
    };
  }
  const settings = serialSettings(env);
  // Serial runs are on the wall clock (scenarios/kit/harness.ts), so the prompts are too.
  const rig = new PromptRig({ input: options.input, output: options.output, clock: systemClock, ...(options.answerTimeoutMs !== undefined && { answerTimeoutMs: options.answerTimeoutMs }) });
  return {
    async bench(clock: Clock): Promise<SerialBench> {
      const { hardware } = await createHardware(settings, clock);
      return { hardware, rig };
    },
    dispose: () => rig.dispose(),
  };
}
