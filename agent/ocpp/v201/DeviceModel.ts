/**
 * The device model as the CSMS sees it (OCPP 2.0.1 §Provisioning): GetVariables, SetVariables and
 * the inventory of GetBaseReport, over the table in deviceModelVariables.ts. Key-backed variables
 * read and write the charger's stored configuration (the one the 1.6 keys use); facts are read
 * from the station when asked. Besides Actual, a variable may have read-only attributes its
 * definition lists (EVSE.Power MaxSet: the limit in force).
 *
 * Per charger: this object and the facts it is given; the table is module-level.
 */
import { definitionOf } from '../../ocpp16/configurationKeys.js';
import type { OcppConfiguration } from '../../store/OcppConfiguration.js';
import type {
  ComponentCriterionEnumType,
  ComponentType,
  ComponentVariableType,
  DataEnumType,
  GetVariableDataType,
  GetVariableResultType,
  ReportBaseEnumType,
  ReportDataType,
  SetVariableDataType,
  SetVariableResultType,
  VariableCharacteristicsType,
  VariableType,
} from '../../ocpp201/messages.js';
import { VARIABLES, type ExtraAttribute, type StationFacts, type VariableDefinition } from './deviceModelVariables.js';

export type { StationFacts } from './deviceModelVariables.js';

/** The values AvailabilityState takes (ConnectorStatusEnumType). */
const AVAILABILITY_STATES = 'Available,Occupied,Reserved,Unavailable,Faulted';

