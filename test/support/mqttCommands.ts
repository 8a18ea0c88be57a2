/**
 * Test support only: a real mosquitto for the test file and, per test, a TelemetryPublisher with
 * commands on over it, once its command subscription is confirmed. `useMqttCommands` registers the
 * file's hooks (broker up before all, publisher and recorder closed after each, the agents after
 * them); `commands(f)` gives a channel that publishes a command and waits for its reply, and shows
 * what the charger published.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { Agent } from '../../agent/Agent.js';
import type { SimulatedClock } from '../../hal/clock.js';
import { TelemetryPublisher } from '../../agent/telemetry/TelemetryPublisher.js';
import type { CommandReplyPayload } from '../../agent/telemetry/topics.js';
import { record, startMosquitto, type Mosquitto, type Recorder } from './mosquitto.js';

/** What the channel needs of an agent fixture (agentFixture's or agent201Fixture's). */
export interface CommandTarget {
  readonly agent: Agent;
  readonly clock: SimulatedClock;
  settle(): Promise<void>;
}

export interface CommandChannel {
  /** Publishes `<prefix>/<id>/cmd/<command>` and resolves with its reply (within 5 s). */
  send(command: string, body: object): Promise<CommandReplyPayload>;
  /** The payloads published on `<prefix>/<id>/<suffix>` so far (e.g. `transaction`), oldest first. */
  received<T>(suffix: string): T[];
}

const PREFIX = 'test';

export function useMqttCommands(cleanupAgents: () => Promise<void>): { commands(f: CommandTarget): Promise<CommandChannel> } {
  let broker: Mosquitto;
  let publisher: TelemetryPublisher | undefined;
  let recorder: Recorder | undefined;

  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(async () => {
    await broker.close();
  });
  afterEach(async () => {
    const p = publisher;
    publisher = undefined;
    if (p) await Promise.race([p.stop(), new Promise((r) => setTimeout(r, 3000))]);
    p?.client.end(true);
    await recorder?.end();
    recorder = undefined;
    await cleanupAgents();
  });

  return {
    async commands(f) {
      if (publisher) throw new Error('useMqttCommands: one command channel per test');
      const base = `${PREFIX}/${f.agent.chargePointId}`;
      const r = (recorder = await record(broker.url, `${PREFIX}/#`));
      publisher = new TelemetryPublisher({ agent: f.agent, mqtt: { url: broker.url, reconnectMs: 200 }, prefix: PREFIX, clock: f.clock, intervalMs: 0, commands: true });
      publisher.start();
      const deadline = performance.now() + 5000;
      while (r.on(`${base}/cmd/probe/result`).length === 0) {
        if (performance.now() > deadline) throw new Error('command subscription not confirmed');
        await r.client.publishAsync(`${base}/cmd/probe`, '{}', { qos: 1 });
        await new Promise((res) => setTimeout(res, 50));
      }
      return {
        async send(command, body) {
          const topic = `${base}/cmd/${command}/result`;
          const before = r.on(topic).length;
          await r.client.publishAsync(`${base}/cmd/${command}`, JSON.stringify(body), { qos: 1 });
          const until = performance.now() + 5000;
          while (r.on(topic).length <= before) {
            if (performance.now() > until) throw new Error(`no ${command} reply`);
            await f.settle();
            await new Promise((res) => setTimeout(res, 10));
          }
          return r.on<CommandReplyPayload>(topic)[before]!;
        },
        received: <T>(suffix: string) => r.on<T>(`${base}/${suffix}`),
      };
    },
  };
}
