/**
 * `hal.serial` (either form, bin/settings/serialSettings.ts) turned into one plan of buses and devices with
 * every default filled in, plus the checks a schema cannot make: a port used twice, two devices
 * at one address on a bus, a connector with two meters or none, a bus whose meters disagree on
 * the baud rate, … Each problem names the key path it is about, in the form the user wrote.
 */
import { describe, type SettingsIssue } from './settingsSchema.js';
import { DEVICE_DEFAULTS, MODEL_DEFAULTS, type DeviceSettings, type MeterModel, type Parity, type RfidModel, type SerialSettings, type StopBits } from './serialSettings.js';

export interface SerialLine {
  readonly port: string;
  readonly baud: number;
  readonly parity: Parity;
  readonly stopBits: StopBits;
  readonly reopenIntervalMs: number;
  /** Key path of the setting that names the port (for messages). */
  readonly at: string;
}

/** One Modbus RTU bus: one port, requests serialized. */
export interface BusPlan {
  readonly name: string;
  readonly line: SerialLine;
}

interface Polled {
  /** Device name in logs and faults, e.g. `meter:2`. */
  readonly id: string;
  /** Key path of the device's settings, e.g. `hal.serial.devices[3]`. */
  readonly at: string;
  readonly timeoutMs: number;
  readonly pollIntervalMs: number;
  readonly missedPollsForFault: number;
}
export interface MeterPlan extends Polled {
  readonly kind: 'meter';
  readonly model: MeterModel;
  readonly connector: number;
  readonly bus: string;
  readonly address: number;
}
export interface RelayPlan extends Polled {
  readonly kind: 'relay';
  readonly connector: number;
  readonly bus: string;
  readonly address: number;
  readonly coil: number;
  readonly feedbackInput: number;
  readonly readyInput?: number;
  readonly deadlineMs: number;
}
export interface PilotPlan extends Polled {
  readonly kind: 'pilot';
  readonly connector: number;
  readonly line: SerialLine;
  /** Deadline for the controller's own relay to confirm (it is the contactor without a relay board). */
  readonly deadlineMs: number;
  /** Heartbeat supervision of the board (`intervalMs` 0: off). */
  readonly heartbeat: { readonly intervalMs: number; readonly graceMs: number; readonly fallbackA: number };
}
export interface RfidPlan extends Polled {
  readonly kind: 'rfid';
  readonly model: RfidModel;
  readonly line: SerialLine;
  readonly badFramesForFault: number;
  readonly removalMs: number;
  readonly uidFormat: 'em4100' | 'tag';
}
/** A cabinet door / tilt switch on a relay board's discrete input, and an optional alarm coil. */
export interface TamperPlan extends Polled {
  readonly kind: 'tamper';
  readonly bus: string;
  readonly address: number;
  readonly input: number;
  readonly activeWhen: 'on' | 'off';
  readonly alarmCoil?: number;
}
export type DevicePlan = MeterPlan | RelayPlan | PilotPlan | RfidPlan | TamperPlan;

export interface SerialPlan {
  readonly buses: readonly BusPlan[];
  readonly devices: readonly DevicePlan[];
}

type Entry = { readonly d: DeviceSettings; readonly at: string };
type ModbusEntry = { readonly d: Extract<DeviceSettings, { kind: 'meter' | 'relay' | 'tamper' }>; readonly at: string };
/** Settings of a port: a bus's devices must agree on them (or leave them to the bus). */
const LINE_KEYS = ['baud', 'parity', 'stopBits', 'reopenIntervalMs'] as const;

/** A bus being assembled: declared in hal.serial.buses, or implied by devices naming its port. */
interface BusDraft {
  readonly name: string;
  readonly port: string;
  /** Key path of the bus (a hal.serial.buses entry, or the first device naming the port). */
  readonly at: string;
  readonly declared: boolean;
  readonly timeoutMs: number | undefined;
  /** Line settings given so far, with where each was given. */
  readonly line: Partial<Record<(typeof LINE_KEYS)[number], { value: unknown; at: string }>>;
  readonly entries: ModbusEntry[];
}

/** The plan of `settings.hal.serial`, and every problem found in it (the plan is only usable without problems). */
/** The settings a plan is made from (of bin/settings/settings.ts's Settings; named here so this module does not import it). */
export interface SerialPlanInput {
  readonly hal: { readonly serial: SerialSettings };
  readonly chargePoint: { readonly connectors: number };
}

