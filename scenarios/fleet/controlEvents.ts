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

  /** Traffic as it passes; transaction events when the CSMS confirms a StartTransaction or StopTransaction. */
  private trafficListener(id: string, types: Set<FleetEventType>): (r: TrafficRecord) => void {
    let calls: Map<string, Record<string, unknown>> | undefined;
    return (r) => {
      if (types.has('traffic')) this.publish('traffic', id, { direction: r.direction, kind: r.type, messageId: r.messageId, action: r.action, payload: r.payload });
      if (!types.has('transaction') || (r.action !== 'StartTransaction' && r.action !== 'StopTransaction')) return;
      if (r.type === 'call' && r.direction === 'out') (calls ??= new Map()).set(r.messageId, r.payload as Record<string, unknown>);
      else if (r.direction === 'in' && (r.type === 'result' || r.type === 'error')) {
        const call = calls?.get(r.messageId);
        calls?.delete(r.messageId);
        if (!call || r.type === 'error') return;
        const answer = r.payload as { transactionId?: number; idTagInfo?: { status: string } };
        if (r.action === 'StartTransaction') {
          this.publish('transaction', id, {
            phase: 'started',
            connectorId: call.connectorId,
            transactionId: answer.transactionId,
            idTag: call.idTag,
            idTagStatus: answer.idTagInfo?.status,
            meterStart: call.meterStart,
          });
        } else {
          this.publish('transaction', id, { phase: 'stopped', transactionId: call.transactionId, reason: call.reason ?? 'Local', meterStop: call.meterStop });
        }
      }
    };
  }
}

function sameSet<T>(a: Set<T>, b: Set<T>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}
