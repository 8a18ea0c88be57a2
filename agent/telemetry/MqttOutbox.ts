/**
 * Everything the telemetry publisher sends goes through here: straight to the broker while
 * connected, else into a bounded queue (oldest dropped, counted) that is flushed in order on the
 * next connect. The latest message of every retained topic is also kept, and re-published after
 * each (re)connect unless it already went out on that connection: a restarted broker without
 * persistence has lost its retained state, and the Will has overwritten `online`.
 */
import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { describeConnectionError, type ConnectionErrorInfo } from './connectionError.js';
import { OutboundQueue, type OutboundMessage } from './OutboundQueue.js';

export interface OutboxStats {
  connected: boolean;
  /** Messages handed to the MQTT client. */
  published: number;
  /** Messages waiting for the broker. */
  queued: number;
  /** Messages dropped because the queue was full. */
  dropped: number;
  /** Why the last connection attempt failed (cleared by a successful connect). */
  lastError?: ConnectionErrorInfo & { at: number };
}

export class MqttOutbox {
  private readonly queue: OutboundQueue;
  private readonly retained = new Map<string, OutboundMessage>();
  /** Counts broker connections; a message remembers the one it went out on. */
  private connection = 0;
  private published = 0;
  private lastError: (ConnectionErrorInfo & { at: number }) | undefined;
  private readonly detach: (() => void)[] = [];

  constructor(
    private readonly client: MqttClient,
    queueLimit: number,
    private readonly log: Logger,
    /** Called after each connect, before the flush (e.g. to refresh `online`). */
    private readonly onConnect: () => void = () => undefined,
    /** Time for `lastError.at` (the agent's clock). */
    private readonly now: () => number = () => 0,
  ) {
    this.queue = new OutboundQueue(queueLimit);
    const connected = () => {
      this.connection++;
      this.lastError = undefined;
      this.log.info({ connection: this.connection }, 'MQTT broker connected');
      this.onConnect();
      this.flush();
    };
    const closed = () => this.log.debug('MQTT connection closed');
    const failed = (err: Error) => {
      const info = describeConnectionError(err);
      // Every reconnect attempt fails the same way (a wrong CA): warn once, not every few seconds.
      const repeated = this.lastError?.kind === info.kind && this.lastError.code === info.code;
      this.lastError = { ...info, at: this.now() };
      const fields = { kind: info.kind, code: info.code, err: err.message };
      if (repeated) this.log.debug(fields, `MQTT connection failed again: ${info.message}`);
      else this.log.warn(fields, `MQTT connection failed: ${info.message}`);
    };
    client.on('connect', connected);
    client.on('close', closed);
    client.on('error', failed);
    this.detach.push(() => {
      client.off('connect', connected);
      client.off('close', closed);
      client.off('error', failed);
    });
    if (client.connected) connected();
  }

  get stats(): OutboxStats {
    return {
      connected: this.client.connected,
      published: this.published,
      queued: this.queue.size,
      dropped: this.queue.dropped,
      ...(this.lastError && { lastError: { ...this.lastError } }),
    };
  }

  publish(topic: string, payload: unknown, opts: { qos: 0 | 1; retain: boolean }): void {
    this.publishText(topic, JSON.stringify(payload), opts);
  }

  /** As {@link publish} with the payload as is (e.g. `''` retained: the broker deletes the topic's retained message). */
  publishText(topic: string, text: string, opts: { qos: 0 | 1; retain: boolean }): void {
    const message: OutboundMessage = { topic, payload: text, ...opts, sentOn: 0 };
    if (opts.retain) this.retained.set(topic, message);
    if (this.client.connected && this.queue.size === 0) this.send(message);
    else this.queue.push(message);
  }

  /** Stops listening to the client (does not end it). */
  dispose(): void {
    for (const d of this.detach.splice(0)) d();
  }

  private flush(): void {
    while (this.client.connected) {
      const m = this.queue.shift();
      if (!m) break;
      this.send(m);
    }
    if (!this.client.connected) return;
    for (const m of this.retained.values()) if (m.sentOn !== this.connection) this.send(m);
  }

  private send(message: OutboundMessage): void {
    message.sentOn = this.connection;
    this.published++;
    this.client.publish(message.topic, message.payload, { qos: message.qos, retain: message.retain }, (err) => {
      // QoS 1 messages stay in mqtt.js's store and go out again after a reconnect.
      if (err) this.log.debug({ err: err.message, topic: message.topic }, 'MQTT publish not confirmed');
    });
  }
}
