import { OcppCallError } from '../../errors.js';
import type { CertificateControl, ChargePointControl } from '../ChargePointControl.js';

/** The certificate service, or a NotSupported CallError for a charger without one (the Security Whitepaper's messages have no status for that). */
export function certificatesOf(control: ChargePointControl): CertificateControl {
  if (!control.certificates) throw new OcppCallError('NotSupported', 'this charger has no certificate management');
  return control.certificates;
}
