/**
 * The serial HAL built from the plan of `hal.serial` (bin/settings/serialPlan.ts, docs/hardware.md): per
 * connector an OpenEVSE controller (pilot, temperature sensors, and contactor unless a Modbus relay board serves the
 * connector), a Modbus meter and optionally a relay board; card readers for the whole charger.
 * Devices on one bus share one ModbusBus (requests serialized). Opening a port never fails here:
 * the drivers raise PORT_OPEN_FAILED and retry; that a configured port exists at all is checked
 * when the settings are loaded (loadSettings.ts: a typo in a path is a configuration error, exit 78).
 */
import type { Logger } from 'pino';
import type { ChargerHardware, Clock, ConnectorHardware, Device, Display, RfidReader } from '../hal/index.js';
import { METER_MAPS } from '../hal/serial/meters/meterMaps.js';
import { SdmMeter } from '../hal/serial/meters/SdmMeter.js';
import { ModbusBus } from '../hal/serial/modbus/ModbusBus.js';
import { Pn532Reader } from '../hal/serial/Pn532Reader.js';
import { RapiContactor } from '../hal/serial/rapi/RapiContactor.js';
import { RapiController } from '../hal/serial/rapi/RapiController.js';
import { RapiDisplay } from '../hal/serial/rapi/RapiDisplay.js';
import { RapiPilot } from '../hal/serial/rapi/RapiPilot.js';
import { RapiTemperature } from '../hal/serial/rapi/RapiTemperature.js';
import { Rdm6300Reader } from '../hal/serial/Rdm6300Reader.js';
import { ModbusRelay } from '../hal/serial/relays/ModbusRelay.js';
import { ModbusCoilOutput, ModbusTamperInput } from '../hal/serial/ModbusTamperInput.js';
import { planSerial, type PilotPlan, type RfidPlan, type SerialLine } from './settings/serialPlan.js';
import type { Settings } from './settings/settings.js';

const lineOptions = (line: SerialLine) => ({ path: line.port, baudRate: line.baud, parity: line.parity, stopBits: line.stopBits, reopenIntervalMs: line.reopenIntervalMs });

/** Builds the serial devices on `clock`; `close()` releases every device and port. */
/** Where the drivers' start-up retries are told (the HAL has no logger of its own). */
export type StartupLog = Pick<Logger, 'warn'>;