export type Lookup = { found: VariableDefinition; evseId: number } | { status: 'UnknownComponent' | 'UnknownVariable' };

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export class DeviceModel {
  constructor(
    private readonly config: OcppConfiguration,
    private readonly facts: StationFacts,
  ) {}

  /** One GetVariables entry. */
  get(request: GetVariableDataType): GetVariableResultType {
    const { component, variable } = request;
    const attributeType = request.attributeType ?? 'Actual';
    const lookup = this.lookup(component, variable);
    if ('status' in lookup) return { attributeStatus: lookup.status, attributeType, component, variable };
    if (attributeType !== 'Actual') {
      const read = lookup.found.attributes?.[attributeType];
      if (!read) return { attributeStatus: 'NotSupportedAttributeType', attributeType, component, variable };
      return { attributeStatus: 'Accepted', attributeType, attributeValue: read(this.facts, lookup.evseId), component, variable };
    }
    // B06: a write-only variable (a password) is never read back.
    if (this.mutability(lookup.found) === 'WriteOnly') return { attributeStatus: 'Rejected', attributeType, component, variable, attributeStatusInfo: { reasonCode: 'WriteOnly' } };
    return { attributeStatus: 'Accepted', attributeType, attributeValue: this.value(lookup.found, lookup.evseId), component, variable };
  }

  /**
   * One SetVariables entry: a key-backed, writable variable is changed in the stored configuration
   * (validated, persisted, effective at once — or RebootRequired when the key says so); anything
   * read-only, or a value the key does not take, is Rejected.
   */
  async set(request: SetVariableDataType): Promise<SetVariableResultType> {
    const { component, variable } = request;
    const attributeType = request.attributeType ?? 'Actual';
    const lookup = this.lookup(component, variable);
    if ('status' in lookup) return { attributeStatus: lookup.status, attributeType, component, variable };
    if (attributeType !== 'Actual') {
      // MaxSet and the like are what the station decides (e.g. the limit in force), not settable.
      if (lookup.found.attributes?.[attributeType]) return { attributeStatus: 'Rejected', attributeType, component, variable, attributeStatusInfo: { reasonCode: 'ReadOnly' } };
      return { attributeStatus: 'NotSupportedAttributeType', attributeType, component, variable };
    }
    const { key, write } = lookup.found;
    if (write) {
      const answer = await write(this.facts, request.attributeValue);
      if (answer.status === 'Accepted') return { attributeStatus: 'Accepted', attributeType, component, variable };
      return { attributeStatus: 'Rejected', attributeType, component, variable, attributeStatusInfo: { reasonCode: answer.reasonCode, additionalInfo: answer.additionalInfo } };
    }
    if (!key || this.mutability(lookup.found) === 'ReadOnly') return { attributeStatus: 'Rejected', attributeType, component, variable, attributeStatusInfo: { reasonCode: 'ReadOnly' } };
    const status = await this.config.change(key, request.attributeValue);
    if (status === 'Accepted' || status === 'RebootRequired') return { attributeStatus: status, attributeType, component, variable };
    return { attributeStatus: 'Rejected', attributeType, component, variable, attributeStatusInfo: { reasonCode: 'InvalidValue' } };
  }

  /**
   * The ReportData of a base report, in table order (station components first, then per EVSE):
   * FullInventory is every variable, ConfigurationInventory the writable ones, SummaryInventory
   * the availability of the station, its EVSEs and connectors.
   */
  report(base: ReportBaseEnumType): ReportDataType[] {
    const out: ReportDataType[] = [];
    for (const def of VARIABLES) {
      if (!this.exists(def)) continue;
      if (base === 'ConfigurationInventory' && this.mutability(def) === 'ReadOnly') continue;
      if (base === 'SummaryInventory' && def.variable !== 'AvailabilityState') continue;
      for (const evseId of this.evsesOf(def)) out.push(this.reportData(def, evseId));
    }
    return out;
  }

  /**
   * The ReportData of a GetReport (B08), in table order: the variables of the components that meet
   * any of `criteria` and that one of `componentVariables` names (each filter only when given).
   * A component meets Active, Available or Enabled when that variable of it is true or when it has
   * no such variable (it cannot be otherwise here), and Problem only when its Problem is true.
   * A componentVariable without `evse` names the component on every EVSE, without `variable` every
   * variable of the component, without a variable `instance` every instance.
   */
  select(criteria: readonly ComponentCriterionEnumType[] | undefined, componentVariables: readonly ComponentVariableType[] | undefined): ReportDataType[] {
    const out: ReportDataType[] = [];
    for (const def of VARIABLES) {
      if (!this.exists(def)) continue;
      for (const evseId of this.evsesOf(def)) {
        if (componentVariables?.length && !componentVariables.some((cv) => this.names(cv, def, evseId))) continue;
        if (criteria?.length && !criteria.some((c) => this.meets(def, evseId, c))) continue;
        out.push(this.reportData(def, evseId));
      }
    }
    return out;
  }

  private evsesOf(def: VariableDefinition): number[] {
    return def.scope === 'station' ? [0] : Array.from({ length: this.facts.evseCount }, (_, i) => i + 1);
  }

  /** Whether a GetReport componentVariable names this variable of this EVSE's component. */
  private names(cv: ComponentVariableType, def: VariableDefinition, evseId: number): boolean {
    const { component, variable } = cv;
    if (!same(component.name, def.component) || component.instance !== undefined) return false;
    if (component.evse !== undefined) {
      if (def.scope === 'station' || component.evse.id !== evseId) return false;
      if (def.scope === 'evse' ? component.evse.connectorId !== undefined : component.evse.connectorId !== undefined && component.evse.connectorId !== 1) return false;
    }
    if (variable === undefined) return true;
    return same(variable.name, def.variable) && (variable.instance === undefined || variable.instance === def.instance);
  }

  private meets(def: VariableDefinition, evseId: number, criterion: ComponentCriterionEnumType): boolean {
    const flag = VARIABLES.find((d) => d.component === def.component && d.scope === def.scope && d.variable === criterion && d.instance === undefined && this.exists(d));
    if (!flag) return criterion !== 'Problem';
    return this.value(flag, evseId) === 'true';
  }

  private reportData(def: VariableDefinition, evseId: number): ReportDataType {
    const mutability = this.mutability(def);
    return {
      component: componentOf(def, evseId),
      variable: { name: def.variable, ...(def.instance !== undefined && { instance: def.instance }) },
      variableAttribute: [{
        type: 'Actual',
        ...(mutability !== 'WriteOnly' && { value: this.value(def, evseId) }),
        mutability,
        persistent: def.key !== undefined || def.constant === true || def.write !== undefined,
        constant: def.constant === true && mutability === 'ReadOnly',
      }, ...Object.entries(def.attributes ?? {}).map(([type, read]) => {
        const fixed = def.constantAttributes?.includes(type as ExtraAttribute) === true;
        return { type: type as ExtraAttribute, value: read(this.facts, evseId), mutability: 'ReadOnly' as const, persistent: fixed, constant: fixed };
      })] as ReportDataType['variableAttribute'],
      variableCharacteristics: this.characteristics(def, evseId),
    };
  }

  /** The definition a component/variable names and its EVSE (0: the station), or why none. */
  lookup(component: ComponentType, variable: VariableType): Lookup {
    let componentKnown = false;
    for (const def of VARIABLES) {
      if (!same(def.component, component.name) || !this.exists(def)) continue;
      const evseId = this.evseOf(def, component);
      if (evseId === undefined) continue;
      componentKnown = true;
      if (same(def.variable, variable.name) && (def.instance ?? '') === (variable.instance ?? '')) return { found: def, evseId };
    }
    return { status: componentKnown ? 'UnknownVariable' : 'UnknownComponent' };
  }

  /** The EVSE a component addresses (0: the station), or undefined when it names none of ours. */
  private evseOf(def: VariableDefinition, component: ComponentType): number | undefined {
    if (component.instance !== undefined) return undefined;
    const { evse } = component;
    if (def.scope === 'station') return evse === undefined ? 0 : undefined;
    if (!evse || !Number.isInteger(evse.id) || evse.id < 1 || evse.id > this.facts.evseCount) return undefined;
    if (def.scope === 'evse') return evse.connectorId === undefined ? evse.id : undefined;
    return evse.connectorId === 1 ? evse.id : undefined;
  }

  private exists(def: VariableDefinition): boolean {
    if (def.present && !def.present(this.facts)) return false;
    return !def.onlyWhenOwned || (def.key !== undefined && this.config.isDelegated(def.key));
  }

  /** The key's value once its owner holds it (or for a plain key), else the fact. */
  private usesKey(def: VariableDefinition): def is VariableDefinition & { key: NonNullable<VariableDefinition['key']> } {
    return def.key !== undefined && (def.read === undefined || this.config.isDelegated(def.key));
  }

  private value(def: VariableDefinition, evseId: number): string {
    if (this.usesKey(def)) {
      const stored = this.config.getForCsms([def.key]).configurationKey[0]?.value ?? '';
      return stored === '' && def.emptyMeans ? def.emptyMeans(this.facts) : stored;
    }
    return def.read?.(this.facts, evseId) ?? '';
  }

  /** A key a service owns (SecurityProfile, AuthorizationKey) is writable only while it is owned. */
  private mutability(def: VariableDefinition): 'ReadOnly' | 'ReadWrite' | 'WriteOnly' {
    if (def.write) return 'ReadWrite';
    if (!this.usesKey(def)) return 'ReadOnly';
    const k = definitionOf(def.key);
    if (k.readonly || (k.owned && !this.config.isDelegated(def.key))) return 'ReadOnly';
    return k.writeOnly ? 'WriteOnly' : 'ReadWrite';
  }

  private characteristics(def: VariableDefinition, evseId: number): VariableCharacteristicsType {
    const out: VariableCharacteristicsType = { dataType: dataTypeOf(def), supportsMonitoring: def.monitorable === true };
    if (def.unit) out.unit = def.unit;
    if (def.variable === 'AvailabilityState') out.valuesList = AVAILABILITY_STATES;
    if (def.valuesList) out.valuesList = def.valuesList;
    if (def.maxLimit) out.maxLimit = def.maxLimit(this.facts, evseId);
    if (!this.usesKey(def)) return out;
    const k = definitionOf(def.key);
    if (k.min !== undefined) out.minLimit = k.min;
    if (k.max !== undefined) out.maxLimit = k.max;
    if (Array.isArray(k.members)) out.valuesList = k.members.join(',');
    return out;
  }
}

function dataTypeOf(def: VariableDefinition): DataEnumType {
  if (def.dataType) return def.dataType;
  if (!def.key) return 'string';
  const k = definitionOf(def.key);
  return k.type === 'csl' ? 'MemberList' : k.type;
}

function componentOf(def: VariableDefinition, evseId: number): ComponentType {
  if (def.scope === 'station') return { name: def.component };
  return { name: def.component, evse: def.scope === 'evse' ? { id: evseId } : { id: evseId, connectorId: 1 } };
}
