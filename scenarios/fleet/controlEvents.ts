/**
 * Live events of one fleet (status, connection, traffic, transaction) for control subscribers.
 * Nothing is attached to an agent while nobody subscribes: a subscription attaches listeners only
 * to the chargers and event types some subscriber asked for, and the last unsubscribe detaches
 * them, so 10,000 chargers pay for no event nobody reads.
 */
import type { Agent } from '../../agent/Agent.js';
import type { StatusChange } from '../../agent/charging/ConnectorController.js';
import type { OcppLinkState, TrafficRecord } from '../../agent/ocpp/OcppLink.js';
import { matches, type EventFilter, type FleetEvent, type FleetEventType } from './controlTypes.js';

interface Attachment {
  agent: Agent;
  types: Set<FleetEventType>;
  off: (() => void)[];
}

interface Subscriber {
  filter: EventFilter;
  listener: (event: FleetEvent) => void;
}

export class FleetEventTap {
  private readonly subscribers = new Set<Subscriber>();
  private readonly attached = new Map<string, Attachment>();

  constructor(private readonly chargers: () => Iterable<{ id: string; agent: Agent }>) {}

  get active(): boolean {
    return this.subscribers.size > 0;
  }

  subscribe(filter: EventFilter, listener: (event: FleetEvent) => void): () => void {
    const s: Subscriber = { filter, listener };
    this.subscribers.add(s);
    this.resync();
    return () => {
      if (this.subscribers.delete(s)) this.resync();
    };
  }

  /** A charger was launched: attach what the current subscribers want (nothing when none). */
  adopt(id: string, agent: Agent): void {
    if (this.subscribers.size > 0) this.sync(id, agent);
  }

  /** A charger left the fleet. */
  release(id: string): void {
    this.detach(id);
  }

  private wanted(id: string): Set<FleetEventType> {
    const types = new Set<FleetEventType>();
    for (const { filter } of this.subscribers) {
      if (filter.chargers && !filter.chargers.includes(id)) continue;
      for (const t of filter.types ?? (['status', 'connection', 'traffic', 'transaction'] as const)) types.add(t);
    }
    return types;
  }

  private resync(): void {
    for (const { id, agent } of this.chargers()) this.sync(id, agent);
  }

  private sync(id: string, agent: Agent): void {
    const want = this.wanted(id);
    const have = this.attached.get(id);
    if (have && sameSet(have.types, want)) return;
    this.detach(id);
    if (want.size > 0) this.attached.set(id, this.attach(id, agent, want));
  }

  private detach(id: string): void {
    const a = this.attached.get(id);
    if (!a) return;
    for (const off of a.off) off();
    this.attached.delete(id);
  }

  private publish(type: FleetEventType, charger: string, data: Record<string, unknown>): void {
    const event: FleetEvent = { type, charger, at: new Date().toISOString(), data };
    for (const s of this.subscribers) if (matches(s.filter, event)) s.listener(event);
  }

  private attach(id: string, agent: Agent, types: Set<FleetEventType>): Attachment {
    const off: (() => void)[] = [];
    if (types.has('status')) {
      const onStatus = (c: StatusChange) =>
        this.publish('status', id, { connectorId: c.connectorId, status: c.status, errorCode: c.errorCode, ...(c.info && { info: c.info }) });
      agent.on('status', onStatus);
      off.push(() => agent.off('status', onStatus));
    }
    if (types.has('connection')) {
      const onState = (state: OcppLinkState, previous: OcppLinkState) => this.publish('connection', id, { state, previous });
      const onDrop = (info: { code: number; reason: string }) => this.publish('connection', id, { state: 'disconnected', code: info.code, reason: info.reason });
      agent.link.on('state', onState);
      agent.link.on('disconnected', onDrop);
      off.push(() => {
        agent.link.off('state', onState);
        agent.link.off('disconnected', onDrop);
      });
    }
    if (types.has('traffic') || types.has('transaction')) {
      const onTraffic = this.trafficListener(id, types);
      agent.on('traffic', onTraffic);
      off.push(() => agent.off('traffic', onTraffic));
    }
    return { agent, types, off };
  }

