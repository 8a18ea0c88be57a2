/**
 * The initial values of the OCPP configuration keys, from the settings: the `ocpp:` section, and
 * `csms.pingIntervalMs` as the initial WebSocketPingInterval (rounded to seconds; an explicit
 * `ocpp.WebSocketPingInterval` wins) and `display.language` as the initial Language. Initial values only seed the store: a value the CSMS sets
 * persists and wins after a restart, and the agent runs on what the store says.
 */
import type { ConfigValue } from '../agent/store/OcppConfiguration.js';
import type { Settings } from './settings/settings.js';

export function ocppInitialValues(settings: Pick<Settings, 'csms' | 'ocpp'> & { readonly display?: Pick<Settings['display'], 'language'> }): Record<string, ConfigValue> {
  // `display.language` seeds the Language key (the CSMS may change it; an explicit ocpp.Language wins).
  const language: Record<string, ConfigValue> = settings.display ? { Language: settings.display.language } : {};
  return { WebSocketPingInterval: Math.round(settings.csms.pingIntervalMs / 1000), ...language, ...settings.ocpp };
}