export function planSerial(settings: SerialPlanInput): { plan: SerialPlan; issues: SettingsIssue[] } {
  const s = settings.hal.serial;
  const connectors = settings.chargePoint.connectors;
  const issues: SettingsIssue[] = [];
  const bench = s.devices.length === 0;
  const entries = bench ? benchEntries(s, connectors, issues) : s.devices.map((d, i) => ({ d, at: `hal.serial.devices[${i}]` }));
  if (!bench) {
    for (const key of ['pilot', 'meter', 'relay', 'rfid'] as const) {
      const p = s[key].port;
      if (p) issues.push(describe(`hal.serial.${key}.port`, 'expected empty when hal.serial.devices lists the devices (the single-connector keys and EVSE_*_PORT variables are for setups without a list)', p));
    }
  }
  // Every port serves one bus or one device.
  const ports = new Map<string, string>();
  const claim = (p: string, at: string): void => {
    const other = ports.get(p);
    if (other === undefined) ports.set(p, at);
    else issues.push(describe(at, `expected a port of its own: it is already used by ${other.replace(/\.port$/, '')} (only Modbus devices share a port, as one bus)`, p));
  };
  const buses = new Map<string, BusDraft>();
  s.buses.forEach((b, j) => {
    const at = `hal.serial.buses[${j}]`;
    const name = b.name ?? b.port;
    if (buses.has(name)) return void issues.push(describe(`${at}.name`, `expected a bus name not used by ${buses.get(name)!.at}`, name));
    claim(b.port, `${at}.port`);
    const line = Object.fromEntries(LINE_KEYS.filter((k) => b[k] !== undefined).map((k) => [k, { value: b[k], at: `${at}.${k}` }]));
    buses.set(name, { name, port: b.port, at, declared: true, timeoutMs: b.timeoutMs, line, entries: [] });
  });
  const busOf = new Map<Entry, BusDraft>();
  for (const e of entries) {
    if (e.d.kind !== 'meter' && e.d.kind !== 'relay' && e.d.kind !== 'tamper') continue;
    const bus = placeOnBus(e as ModbusEntry, buses, claim, issues);
    if (bus) busOf.set(e, bus);
  }
  for (const e of entries) if (e.d.kind === 'pilot' || e.d.kind === 'rfid') claim(e.d.port, `${e.at}.port`);

  const busPlans = [...buses.values()].flatMap((draft) => finishBus(draft, issues) ?? []);
  let readers = 0;
  const devices = entries.map((e) => planDevice(e, busOf.get(e), issues)).map((d) => (d.kind === 'rfid' ? { ...d, id: `rfid:${readers++}` } : d));
  if (!bench) checkConnectors(entries, connectors, issues);
  const tampers = entries.filter((e) => e.d.kind === 'tamper');
  for (const extra of tampers.slice(1)) issues.push({ path: `${extra.at}.kind`, message: `expected one tamper switch per charger: ${tampers[0]!.at} is one already` });
  return { plan: { buses: busPlans, devices }, issues };
}

/** Puts a meter or relay board on the bus it names, or on the bus of the port it names (made if new). */
function placeOnBus(e: ModbusEntry, buses: Map<string, BusDraft>, claim: (port: string, at: string) => void, issues: SettingsIssue[]): BusDraft | undefined {
  const { d, at } = e;
  const declaredOn = (p: string): BusDraft | undefined => [...buses.values()].find((b) => b.declared && b.port === p);
  let bus: BusDraft | undefined;
  if (d.bus !== undefined && d.port !== undefined) return void issues.push(describe(`${at}.port`, 'expected either bus or port, not both', d.port));
  if (d.bus !== undefined) {
    bus = buses.get(d.bus) ?? declaredOn(d.bus);
    if (!bus?.declared) {
      const names = [...buses.values()].filter((b) => b.declared).map((b) => b.name);
      return void issues.push(describe(`${at}.bus`, `expected the name of a bus in hal.serial.buses (${names.join(', ') || 'none declared'})`, d.bus));
    }
    for (const k of LINE_KEYS) if (d[k] !== undefined) issues.push(describe(`${at}.${k}`, `expected no ${k} here: the line is set on the bus (${bus.at})`, d[k]));
  } else if (d.port !== undefined) {
    const declared = declaredOn(d.port);
    if (declared) return void issues.push(describe(`${at}.port`, `expected bus: ${JSON.stringify(declared.name)} (this port is declared as ${declared.at})`, d.port));
    bus = buses.get(d.port);
    if (!bus) {
      claim(d.port, `${at}.port`);
      bus = { name: d.port, port: d.port, at, declared: false, timeoutMs: undefined, line: {}, entries: [] };
      buses.set(d.port, bus);
    }
    for (const k of LINE_KEYS) {
      const set = bus.line[k];
      if (d[k] === undefined) continue;
      if (!set) bus.line[k] = { value: d[k], at: `${at}.${k}` };
      else if (set.value !== d[k]) issues.push(describe(`${at}.${k}`, `expected ${JSON.stringify(set.value)} like ${set.at}: both are on the bus ${d.port}`, d[k]));
    }
  } else return void issues.push({ path: `${at}.bus`, message: 'expected bus: <a name from hal.serial.buses> or port: <serial port path>, but neither is set' });
  bus.entries.push(e);
  return bus;
}