export function createSerialHardware(settings: Settings, clock: Clock, log?: StartupLog): ChargerHardware {
  const { plan, issues } = planSerial(settings);
  // parseSettings has reported these already; here they would be a bug.
  if (issues.length > 0) throw new Error(`serial hardware plan has problems: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  const buses = new Map(plan.buses.map((b) => [b.name, new ModbusBus({ ...lineOptions(b.line), clock })]));
  const busNamed = (name: string): ModbusBus => buses.get(name)!;

  const controllers: RapiController[] = [];
  const devices: Device[] = [];
  const readers: (RfidReader & { open(): Promise<void> })[] = [];
  const connectors: ConnectorHardware[] = [];
  // display.type rapi: the LCD of each connector's OpenEVSE board shows that connector.
  const displays: Display[] = [];
  const pilots = plan.devices.filter((d): d is PilotPlan => d.kind === 'pilot');
  for (let connectorId = 1; connectorId <= settings.chargePoint.connectors; connectorId++) {
    const p = pilots.find((d) => d.connector === connectorId)!;
    const controller = new RapiController({ id: p.id, clock, ...lineOptions(p.line), pollIntervalMs: p.pollIntervalMs, responseTimeoutMs: p.timeoutMs });
    controllers.push(controller);
    const pilot = new RapiPilot({
      id: p.id,
      controller,
      maxCurrentA: settings.chargePoint.maxCurrentA,
      missedPollsForFault: p.missedPollsForFault,
      heartbeat: p.heartbeat,
      onInitRetry: ({ step, attempt, delayMs, error }) => log?.warn({ device: p.id, step, attempt, retryInMs: delayMs, err: error }, 'OpenEVSE start-up step not confirmed; trying again'),
    });
    const m = plan.devices.find((d) => d.kind === 'meter' && d.connector === connectorId)!;
    if (m.kind !== 'meter') throw new Error('unreachable');
    const meter = new SdmMeter({
      id: m.id,
      clock,
      bus: busNamed(m.bus),
      map: METER_MAPS[m.model],
      address: m.address,
      pollIntervalMs: m.pollIntervalMs,
      missedPollsForFault: m.missedPollsForFault,
      responseTimeoutMs: m.timeoutMs,
    });
    const r = plan.devices.find((d) => d.kind === 'relay' && d.connector === connectorId);
    const relay =
      r?.kind === 'relay'
        ? new ModbusRelay({
            id: r.id,
            clock,
            bus: busNamed(r.bus),
            address: r.address,
            coil: r.coil,
            feedbackInput: r.feedbackInput,
            ...(r.readyInput !== undefined && { readyInput: r.readyInput }),
            deadlineMs: r.deadlineMs,
            pollIntervalMs: r.pollIntervalMs,
            missedPollsForFault: r.missedPollsForFault,
            responseTimeoutMs: r.timeoutMs,
          })
        : new RapiContactor({ id: `relay:${connectorId}`, clock, controller, deadlineMs: p.deadlineMs });
    // The board's temperature sensors (`$GP`); a board without any reads as unknown.
    const temperature = new RapiTemperature({ id: `temperature:${connectorId}`, controller });
    devices.push(relay, meter, pilot, temperature);
    connectors.push({ connectorId, relay, meter, pilot, temperature });
    if (settings.display.type === 'rapi') displays.push(new RapiDisplay({ id: `display:${connectorId}`, controller, connectors: [connectorId] }));
    // The controller reads its state once and the pilot puts the board to sleep (offer 0), retrying
    // until the board confirms it. A board that does not answer shows up as PILOT_FAULT from the
    // missed polls (or PORT_OPEN_FAILED), so nothing is thrown here; the pilot initializes itself
    // once the port is back.
    void controller
      .open()
      .then(() => pilot.init(settings.chargePoint.maxCurrentA))
      .catch(() => undefined);
  }
  for (const d of plan.devices) if (d.kind === 'rfid') readers.push(createReader(d, clock));
  const t = plan.devices.find((d) => d.kind === 'tamper');
  const tamper =
    t?.kind === 'tamper'
      ? new ModbusTamperInput({ id: t.id, clock, bus: busNamed(t.bus), address: t.address, input: t.input, activeWhen: t.activeWhen, pollIntervalMs: t.pollIntervalMs, missedPollsForFault: t.missedPollsForFault })
      : undefined;
  const alarm = t?.kind === 'tamper' && t.alarmCoil !== undefined ? new ModbusCoilOutput('alarm:0', busNamed(t.bus), t.address, t.alarmCoil) : undefined;
  if (tamper) devices.push(tamper);
  if (alarm) devices.push(alarm);
  for (const reader of readers) void reader.open();
  devices.push(...readers, ...displays);

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    // Devices first (each releases its bus; the last one closes the port), then the RAPI ports.
    closing ??= Promise.allSettled(devices.map((d) => d.release()))
      .then(() => Promise.allSettled(controllers.map((c) => c.close())))
      .then(() => undefined);
    return closing;
  };
  return { connectors, readers, ...(tamper && { tamper }), ...(alarm && { alarm }), ...(displays.length > 0 && { displays }), close };
}

function createReader(r: RfidPlan, clock: Clock): RfidReader & { open(): Promise<void> } {
  const line = { id: r.id, clock, ...lineOptions(r.line) };
  if (r.model === 'rdm6300') return new Rdm6300Reader({ ...line, garbageFaultThreshold: r.badFramesForFault, removalMs: r.removalMs, uidFormat: r.uidFormat });
  return new Pn532Reader({
    ...line,
    pollIntervalMs: r.pollIntervalMs,
    responseTimeoutMs: r.timeoutMs,
    missedPollsForFault: r.missedPollsForFault,
    garbageFaultThreshold: r.badFramesForFault,
  });
}
