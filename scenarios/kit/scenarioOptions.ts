/** What a scenario declares about its site: chargers, their hardware and configuration, the CSMS's answers. */
import type { SimulatedChargerOptions } from '../../hal/sim/createSimulatedCharger.js';
import type { ConfigInput } from '../../agent/store/OcppConfiguration.js';
import type { AuthorizationStatus, BootPolicy } from '../csms/CsmsReplies.js';
import type { Tariff } from '../csms/CsmsTariff.js';
import type { OcppVersion } from '../../agent/ocpp/ProtocolFace.js';

export interface ScenarioOptions {
  /** OCPP configuration keys the charger starts with (e.g. `{ MeterValueSampleInterval: 60 }`). */
  readonly ocpp?: Record<string, ConfigInput>;
  /** Simulated charger (connectors, EV battery, …) and its capabilities; the clock is the runner's. */
  readonly charger?: ScenarioChargerOptions;
  /** How the CSMS answers BootNotification (default: Accepted, heartbeat every hour). */
  readonly boot?: BootPolicy;
  /**
   * Known cards: uid → status; unknown cards are Invalid. Default: every card is Accepted. Under
   * 2.0.1 a key `Type:value` (`KeyCode:1234`) is that kind of idToken only, and comes before the
   * plain value; 2.0.1's statuses (NoCredit, NotAtThisTime …) read Invalid to a 1.6 charger.
   */
  readonly cards?: Readonly<Record<string, AuthorizationStatus>>;
  /** Wait for the charger to be booted and report its statuses before the body (default true). */
  readonly waitForBoot?: boolean;
  /**
   * How many chargers the site has (default 1, at most 16): each a real Agent with its own
   * simulated hardware, all on the same CSMS; `t.charger(2)` drives the second one.
   */
  readonly chargers?: number;
  /** Charge point ids, one per charger (default `SCENARIO-CP1`, `SCENARIO-CP2`, …). `--id` overrides them. */
  readonly ids?: readonly string[];
  /**
   * Prices and costs: the embedded CSMS prices every session with this tariff (OCA California
   * Pricing, scenarios/csms/CsmsTariff.ts), and each charger gets a simulated 20x4 driver display
   * showing them (`t.expect.display`; new screens on the timeline). An external CSMS prices as it does.
   */
  readonly tariff?: Tariff;
  /**
   * The scenario is for one OCPP version only, and why (its steps speak that version's messages,
   * e.g. `csms.expect('StartTransaction')`). It then runs on that version, and a run that asks for
   * the other one (`--ocpp`) skips it with the reason. Absent: version-neutral, it runs on the
   * version the run asks for (default 1.6).
   */
  readonly onlyOcpp?: { readonly version: OcppVersion; readonly reason: string };
}

export const OCPP_VERSIONS: readonly OcppVersion[] = ['1.6', '2.0.1'];

/** The simulated hardware of each charger, and what the charger itself can do. */
export type ScenarioChargerOptions = Omit<SimulatedChargerOptions, 'clock'> & {
  /**
   * The charger can ventilate the parking space: an EV asking for ventilation (pilot state D) may
   * charge. Default false, as `chargePoint.ventilation`: D is refused (Faulted, contactor open).
   */
  readonly ventilation?: boolean;
  /**
   * The charger takes firmware updates (UpdateFirmware, SignedUpdateFirmware) and runs this version
   * at the start: the simulator's installer (an image from `t.firmware.image`), signing certificates
   * checked against the ManufacturerRootCertificates installed with InstallCertificate. Sim HAL only.
   */
  readonly firmware?: string;
};

/** What a charge point id may be (it ends the CSMS URL path). */
export const CHARGE_POINT_ID = /^(?!\.+$)[A-Za-z0-9*_=+@.-]{1,48}$/;

/** Most chargers one scenario may declare (each is a real agent; a site, not a fleet). */
export const MAX_SCENARIO_CHARGERS = 16;
