/**
 * GetMonitoringReport (OCPP 2.0.1 N02): which monitors a request asks for, as the MonitoringData of
 * NotifyMonitoringReport pages (one entry per component and variable, its monitors in id order).
 *
 * - monitoringCriteria: ThresholdMonitoring (Upper/LowerThreshold), DeltaMonitoring (Delta),
 *   PeriodicMonitoring (Periodic, PeriodicClockAligned); none given: every type.
 * - componentVariable: a monitor is reported when one entry names its component (name; the EVSE
 *   when the entry gives one) and, if the entry names a variable, that variable; none given: all.
 */
import type { Logger } from 'pino';
import type { OcppLink } from '../OcppLink.js';
import type {
  ComponentVariableType,
  MonitorEnumType,
  MonitoringCriterionEnumType,
  MonitoringDataType,
  VariableMonitoringType,
} from '../../ocpp201/messages.js';
import type { StoredMonitor } from '../../store/VariableMonitorStore.js';
import { sendPages } from './call201.js';

const CRITERION: Readonly<Record<MonitorEnumType, MonitoringCriterionEnumType>> = {
  UpperThreshold: 'ThresholdMonitoring',
  LowerThreshold: 'ThresholdMonitoring',
  Delta: 'DeltaMonitoring',
  Periodic: 'PeriodicMonitoring',
  PeriodicClockAligned: 'PeriodicMonitoring',
};

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** Monitors live on EVSE components here (EVSE n, no connector, no instance). */
function named(m: StoredMonitor, wanted: ComponentVariableType): boolean {
  const { component, variable } = wanted;
  if (!same(component.name, 'EVSE') || component.instance !== undefined) return false;
  if (component.evse && (component.evse.id !== m.evseId || component.evse.connectorId !== undefined)) return false;
  return !variable || (same(variable.name, m.variable) && variable.instance === undefined);
}

/**
 * The pages of the report: at most `perPage` monitors each (a component's variable with more
 * monitors continues on the next page), in the order given; no page when nothing matched.
 */
export function monitoringReportPages(
  monitors: readonly StoredMonitor[],
  criteria: readonly MonitoringCriterionEnumType[] | undefined,
  componentVariable: readonly ComponentVariableType[] | undefined,
  perPage: number,
): MonitoringDataType[][] {
  const chosen = monitors.filter((m) => (!criteria || criteria.includes(CRITERION[m.type])) && (!componentVariable || componentVariable.some((cv) => named(m, cv))));
  const pages: MonitoringDataType[][] = [];
  for (let at = 0; at < chosen.length; at += perPage) {
    const page: MonitoringDataType[] = [];
    for (const m of chosen.slice(at, at + perPage)) {
      const monitoring: VariableMonitoringType = { id: m.id, transaction: m.transaction, value: m.value, type: m.type, severity: m.severity };
      const last = page.at(-1);
      if (last && last.component.evse?.id === m.evseId && last.variable.name === m.variable) last.variableMonitoring.push(monitoring);
      else page.push({ component: { name: 'EVSE', evse: { id: m.evseId } }, variable: { name: m.variable }, variableMonitoring: [monitoring] });
    }
    pages.push(page);
  }
  return pages;
}

/** NotifyMonitoringReport pages in order, seqNo 0.., tbc on all but the last; a page that fails ends the report. */
export async function sendMonitoringReport(link: Pick<OcppLink, 'call'>, log: Logger, report: { requestId: number; generatedAt: string; pages: MonitoringDataType[][] }): Promise<void> {
  const { requestId, generatedAt, pages } = report;
  await sendPages(link, log, { action: 'NotifyMonitoringReport', requestId, count: pages.length }, (seqNo, last) => ({
    requestId, generatedAt, seqNo, tbc: !last, monitor: pages[seqNo] as [MonitoringDataType, ...MonitoringDataType[]],
  }));
}