/** The line of a bus (its meters' factory rate unless set), after checking its devices' addresses. */
function finishBus(bus: BusDraft, issues: SettingsIssue[]): BusPlan | undefined {
  // A declared bus nobody uses is most likely a typo in some device's bus:.
  if (bus.entries.length === 0) return void issues.push({ path: bus.at, message: `expected a device on this bus (one with bus: ${JSON.stringify(bus.name)}), but none is listed` });
  let baud = bus.line.baud?.value as number | undefined;
  if (baud === undefined) {
    const meters = bus.entries.flatMap((e) => (e.d.kind === 'meter' ? [e.d.model] : []));
    const rates = [...new Set(meters.map((m) => MODEL_DEFAULTS[m].baud))];
    if (rates.length > 1) {
      const models = meters.map((m) => `${m} ${MODEL_DEFAULTS[m].baud}`).join(', ');
      issues.push({ path: `${bus.at}.baud`, message: `expected the bus's baud rate: the factory rates of its meters differ (${models}), but it is not set` });
    }
    // A relay board's rate counts only on a bus without meters.
    baud = rates[0] ?? MODEL_DEFAULTS['modbus-relay'].baud;
  }
  checkAddresses(bus.name, bus.entries, issues);
  const parity = (bus.line.parity?.value as Parity | undefined) ?? 'none';
  const stopBits = (bus.line.stopBits?.value as StopBits | undefined) ?? 1;
  const reopenIntervalMs = (bus.line.reopenIntervalMs?.value as number | undefined) ?? DEVICE_DEFAULTS.reopenIntervalMs;
  return { name: bus.name, line: { port: bus.port, baud, parity, stopBits, reopenIntervalMs, at: `${bus.at}.port` } };
}

/** The bench keys as device-list entries (connector 1), with their own required-key messages. */
function benchEntries(s: SerialSettings, connectors: number, issues: SettingsIssue[]): Entry[] {
  const required = (path: string, what: string): void => void issues.push(describe(path, `expected ${what} when hal.driver is "serial"`, undefined));
  if (connectors !== 1) issues.push(describe('chargePoint.connectors', 'expected 1 with hal.driver "serial" and the single-connector keys (list the devices in hal.serial.devices for more connectors)', connectors));
  if (!s.pilot.port) required('hal.serial.pilot.port', "the OpenEVSE controller's serial port path (EVSE_PILOT_PORT)");
  if (!s.meter.port) required('hal.serial.meter.port', "the meter's serial port path (EVSE_METER_PORT)");
  const { pilot, meter, relay, rfid } = s;
  const baud = (b: number | undefined): { baud?: number } => (b === undefined ? {} : { baud: b });
  const out: Entry[] = [];
  if (pilot.port) out.push({ at: 'hal.serial.pilot', d: { kind: 'pilot', connector: 1, port: pilot.port, pollIntervalMs: pilot.pollIntervalMs, ...baud(pilot.baud) } });
  if (meter.port) out.push({ at: 'hal.serial.meter', d: { kind: 'meter', connector: 1, model: meter.model, port: meter.port, address: meter.address, pollIntervalMs: meter.pollIntervalMs, ...baud(meter.baud) } });
  if (relay.port) {
    const { port, address, coil, feedbackInput, deadlineMs } = relay;
    out.push({ at: 'hal.serial.relay', d: { kind: 'relay', connector: 1, port, address, coil, feedbackInput, deadlineMs, ...baud(relay.baud) } });
  }
  if (rfid.port) out.push({ at: 'hal.serial.rfid', d: { kind: 'rfid', model: rfid.model, port: rfid.port, ...baud(rfid.baud) } });
  return out;
}

/** The inputs and coils a relay-board entry uses (a contactor's, or the tamper switch's and its alarm). */
function boardUse(d: Extract<DeviceSettings, { kind: 'relay' | 'tamper' }>): { coils: number[]; inputs: number[] } {
  if (d.kind === 'tamper') return { coils: d.alarmCoil === undefined ? [] : [d.alarmCoil], inputs: [d.input] };
  return { coils: [d.coil ?? DEVICE_DEFAULTS.coil], inputs: [d.feedbackInput ?? DEVICE_DEFAULTS.feedbackInput, ...(d.readyInput === undefined ? [] : [d.readyInput])] };
}

