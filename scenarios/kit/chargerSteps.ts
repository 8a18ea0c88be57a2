/**
 * The physical side of one charger's steps: `ev.*`, `rfid.*`, `fault.*` (done by its rig) and
 * the expectations about the charger itself, `expect.*`.
 */
import type { ConnectorStatus } from '../../agent/charging/connectorTypes.js';
import { FAULT_MODES, RigRefusal, type FaultKind } from './rig/Rig.js';
import { ScenarioFailure } from './errors.js';
import type { StepTools } from './stepTools.js';
import { parseDuration } from './words.js';

export const CONNECTOR_STATUSES = ['Available', 'Preparing', 'Charging', 'SuspendedEV', 'SuspendedEVSE', 'Finishing', 'Reserved', 'Unavailable', 'Faulted'] as const;
export const COMPARATORS = ['>', '>=', '<', '<=', '=='] as const;
type Comparator = (typeof COMPARATORS)[number];
const ENERGY_UNITS: Record<string, number> = { Wh: 1, kWh: 1000 };
/** On real time a status may take a few polls of the hardware to show. */
const REAL_STATUS_WAIT_MS = 10_000;

export interface EvSteps {
  plugIn(connector?: number): Promise<void>;
  unplug(connector?: number): Promise<void>;
  suspend(connector?: number): Promise<void>;
  resume(connector?: number): Promise<void>;
  setSoC(soc: number, connector?: number): Promise<void>;
}

export interface FaultSteps {
  meter(mode: 'timeout' | 'invalid' | 'clear', connector?: number): Promise<void>;
  relay(mode: 'welded' | 'stuck' | 'clear', connector?: number): Promise<void>;
  pilot(mode: 'F' | 'E' | 'clear', connector?: number): Promise<void>;
  /** The cabinet door of a charger with a tamper switch (`charger: { tamperSwitch: true }`) opens, or shuts (`clear`). */
  tamper(mode: 'open' | 'clear'): Promise<void>;
  /** The EVSE's temperature sensor (`charger: { temperatureC: 25 }`) now reads `celsius`: an overheating enclosure, or back to normal. */
  temperature(celsius: number, connector?: number): Promise<void>;
}

export interface ExpectSteps {
  /**
   * The connector's OCPP status now. On real time (serial HAL, external CSMS) it may take up to
   * `within` (default 10 s) to show; on virtual time it is checked at once unless `within` is given.
   */
  status(connector: number, status: ConnectorStatus, options?: { within?: string | number }): Promise<void>;
  energy(op: Comparator, value: number, unit?: 'Wh' | 'kWh', connector?: number): Promise<void>;
  /** How many transactions the CSMS gave this charger. */
  transactions(count: number): Promise<void>;
  /** The firmware version the charger runs now (what it reported when it booted last). */
  firmware(version: string): Promise<void>;
  /**
   * The driver display (scenarios with a `tariff`) shows a line matching `text` (a substring, or a
   * RegExp) for the connector; waits like `status`.
   */
  display(text: string | RegExp, connector?: number, options?: { within?: string | number }): Promise<void>;
}

export function evSteps(k: StepTools): EvSteps {
  const ev = (verb: 'plugIn' | 'unplug' | 'suspend' | 'resume', text: string) => (n?: number) => {
    const id = k.connector(`ev.${verb}`, n);
    return k.act(`ev.${verb}`, `${text} ${id}`, () => k.c.rig.ev(verb, id));
  };
  return {
    plugIn: ev('plugIn', 'EV plugs in at connector'),
    unplug: ev('unplug', 'EV unplugs from connector'),
    suspend: ev('suspend', 'EV suspends charging at connector'),
    resume: ev('resume', 'EV resumes charging at connector'),
    setSoC(soc, n) {
      if (typeof soc !== 'number' || !(soc >= 0 && soc <= 1)) throw k.usage('ev.setSoC', `state of charge must be a number 0..1 (0.2 = 20 %), got ${JSON.stringify(soc)}`);
      const id = k.connector('ev.setSoC', n);
      return k.act('ev.setSoC', `EV battery at ${Math.round(soc * 100)} % (connector ${id})`, () => k.c.rig.setSoC(soc, id));
    },
  };
}

export function rfidSteps(k: StepTools): { present(uid: string): Promise<void> } {
  return {
    present(uid) {
      if (typeof uid !== 'string' || !/^([0-9A-Fa-f]{2}){2,10}$/.test(uid)) throw k.usage('rfid.present', `uid must be 2..10 bytes of hex (4..20 digits, even) like '04A1B2C3', got ${JSON.stringify(uid)}`);
      return k.act('rfid.present', `card ${uid} presented`, () => k.c.rig.presentCard(uid));
    },
  };
}

const FAULT_TEXT: Record<FaultKind, Record<string, string>> = {
  meter: { clear: 'meter answers again', timeout: 'meter stops answering', invalid: 'meter returns invalid values' },
  relay: { clear: 'relay repaired', welded: 'relay welded', stuck: 'relay stuck' },
  pilot: { clear: 'control pilot error cleared', F: 'control pilot state F', E: 'control pilot state E' },
  tamper: { open: 'cabinet door opened', clear: 'cabinet door shut' },
};

