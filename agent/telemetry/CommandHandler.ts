/**
 * MQTT commands (opt-in): `<base>/cmd/<name>` → connector events, the same way RemoteControl turns
 * a CSMS request into them; every command gets one reply (docs/mqtt.md, "Commands").
 *
 * Who may send a command is the broker's business (topic ACL): the agent cannot tell senders
 * apart. What a command may do is the agent's: payloads are validated strictly
 * (./commandPayloads.ts) and an invalid one changes nothing; a session starts only for an idTag
 * that passes the same authorization as a card (local list, cache, CSMS).
 */
import type { IPublishPacket, MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { Agent } from '../Agent.js';
import type { ConnectorController } from '../charging/ConnectorController.js';
import type { CurrentLimits } from '../store/CurrentLimits.js';
import { parseCommand, type Command, type CommandTarget } from './commandPayloads.js';
import type { CommandReplyPayload, TelemetryTopics } from './topics.js';

export interface CommandHandlerOptions {
  agent: Agent;
  client: MqttClient;
  topics: TelemetryTopics;
  log: Logger;
  /** Topics a response topic may not name (the agent's own state, discovery): replies go to the default topic instead. */
  protectedPrefixes?: string[];
  /** Where `set_current_limit` keeps its limits across restarts; applied by {@link CommandHandler.start}. */
  limits: CurrentLimits;
}

/** Statuses a session may start in (as for RemoteStartTransaction). */
const STARTABLE = new Set(['Available', 'Preparing', 'Finishing', 'Reserved']);

export class CommandHandler {
  private readonly detach: (() => void)[] = [];
  private active = false;

  constructor(private readonly o: CommandHandlerOptions) {}

  /**
   * Applies the stored current limits (broker reachable or not), then subscribes (QoS 1) now if
   * connected and again after every connect (the session is clean).
   */
  start(): void {
    if (this.active) return;
    this.active = true;
    const { client, topics, agent } = this.o;
    for (const [connectorId, amps] of this.o.limits.entries()) {
      const c = agent.connector(connectorId);
      if (!c) {
        this.o.log.warn({ connector: connectorId, amps }, 'stored current limit for a connector this charger does not have: ignored');
        continue;
      }
      c.send({ type: 'SET_LIMIT', amps });
      this.o.log.info({ connector: connectorId, amps }, 'stored MQTT current limit applied');
    }
    const subscribe = () =>
      client.subscribe(topics.commands, { qos: 1 }, (err) => {
        if (err) this.o.log.warn({ err: err.message }, 'MQTT command subscription failed');
      });
    const onMessage = (topic: string, payload: Buffer, packet: IPublishPacket) => {
      if (!topic.startsWith(`${topics.base}/cmd/`)) return;
      const name = topic.slice(topics.base.length + 5);
      if (name.includes('/')) return;
      void this.handle(topic, name, payload, packet);
    };
    client.on('connect', subscribe);
    client.on('message', onMessage);
    this.detach.push(() => {
      client.off('connect', subscribe);
      client.off('message', onMessage);
      if (client.connected) client.unsubscribe(topics.commands);
    });
    if (client.connected) subscribe();
  }

  stop(): void {
    this.active = false;
    for (const d of this.detach.splice(0)) d();
  }

  private async handle(topic: string, name: string, payload: Buffer, packet: IPublishPacket): Promise<void> {
    const parsed = parseCommand(name, payload, this.target());
    const echo = parsed.correlation !== undefined ? { correlation: parsed.correlation } : {};
    let reply: CommandReplyPayload;
    if (!parsed.ok) {
      reply = { ok: false, error: parsed.error, ...echo };
    } else {
      try {
        reply = { ...(await this.execute(parsed.command)), ...echo };
      } catch (err) {
        reply = { ok: false, error: `failed: ${err instanceof Error ? err.message : String(err)}`, ...echo };
      }
    }
    this.o.log.info({ command: name, ok: reply.ok, error: reply.error }, 'MQTT command');
    this.reply(topic, packet, reply);
  }

  private async execute(cmd: Command): Promise<CommandReplyPayload> {
    const { agent } = this.o;
    const targets = (connector: number) => (connector === 0 ? [...agent.connectors] : [agent.connector(connector)].filter((c) => c !== undefined));
    switch (cmd.name) {
      case 'set_current_limit': {
        // A limit at (or above) the hardware maximum is no limit: nothing to keep.
        const changes = targets(cmd.connector).map((c) => {
          c.send({ type: 'SET_LIMIT', amps: cmd.amps });
          return { connectorId: c.connectorId, amps: cmd.amps >= this.maxCurrentA(c.connectorId) ? undefined : cmd.amps };
        });
        const persisted = await this.o.limits.set(changes);
        return { ok: true, ...(!persisted && { persisted }) };
      }
      case 'set_availability': {
        // As ChangeAvailability: a running transaction finishes first (scheduled), and the choice is persisted.
        let scheduled = false;
        const writes: Promise<void>[] = [];
        for (const c of targets(cmd.connector)) {
          if (!cmd.operative && c.hasTransaction) scheduled = true;
          c.send({ type: 'SET_AVAILABILITY', operative: cmd.operative });
          writes.push(agent.availability.set(c.connectorId, cmd.operative));
        }
        await Promise.all(writes);
        return { ok: true, ...(scheduled && { scheduled }) };
      }
      case 'start_session':
        return this.startSession(cmd.idTag, cmd.connector);
      case 'stop_session': {
        const c = agent.connector(cmd.connector);
        if (!c?.hasTransaction) return { ok: false, error: `no transaction on connector ${cmd.connector}` };
        c.send({ type: 'STOP', reason: 'Remote' });
        return { ok: true };
      }
    }
  }

  /**
   * Like a RemoteStartTransaction with AuthorizeRemoteTxRequests = true, whatever that key says:
   * the CSMS may waive authorization for its own requests, but an MQTT sender is not the CSMS,
   * so the idTag must pass the card rules (local list, cache, Authorize.req) and the session
   * inherits its parentIdTag. The connector is chosen as for a remote start.
   */
  private async startSession(idTag: string, connectorId: number | undefined): Promise<CommandReplyPayload> {
    const pick = (): ConnectorController | undefined => {
      const usable = this.o.agent.connectors.filter(
        (c) => STARTABLE.has(c.status) && !c.hasTransaction && (c.status !== 'Reserved' || c.isReservedFor({ idTag })),
      );
      if (connectorId !== undefined) return usable.find((c) => c.connectorId === connectorId);
      return usable.find((c) => c.status === 'Reserved') ?? usable.find((c) => c.status === 'Preparing') ?? usable[0];
    };
    const where = connectorId !== undefined ? `connector ${connectorId}` : 'any connector';
    // Checked before asking the CSMS (no Authorize for nothing) and again after (time has passed).
    if (!pick()) return { ok: false, error: `no session can start on ${where}` };
    const result = await this.o.agent.authorize(idTag);
    if (result.status !== 'Accepted') return { ok: false, error: `idTag not authorized (${result.status})` };
    const connector = pick();
    if (!connector) return { ok: false, error: `no session can start on ${where}` };
    connector.send({ type: 'AUTHORIZED', idTag, remote: true, ...(result.parentIdTag !== undefined && { parentIdTag: result.parentIdTag }) });
    return { ok: true, connector: connector.connectorId };
  }

  private target(): CommandTarget {
    return { connectorIds: this.o.agent.connectors.map((c) => c.connectorId), maxCurrentA: (id) => this.maxCurrentA(id) };
  }

  private maxCurrentA(connectorId: number): number {
    return this.o.agent.options.hardware.connectors.find((c) => c.connectorId === connectorId)?.pilot.maxCurrentA ?? 0;
  }

  /** To the MQTT 5 response topic (with its correlation data) when given and allowed, else `<topic>/result`. */
  private reply(topic: string, packet: IPublishPacket, reply: CommandReplyPayload): void {
    const props = packet.properties;
    const requested = props?.responseTopic;
    const { base } = this.o.topics;
    const forbidden = [`${base}/`, ...(this.o.protectedPrefixes ?? [])];
    const allowed = requested !== undefined && requested !== '' && !/[+#]/.test(requested) && (requested.startsWith(`${base}/cmd/`) || !forbidden.some((p) => requested.startsWith(p)));
    const replyTopic = allowed ? requested : this.o.topics.commandResult(topic);
    const properties = props?.correlationData !== undefined ? { correlationData: props.correlationData } : undefined;
    this.o.client.publish(replyTopic, JSON.stringify(reply), { qos: 1, retain: false, ...(properties && { properties }) }, (err) => {
      if (err) this.o.log.debug({ err: err.message, topic: replyTopic }, 'MQTT command reply not confirmed');
    });
  }
}
