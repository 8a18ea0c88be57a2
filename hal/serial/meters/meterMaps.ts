/**
 * Every meter model `hal.serial` accepts, by the name used in config (`model: sdm630`). Adding a
 * meter is its register map (a file like sdm630.ts) plus one line here (docs/hardware.md).
 * Pure data: the settings check imports it without loading any serial driver.
 */
import type { MeterRegisterMap } from './RegisterMap.js';
import { SDM120 } from './sdm120.js';
import { SDM630 } from './sdm630.js';

export const METER_MAPS = { sdm630: SDM630, sdm120: SDM120 } as const satisfies Readonly<Record<string, MeterRegisterMap>>;

export type MeterModel = keyof typeof METER_MAPS;