export function faultSteps(k: StepTools): FaultSteps {
  const fault = (kind: FaultKind) => (mode: string, n?: number) => {
    const step = `fault.${kind}`;
    const m = k.oneOf(step, 'mode', mode, FAULT_MODES[kind]);
    const id = k.connector(step, n);
    return k.act(step, FAULT_TEXT[kind][m]!, () => k.c.rig.fault(kind, m as never, id));
  };
  return {
    meter: fault('meter'),
    relay: fault('relay'),
    pilot: fault('pilot'),
    tamper: (mode) => fault('tamper')(mode),
    temperature(celsius, n) {
      if (typeof celsius !== 'number' || !(celsius >= -40 && celsius <= 120)) throw k.usage('fault.temperature', `temperature must be a number of °C from -40 to 120, got ${JSON.stringify(celsius)}`);
      const id = k.connector('fault.temperature', n);
      return k.act('fault.temperature', `EVSE ${id} at ${celsius} °C`, () => {
        const rig = k.c.rig;
        if (!rig.setTemperature) throw new RigRefusal(`the ${rig.name} rig cannot change a temperature`);
        return rig.setTemperature(celsius, id);
      });
    },
  };
}

export function expectSteps(k: StepTools): ExpectSteps {
  const { h, c } = k;
  return {
    async status(n, status, options = {}) {
      const step = k.step(`expect.status(${n}, ${status})`);
      k.oneOf('expect.status', 'status', status, CONNECTOR_STATUSES);
      k.connector('expect.status', n);
      const within = options.within === undefined ? (h.virtual ? 0 : REAL_STATUS_WAIT_MS) : parseDuration(options.within, `${step} within`);
      h.note('step', k.say(`expect connector ${n} ${status}`));
      const deadline = h.clock.now() + within;
      for (;;) {
        await h.settle();
        const actual = c.agent.connectors[n - 1]!.status;
        if (actual === status) return;
        if (h.clock.now() >= deadline) throw new ScenarioFailure(step, `connector ${n} ${status}`, `connector ${n} ${actual}`);
        await h.advance(Math.min(k.pollMs, deadline - h.clock.now()));
      }
    },
    async energy(op, value, unit = 'kWh', n = 1) {
      const step = k.step(`expect.energy(${op} ${value} ${unit})`);
      k.oneOf('expect.energy', 'comparator', op, COMPARATORS);
      k.oneOf('expect.energy', 'unit', unit, Object.keys(ENERGY_UNITS));
      if (typeof value !== 'number' || !Number.isFinite(value)) throw k.usage('expect.energy', `value must be a number, got ${JSON.stringify(value)}`);
      k.connector('expect.energy', n);
      h.note('step', k.say(`expect energy ${op} ${value} ${unit}`));
      const actual = (await c.energyWh(n)) / ENERGY_UNITS[unit]!;
      if (!compare(actual, op, value)) throw new ScenarioFailure(step, `energy delivered on connector ${n} ${op} ${value} ${unit}`, `${actual.toFixed(3)} ${unit}`);
    },
    async firmware(version) {
      h.note('step', k.say(`expect firmware ${version} running`));
      await h.settle();
      const actual = c.firmwareVersion;
      if (actual !== version) throw new ScenarioFailure(k.step(`expect.firmware(${version})`), `firmware ${version} running`, actual === undefined ? 'no firmware version (declare charger: { firmware: … })' : `firmware ${actual}`);
    },
    async display(text, n = 1, options = {}) {
      const step = k.step(`expect.display(${String(text)})`);
      if (typeof text !== 'string' && !(text instanceof RegExp)) throw k.usage('expect.display', `text must be a string or a RegExp, got ${JSON.stringify(text)}`);
      k.connector('expect.display', n);
      if (c.screen(n) === undefined) throw k.usage('expect.display', 'the charger has no driver display: give the scenario a tariff (options.tariff)');
      const within = options.within === undefined ? (h.virtual ? 0 : REAL_STATUS_WAIT_MS) : parseDuration(options.within, `${step} within`);
      h.note('step', k.say(`expect the display at connector ${n} to show ${String(text)}`));
      const deadline = h.clock.now() + within;
      const matches = (line: string) => (typeof text === 'string' ? line.includes(text) : text.test(line));
      for (;;) {
        await h.settle();
        const lines = c.screen(n) ?? [];
        if (lines.some(matches)) return;
        if (h.clock.now() >= deadline) throw new ScenarioFailure(step, `the display showing ${String(text)}`, lines.join(' | ') || '(nothing)');
        await h.advance(Math.min(k.pollMs, deadline - h.clock.now()));
      }
    },
    async transactions(count) {
      h.note('step', k.say(`expect ${count} transaction(s) at the CSMS`));
      await h.settle();
      const actual = h.csms.transactionIds(c.id).length;
      if (actual !== count) throw new ScenarioFailure(k.step(`expect.transactions(${count})`), `${count} transaction(s) at the CSMS`, `${actual}`);
    },
  };
}

function compare(a: number, op: Comparator, b: number): boolean {
  switch (op) {
    case '>': return a > b;
    case '>=': return a >= b;
    case '<': return a < b;
    case '<=': return a <= b;
    case '==': return Math.abs(a - b) < 1e-9;
  }
}
