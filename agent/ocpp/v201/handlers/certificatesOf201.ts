import type { CertificateControl } from '../../v16/ChargePointControl.js';
import { OcppCallError } from '../../errors.js';
import type { StationControl } from '../StationControl.js';

/** The station's certificate management, or the CallError NotSupported a station without it answers. */
export function certificatesOf201(station: StationControl): CertificateControl {
  if (!station.certificates) throw new OcppCallError('NotSupported', 'this charging station has no certificate management');
  return station.certificates;
}
