/**
 * The configuration as the dashboard shows it, read-only: the settings `evse run` started with and
 * the OCPP configuration keys now in force, with every secret replaced by {@link MASK} (a secret
 * that is not set stays absent, so one can see whether it is).
 */
import type { OcppConfiguration } from '../../agent/store/OcppConfiguration.js';
import type { Settings } from '../settings/settings.js';

export const MASK = '********';

/** Setting and OCPP key names whose values are secrets (compared without case): AuthorizationKey, a private key, … (a `keyFile` is a path, shown). */
const SECRET_NAME = /password|secret|salt|token|credential|key$/i;

export interface ConfigView {
  settings: unknown;
  ocpp: { key: string; readonly: boolean; value: string | null }[];
}

export function configView(settings: Settings | Record<string, unknown>, ocpp: Pick<OcppConfiguration, 'getForCsms'> | undefined): ConfigView {
  return {
    settings: masked(settings),
    ocpp: (ocpp?.getForCsms().configurationKey ?? []).map((k) => ({
      key: k.key,
      readonly: k.readonly,
      value: k.value === undefined ? null : SECRET_NAME.test(k.key) && k.value !== '' ? MASK : k.value,
    })),
  };
}

function masked(value: unknown, name = ''): unknown {
  if (SECRET_NAME.test(name) && typeof value === 'string' && value !== '') return MASK; // a switch (allowPlainPassword) is no secret
  if (Array.isArray(value)) return value.map((v) => masked(v));
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, masked(v, k)]));
  // A URL may carry a user and password (mqtt://user:pass@host).
  if (typeof value === 'string' && /^[a-z][a-z0-9+.-]*:\/\/[^/@\s]*:[^/@\s]*@/i.test(value)) return value.replace(/(\/\/[^/:@\s]*):[^/@\s]*@/, `$1:${MASK}@`);
  return value;
}