/** Devices at one address: only the coils and inputs of one relay board (contactors, the tamper switch) may share it. */
function checkAddresses(bus: string, entries: readonly Entry[], issues: SettingsIssue[]): void {
  const seen = new Map<number, Entry[]>();
  for (const e of entries) {
    const d = e.d as Extract<DeviceSettings, { kind: 'meter' | 'relay' | 'tamper' }>;
    const address = d.address ?? (d.kind === 'meter' ? DEVICE_DEFAULTS.meterAddress : DEVICE_DEFAULTS.relayAddress);
    const before = seen.get(address) ?? [];
    seen.set(address, [...before, e]);
    const first = before[0];
    if (!first) continue;
    if (d.kind === 'tamper' || before.some((b) => b.d.kind === 'tamper')) {
      if (d.kind === 'meter' || before.some((b) => b.d.kind === 'meter')) {
        issues.push(describe(`${e.at}.address`, `expected an address not used by ${first.at} on the bus ${bus} (only the coils of one relay board share an address)`, address));
        continue;
      }
      const mine = boardUse(d as Extract<DeviceSettings, { kind: 'relay' | 'tamper' }>);
      for (const b of before) {
        const theirs = boardUse(b.d as Extract<DeviceSettings, { kind: 'relay' | 'tamper' }>);
        const input = mine.inputs.find((i) => theirs.inputs.includes(i));
        const coil = mine.coils.find((c) => theirs.coils.includes(c));
        if (input !== undefined) issues.push(describe(`${e.at}.${d.kind === 'tamper' ? 'input' : 'feedbackInput'}`, `expected an input ${b.at} does not use: both are on the relay board at address ${address} of the bus ${bus}`, input));
        if (coil !== undefined) issues.push(describe(`${e.at}.${d.kind === 'tamper' ? 'alarmCoil' : 'coil'}`, `expected a coil ${b.at} does not use: both are on the relay board at address ${address} of the bus ${bus}`, coil));
      }
      continue;
    }
    if (d.kind !== 'relay' || before.some((b) => b.d.kind !== 'relay')) {
      issues.push(describe(`${e.at}.address`, `expected an address not used by ${first.at} on the bus ${bus} (only the coils of one relay board share an address)`, address));
      continue;
    }
    for (const key of ['coil', 'feedbackInput'] as const) {
      const mine = d[key] ?? DEVICE_DEFAULTS[key];
      const clash = before.find((b) => ((b.d as typeof d)[key] ?? DEVICE_DEFAULTS[key]) === mine);
      if (clash) issues.push(describe(`${e.at}.${key}`, `expected a ${key} other than ${clash.at}'s: both are on the relay board at address ${address} of the bus ${bus}`, mine));
    }
  }
}

/** Connectors 1..n each need exactly one meter and one pilot, at most one relay board, and a contactor. */
function checkConnectors(entries: readonly Entry[], connectors: number, issues: SettingsIssue[]): void {
  const owner = new Map<string, string>();
  for (const { d, at } of entries) {
    if (d.kind === 'rfid' || d.kind === 'tamper') continue;
    if (d.connector > connectors) {
      issues.push(describe(`${at}.connector`, `expected a connector from 1 to ${connectors} (chargePoint.connectors)`, d.connector));
      continue;
    }
    const key = `${d.kind}:${d.connector}`;
    const first = owner.get(key);
    if (first) issues.push(describe(`${at}.connector`, `expected one ${d.kind} per connector: connector ${d.connector} already has ${first}`, d.connector));
    else owner.set(key, at);
  }
  for (let c = 1; c <= connectors; c++) {
    for (const kind of ['meter', 'pilot'] as const) {
      if (!owner.has(`${kind}:${c}`)) issues.push({ path: 'hal.serial.devices', message: `expected a ${kind} for connector ${c} (kind: ${kind}, connector: ${c}), but none is listed` });
    }
    // The OpenEVSE switches its own relay; a relay board, when listed, is the contactor instead.
    if (!owner.has(`relay:${c}`) && !owner.has(`pilot:${c}`)) {
      issues.push({ path: 'hal.serial.devices', message: `expected a contactor for connector ${c}: a relay (kind: relay) or a pilot whose controller switches one (openevse), but none is listed` });
    }
  }
}

