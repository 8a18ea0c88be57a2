/**
 * `--rig sim-devices`: a bench without hardware, for trying the serial path end to end. The
 * project's device simulators sit on the far ends of socat pty pairs, and the agent's real
 * serial drivers open the near ends (the same as `evse run` with EVSE_HAL=serial):
 *
 * - an OpenEVSE controller (RapiResponder): the rig's EV sets its pilot reading — B when plugged
 *   in, C once the controller offers current (the EV "sees PWM") unless suspended, A unplugged;
 *   relay faults and pilot errors are the controller's own fault states;
 * - an SDM630 Modbus slave (SdmMeterSim on ModbusSlaveSim): while the controller's relay is
 *   closed with the EV in C, it integrates `offered A × 230 V × 3` on the wall clock; meter
 *   faults make the slave silent or its values NaN;
 * - a PN532 (Pn532Sim) or an RDM6300 (Rdm6300Emitter) presents the cards.
 *
 * Needs socat (apt-get install socat). Real time: follows the controller every 100 ms.
 */
import type { Clock, TimerId } from '../../../hal/clock.js';
import { ModbusSlaveSim } from '../../../hal/serial/deviceSims/ModbusSlaveSim.js';
import { Pn532Sim } from '../../../hal/serial/deviceSims/Pn532Sim.js';
import { PtyPair } from '../../../hal/serial/deviceSims/PtyPair.js';
import { RapiResponder } from '../../../hal/serial/deviceSims/RapiResponder.js';
import { Rdm6300Emitter } from '../../../hal/serial/deviceSims/Rdm6300Emitter.js';
import { SdmMeterSim } from '../../../hal/serial/deviceSims/SdmMeterSim.js';
import { RigRefusal, type EvAction, type FaultKind, type FaultMode, type Rig, type RigOutcome } from './Rig.js';

const FOLLOW_MS = 100;
const VOLTAGE_V = 230;
/** OpenEVSE "diode check failed": the controller's own pilot fault. */
const RAPI_DIODE_CHECK_FAILED = 0x05;
/** EVSE states with the relay closed and a vehicle in C or D. */
const DELIVERING = new Set([0x03, 0x04]);

export interface SimDevicesRigOptions {
  readonly clock: Clock;
  readonly rfidModel?: 'pn532' | 'rdm6300';
}

export class SimDevicesRig implements Rig {
  readonly name = 'sim-devices over socat ptys';
  private plugged = false;
  private suspended = false;
  private pilotError: 'E' | undefined;
  private shown: 'A' | 'B' | 'C' | 'E' = 'A';
  private timer: TimerId | undefined;
  private closed = false;
  private following: Promise<void> = Promise.resolve();

  private constructor(
    private readonly clock: Clock,
    private readonly ptys: { pilot: PtyPair; bus: PtyPair; rfid: PtyPair },
    readonly responder: RapiResponder,
    readonly slave: ModbusSlaveSim,
    readonly meter: SdmMeterSim,
    private readonly reader: Pn532Sim | Rdm6300Emitter,
    private readonly rfidModel: 'pn532' | 'rdm6300',
  ) {}

  /** Creates the three pty pairs and opens the simulators on their device ends. */
  static async start({ clock, rfidModel = 'pn532' }: SimDevicesRigOptions): Promise<SimDevicesRig> {
    const made: PtyPair[] = [];
    try {
      for (let i = 0; i < 3; i++) made.push(await PtyPair.create());
      const [pilot, bus, rfid] = made as [PtyPair, PtyPair, PtyPair];
      const responder = new RapiResponder(pilot.devicePath);
      const meter = new SdmMeterSim('sdm630', clock, 0);
      const slave = new ModbusSlaveSim(bus.devicePath, 9600);
      slave.units.set(1, meter);
      const reader = rfidModel === 'pn532' ? new Pn532Sim(rfid.devicePath) : new Rdm6300Emitter(rfid.devicePath);
      await Promise.all([responder.open(), slave.open(), reader.open()]);
      const rig = new SimDevicesRig(clock, { pilot, bus, rfid }, responder, slave, meter, reader, rfidModel);
      rig.schedule();
      return rig;
    } catch (err) {
      for (const p of made) await p.dispose().catch(() => undefined);
      throw err;
    }
  }

