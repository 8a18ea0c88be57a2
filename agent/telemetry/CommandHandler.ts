/**
 * MQTT commands (opt-in): `<base>/cmd/<name>` → the session service (starts, stops, availability,
 * under the same rules as a card or the CSMS) or connector events (current limits); every command
 * gets one reply (docs/mqtt.md, "Commands").
 *
 * Who may send a command is the broker's business (topic ACL): the agent cannot tell senders
 * apart. What a command may do is the agent's: payloads are validated strictly
 * (./commandPayloads.ts) and an invalid one changes nothing; a session starts only for an idTag
 * that passes the same authorization as a card (local list, cache, CSMS).
 */
import type { IPublishPacket, MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { ConnectorHardware } from '../../hal/index.js';
import { DEFAULT_REQUEST_TOKEN_TYPE } from '../auth/idToken.js';
import type { SessionService } from '../sessions/SessionService.js';
import type { CurrentLimits } from '../store/CurrentLimits.js';
import { parseCommand, type Command, type CommandTarget } from './commandPayloads.js';
import type { CommandReplyPayload, TelemetryTopics } from './topics.js';

export interface CommandHandlerOptions {
  sessions: SessionService;
  /** The connectors' devices (a current limit is checked against the pilot's maximum). */
  hardware: readonly ConnectorHardware[];
  client: MqttClient;
  topics: TelemetryTopics;
  log: Logger;
  /** Topics a response topic may not name (the agent's own state, discovery): replies go to the default topic instead. */
  protectedPrefixes?: string[];
  /** Where `set_current_limit` keeps its limits across restarts; applied by {@link CommandHandler.start}. */
  limits: CurrentLimits;
  /** The charger's limit arbiter (agent/chargingLimits/), which a local limit is one input of. */
  arbiter: { setLocalLimit(connectorId: number, amps: number | undefined): void };
  /** Told which connectors' limits `set_current_limit` just set (in force now; `limits` has them). */
  onLimits?: (connectorIds: number[]) => void;
}

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
    const { client, topics, sessions } = this.o;
    for (const [connectorId, amps] of this.o.limits.entries()) {
      const c = sessions.connector(connectorId);
      if (!c) {
        this.o.log.warn({ connector: connectorId, amps }, 'stored current limit for a connector this charger does not have: ignored');
        continue;
      }
      this.o.arbiter.setLocalLimit(connectorId, amps);
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
    const { sessions } = this.o;
    const targets = (connector: number) => (connector === 0 ? [...sessions.connectors] : [sessions.connector(connector)].filter((c) => c !== undefined));
    switch (cmd.name) {
      case 'set_current_limit': {
        // A limit at (or above) the hardware maximum is no limit: nothing to keep.
        const changes = targets(cmd.connector).map((c) => ({ connectorId: c.connectorId, amps: cmd.amps >= this.maxCurrentA(c.connectorId) ? undefined : cmd.amps }));
        for (const { connectorId, amps } of changes) this.o.arbiter.setLocalLimit(connectorId, amps);
        const persisting = this.o.limits.set(changes);
        this.o.onLimits?.(changes.map((c) => c.connectorId));
        const persisted = await persisting;
        return { ok: true, ...(!persisted && { persisted }) };
      }
      case 'set_availability': {
        // As ChangeAvailability: a running transaction finishes first (scheduled), and the choice is persisted.
        const { status, persisted } = sessions.changeAvailability(cmd.connector, cmd.operative);
        await persisted;
        if (status === 'Rejected') return { ok: false, error: `no connector ${cmd.connector}` };
        return { ok: true, ...(status === 'Scheduled' && { scheduled: true }) };
      }
      case 'start_session': {
        // Authorized like a card whatever AuthorizeRemoteTxRequests says: the CSMS may waive
        // authorization for its own requests, but an MQTT sender is not the CSMS.
        const started = await sessions.start({ origin: 'mqtt', idTag: cmd.idTag, idTokenType: cmd.idTokenType ?? DEFAULT_REQUEST_TOKEN_TYPE, ...(cmd.connector !== undefined && { connectorId: cmd.connector }) });
        return started.ok ? { ok: true, connector: started.connectorId } : { ok: false, error: started.message };
      }
      case 'stop_session': {
        const stopped = sessions.stopOn(cmd.connector, 'Remote');
        return stopped.ok ? { ok: true } : { ok: false, error: stopped.message };
      }
    }
  }

  private target(): CommandTarget {
    return { connectorIds: this.o.sessions.connectors.map((c) => c.connectorId), maxCurrentA: (id) => this.maxCurrentA(id) };
  }

  private maxCurrentA(connectorId: number): number {
    return this.o.hardware.find((c) => c.connectorId === connectorId)?.pilot.maxCurrentA ?? 0;
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
