/**
 * The serial HAL of one connector from `hal.serial` (docs/hardware.md): an OpenEVSE controller
 * (pilot, and contactor unless a Modbus relay board is configured), a Modbus meter, optionally a
 * relay board on the meter's bus or its own, and a card reader. Devices on one port share one
 * ModbusBus (requests serialized). Opening a port never fails here: the drivers raise
 * PORT_OPEN_FAILED and retry; that a configured port exists at all is checked when the settings
 * are loaded (loadSettings.ts: a typo in a path is a configuration error, exit 78).
 */
import type { ChargerHardware, Clock, Device, RfidReader } from '../hal/index.js';
import { SdmMeter } from '../hal/serial/meters/SdmMeter.js';
import { SDM120 } from '../hal/serial/meters/sdm120.js';
import { SDM630 } from '../hal/serial/meters/sdm630.js';
import { ModbusBus } from '../hal/serial/modbus/ModbusBus.js';
import { Pn532Reader } from '../hal/serial/Pn532Reader.js';
import { RapiContactor } from '../hal/serial/rapi/RapiContactor.js';
import { RapiController } from '../hal/serial/rapi/RapiController.js';
import { RapiPilot } from '../hal/serial/rapi/RapiPilot.js';
import { Rdm6300Reader } from '../hal/serial/Rdm6300Reader.js';
import { ModbusRelay } from '../hal/serial/relays/ModbusRelay.js';
import type { Settings } from './settings.js';

const METER_MAPS = { sdm630: SDM630, sdm120: SDM120 } as const;
/** Factory baud rates of the devices whose drivers take no register map. */
const DEFAULT_BAUD = { openevse: 115200, relayBoard: 9600, pn532: 115200, rdm6300: 9600 } as const;

type SerialSettings = Settings['hal']['serial'];

/** Builds connector 1's serial devices on `clock`; `close()` releases every device and port. */
export function createSerialHardware(settings: Settings, clock: Clock): ChargerHardware {
  const s: SerialSettings = settings.hal.serial;
  const map = METER_MAPS[s.meter.model];
  const buses = new Map<string, ModbusBus>();
  const busOn = (path: string, baudRate: number): ModbusBus => {
    let bus = buses.get(path);
    if (!bus) buses.set(path, (bus = new ModbusBus({ path, clock, baudRate })));
    return bus;
  };

  const controller = new RapiController({ id: 'pilot:1', clock, path: s.pilot.port, baudRate: s.pilot.baud ?? DEFAULT_BAUD.openevse, pollIntervalMs: s.pilot.pollIntervalMs });
  const pilot = new RapiPilot({ id: 'pilot:1', controller, maxCurrentA: settings.chargePoint.maxCurrentA });
  const meterBaud = s.meter.baud ?? (s.relay.port === s.meter.port ? s.relay.baud : undefined) ?? map.defaultBaudRate;
  const meter = new SdmMeter({ id: 'meter:1', clock, bus: busOn(s.meter.port, meterBaud), map, address: s.meter.address, pollIntervalMs: s.meter.pollIntervalMs });
  const relay = s.relay.port
    ? new ModbusRelay({
        id: 'relay:1',
        clock,
        bus: busOn(s.relay.port, s.relay.baud ?? DEFAULT_BAUD.relayBoard),
        address: s.relay.address,
        coil: s.relay.coil,
        feedbackInput: s.relay.feedbackInput,
        deadlineMs: s.relay.deadlineMs,
      })
    : new RapiContactor({ id: 'relay:1', clock, controller });
  const reader = createReader(s.rfid, clock);

  // The controller reads its state once and the pilot puts the board to sleep (offer 0). A board
  // that does not answer shows up as PILOT_FAULT from the missed polls, so nothing is thrown here.
  void controller
    .open()
    .then(() => pilot.init(settings.chargePoint.maxCurrentA))
    .catch(() => undefined);
  void reader?.open();

  const devices: Device[] = [relay, meter, pilot, ...(reader ? [reader] : [])];
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    // Devices first (each releases its bus; the last one closes the port), then the RAPI port.
    closing ??= Promise.allSettled(devices.map((d) => d.release()))
      .then(() => controller.close())
      .then(() => undefined);
    return closing;
  };
  const readers: RfidReader[] = reader ? [reader] : [];
  return { connectors: [{ connectorId: 1, relay, meter, pilot }], readers, close };
}

function createReader(rfid: SerialSettings['rfid'], clock: Clock): (RfidReader & { open(): Promise<void> }) | undefined {
  if (!rfid.port) return undefined;
  if (rfid.model === 'rdm6300') return new Rdm6300Reader({ id: 'rfid:0', clock, path: rfid.port, baudRate: rfid.baud ?? DEFAULT_BAUD.rdm6300 });
  return new Pn532Reader({ id: 'rfid:0', clock, path: rfid.port, baudRate: rfid.baud ?? DEFAULT_BAUD.pn532 });
}