  /** The EVSE_* variables that point `evse run`'s serial drivers at this rig. */
  get environment(): Record<string, string> {
    return {
      EVSE_HAL: 'serial',
      EVSE_PILOT_PORT: this.ptys.pilot.driverPath,
      EVSE_METER_PORT: this.ptys.bus.driverPath,
      EVSE_METER_MODEL: 'sdm630',
      EVSE_METER_ADDRESS: '1',
      EVSE_RFID_PORT: this.ptys.rfid.driverPath,
      EVSE_RFID_MODEL: this.rfidModel,
    };
  }

  async ev(action: EvAction): Promise<RigOutcome> {
    if (action === 'plugIn' || action === 'unplug') this.plugged = action === 'plugIn';
    if (action === 'plugIn' || action === 'resume') this.suspended = false;
    if (action === 'suspend') this.suspended = true;
    await this.follow();
    return 'done';
  }

  setSoC(): Promise<RigOutcome> {
    return Promise.reject(new RigRefusal('the sim-devices rig has no EV battery model; the controller only sees the pilot'));
  }

  async presentCard(uid: string): Promise<RigOutcome> {
    if (this.reader instanceof Pn532Sim) this.reader.presentCard(uid);
    else {
      if (uid.length !== 10) throw new RigRefusal(`an RDM6300 reads 5-byte EM4100 cards (10 hex digits), got ${uid}`);
      await this.reader.sendCard(uid);
    }
    return 'done';
  }

  async fault<K extends FaultKind>(kind: K, mode: FaultMode<K>): Promise<RigOutcome> {
    if (kind === 'tamper') throw new RigRefusal('the sim-devices bench has no cabinet switch: run this scenario on the simulated HAL or at a bench (--rig prompt)');
    const r = this.responder;
    if (kind === 'meter') {
      this.meter.mode = mode === 'timeout' ? 'silent' : 'answer';
      this.meter.invalid = mode === 'invalid';
    } else if (kind === 'relay') {
      await (mode === 'welded' ? r.weld() : mode === 'stuck' ? r.stick() : r.repair());
    } else if (mode === 'F') {
      await r.setError(RAPI_DIODE_CHECK_FAILED);
    } else {
      this.pilotError = mode === 'E' ? 'E' : undefined;
      if (mode === 'clear') await r.setError(undefined);
      await this.follow();
    }
    return 'done';
  }

  /** The board's ambient sensor (MCP9808) reads it; the others stay not fitted. */
  setTemperature(celsius: number): Promise<RigOutcome> {
    this.responder.temperatures[1] = Math.round(celsius * 10);
    return Promise.resolve('done');
  }

  describe(): string {
    const on = DELIVERING.has(this.responder.evseState);
    return `EV pilot ${this.shown}, controller state 0x${this.responder.evseState.toString(16).padStart(2, '0')}, ${on ? `${this.responder.amps} A offered` : 'no power'}`;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.clock.clearTimeout(this.timer);
    await this.following.catch(() => undefined);
    await Promise.allSettled([this.responder.close(), this.slave.close(), this.reader.close()]);
    for (const p of Object.values(this.ptys)) await p.dispose().catch(() => undefined);
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = this.clock.setTimeout(() => {
      void this.follow().finally(() => this.schedule());
    }, FOLLOW_MS);
  }

  /** The EV reacts to the controller (PWM offered or not), and the meter to the relay. */
  private follow(): Promise<void> {
    this.following = this.following.then(async () => {
      const r = this.responder;
      const offered = r.evseState === 0x02 || DELIVERING.has(r.evseState);
      const want = !this.plugged ? 'A' : this.pilotError ?? (this.suspended || !offered ? 'B' : 'C');
      if (want !== this.shown) {
        this.shown = want;
        await r.setVehicle(want);
      }
      this.meter.setPower(DELIVERING.has(r.evseState) ? r.amps * VOLTAGE_V * 3 : 0, 3);
    });
    return this.following;
  }
}