  /**
   * Traffic as it passes; transaction events when the CSMS confirms a StartTransaction or
   * StopTransaction (1.6), or a TransactionEvent Started or Ended (2.0.1), in the same shape.
   */
  private trafficListener(id: string, types: Set<FleetEventType>): (r: TrafficRecord) => void {
    let calls: Map<string, Record<string, unknown>> | undefined;
    return (r) => {
      if (types.has('traffic')) this.publish('traffic', id, { direction: r.direction, kind: r.type, messageId: r.messageId, action: r.action, payload: r.payload });
      if (!types.has('transaction') || !TRANSACTION_ACTIONS.has(r.action ?? '')) return;
      if (r.type === 'call' && r.direction === 'out') (calls ??= new Map()).set(r.messageId, r.payload as Record<string, unknown>);
      else if (r.direction === 'in' && (r.type === 'result' || r.type === 'error')) {
        const call = calls?.get(r.messageId);
        calls?.delete(r.messageId);
        if (!call || r.type === 'error') return;
        const event = r.action === 'TransactionEvent' ? transactionEvent201(call, r.payload as Answer201) : transactionEvent16(r.action!, call, r.payload as Answer16);
        if (event) this.publish('transaction', id, event);
      }
    };
  }
}

const TRANSACTION_ACTIONS = new Set(['StartTransaction', 'StopTransaction', 'TransactionEvent']);
type Answer16 = { transactionId?: number; idTagInfo?: { status: string } };
type Answer201 = { idTokenInfo?: { status: string } };

function transactionEvent16(action: string, call: Record<string, unknown>, answer: Answer16): Record<string, unknown> {
  if (action === 'StartTransaction') {
    return { phase: 'started', connectorId: call.connectorId, transactionId: answer.transactionId, idTag: call.idTag, idTagStatus: answer.idTagInfo?.status, meterStart: call.meterStart };
  }
  return { phase: 'stopped', transactionId: call.transactionId, reason: call.reason ?? 'Local', meterStop: call.meterStop };
}

interface SampledValue201 {
  value: number;
  context?: string;
  measurand?: string;
  unitOfMeasure?: { unit?: string; multiplier?: number };
}

/** Wh of the Energy.Active.Import.Register value with `context` in a TransactionEvent's meterValue, if any. */
function registerWh(call: Record<string, unknown>, context: string): number | undefined {
  const values = ((call.meterValue ?? []) as { sampledValue: SampledValue201[] }[]).flatMap((m) => m.sampledValue);
  const v = values.find((x) => x.context === context && (x.measurand ?? 'Energy.Active.Import.Register') === 'Energy.Active.Import.Register');
  if (!v) return undefined;
  const multiplier = 10 ** (v.unitOfMeasure?.multiplier ?? 0);
  return Math.round(v.value * multiplier * (v.unitOfMeasure?.unit === 'kWh' ? 1000 : 1));
}

/**
 * A TransactionEvent Started or Ended said as the 1.6 event: the station's transactionId as the
 * number it stands for (evse-agent's are decimal: the same number its session history shows), the
 * EVSE as connectorId, stoppedReason as the reason.
 */
function transactionEvent201(call: Record<string, unknown>, answer: Answer201): Record<string, unknown> | undefined {
  const info = call.transactionInfo as { transactionId: string; stoppedReason?: string };
  const transactionId = /^\d+$/.test(info.transactionId) ? Number(info.transactionId) : info.transactionId;
  if (call.eventType === 'Started') {
    const idToken = call.idToken as { idToken: string } | undefined;
    return {
      phase: 'started',
      connectorId: (call.evse as { id: number } | undefined)?.id,
      transactionId,
      idTag: idToken?.idToken,
      idTagStatus: answer.idTokenInfo?.status,
      meterStart: registerWh(call, 'Transaction.Begin'),
      ocppVersion: '2.0.1',
    };
  }
  if (call.eventType === 'Ended') return { phase: 'stopped', transactionId, reason: info.stoppedReason ?? 'Local', meterStop: registerWh(call, 'Transaction.End'), ocppVersion: '2.0.1' };
  return undefined;
}

function sameSet<T>(a: Set<T>, b: Set<T>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}