function planDevice(e: Entry, bus: BusDraft | undefined, issues: SettingsIssue[]): DevicePlan {
  const { d, at } = e;
  const model = d.kind === 'relay' || d.kind === 'tamper' ? 'modbus-relay' : d.kind === 'pilot' ? 'openevse' : d.model;
  const defaults = MODEL_DEFAULTS[model];
  for (const key of defaults.unused?.keys ?? []) {
    if ((d as unknown as Record<string, unknown>)[key] !== undefined) issues.push({ path: `${at}.${key}`, message: `unknown key for model ${model} (${defaults.unused!.why})` });
  }
  const polled = {
    at,
    timeoutMs: d.timeoutMs ?? bus?.timeoutMs ?? defaults.timeoutMs,
    pollIntervalMs: d.pollIntervalMs ?? defaults.pollIntervalMs,
    missedPollsForFault: d.missedPollsForFault ?? defaults.missedPollsForFault,
  };
  const reopenIntervalMs = d.reopenIntervalMs ?? DEVICE_DEFAULTS.reopenIntervalMs;
  const line = (p: string): SerialLine => ({ port: p, baud: d.baud ?? defaults.baud, parity: d.parity ?? 'none', stopBits: d.stopBits ?? 1, reopenIntervalMs, at: `${at}.port` });
  switch (d.kind) {
    case 'meter':
      return { kind: 'meter', id: `meter:${d.connector}`, model: d.model, connector: d.connector, bus: bus?.name ?? '', address: d.address ?? DEVICE_DEFAULTS.meterAddress, ...polled };
    case 'relay': {
      const deadlineMs = d.deadlineMs ?? DEVICE_DEFAULTS.relayDeadlineMs;
      const feedbackInput = d.feedbackInput ?? DEVICE_DEFAULTS.feedbackInput;
      if (polled.pollIntervalMs >= deadlineMs) {
        // Name the key that was written: the poll interval, or the deadline against the default poll.
        if (d.pollIntervalMs !== undefined) issues.push(describe(`${at}.pollIntervalMs`, `expected less than deadlineMs (${deadlineMs}): the mirror contact is polled to confirm within it`, polled.pollIntervalMs));
        else issues.push(describe(`${at}.deadlineMs`, `expected more than the mirror contact's poll interval (${polled.pollIntervalMs} ms)`, deadlineMs));
      }
      if (d.readyInput !== undefined && d.readyInput === feedbackInput) issues.push(describe(`${at}.readyInput`, `expected an input other than feedbackInput (${feedbackInput})`, d.readyInput));
      const readyInput = d.readyInput === undefined ? {} : { readyInput: d.readyInput };
      return { kind: 'relay', id: `relay:${d.connector}`, connector: d.connector, bus: bus?.name ?? '', address: d.address ?? DEVICE_DEFAULTS.relayAddress, coil: d.coil ?? DEVICE_DEFAULTS.coil, feedbackInput, ...readyInput, deadlineMs, ...polled };
    }
    case 'pilot': {
      const hb = defaults.heartbeat!;
      const heartbeat = { intervalMs: d.heartbeatIntervalMs ?? hb.intervalMs, graceMs: d.heartbeatGraceMs ?? hb.graceMs, fallbackA: d.heartbeatFallbackA ?? hb.fallbackA };
      // The board counts whole seconds: pulses more often than once a second are only traffic.
      if (heartbeat.intervalMs > 0 && heartbeat.intervalMs < 1000) issues.push(describe(`${at}.heartbeatIntervalMs`, 'expected 0 (supervision off) or at least 1000', heartbeat.intervalMs));
      return { kind: 'pilot', id: `pilot:${d.connector}`, connector: d.connector, line: line(d.port), deadlineMs: d.deadlineMs ?? DEVICE_DEFAULTS.openevseDeadlineMs, heartbeat, ...polled };
    }
    case 'tamper':
      return {
        kind: 'tamper',
        id: 'tamper:0',
        bus: bus?.name ?? '',
        address: d.address ?? DEVICE_DEFAULTS.relayAddress,
        input: d.input,
        activeWhen: d.activeWhen ?? 'off',
        ...(d.alarmCoil !== undefined && { alarmCoil: d.alarmCoil }),
        ...polled,
        // A door switch needs no contactor's pace: five reads a second leave the bus to the meters.
        pollIntervalMs: d.pollIntervalMs ?? 200,
      };
    case 'rfid':
      return {
        kind: 'rfid',
        id: 'rfid',
        model: d.model,
        line: line(d.port),
        badFramesForFault: d.badFramesForFault ?? DEVICE_DEFAULTS.badFramesForFault,
        removalMs: d.removalMs ?? DEVICE_DEFAULTS.removalMs,
        uidFormat: d.uidFormat ?? DEVICE_DEFAULTS.uidFormat,
        ...polled,
      };
  }
}
