/**
 * The charger after a power cut, for power-loss tests: a second Agent on the fixture's CSMS,
 * clock, hardware and configuration, on the journal the first one left behind, started and
 * booted. `advance` moves virtual time and lets the real I/O settle between steps.
 */
import pino from 'pino';
import { Agent, type AgentOptions } from '../../agent/Agent.js';
import type { TransactionJournal } from '../../agent/store/TransactionJournal.js';
import { CP, type AgentFixture } from './agentFixture.js';
import type { TransactionEvent } from '../../agent/transactions/TransactionManager.js';

export interface RestartedAgent {
  agent: Agent;
  advance: (ms: number) => Promise<void>;
  /** Every `transaction` event of the restarted agent, from its start on. */
  events: TransactionEvent[];
}

export async function restartedAgent(
  f: AgentFixture,
  journal: TransactionJournal,
  options: {
    /** Registers the agent's stop with the test's clean-ups. */
    onCleanup: (cleanup: () => Promise<void>) => void;
    /** Persisted state carried over from the first agent (authorization cache, local list, …). */
    carry?: Pick<AgentOptions, 'authCache' | 'localAuthList'>;
  },
): Promise<RestartedAgent> {
  const agent = new Agent({
    chargePointId: CP,
    boot: { chargePointVendor: 'evse-agent', chargePointModel: 'test' },
    csms: { url: f.csms.url, callTimeoutMs: 10_000 },
    hardware: f.sim.hardware,
    config: f.config,
    clock: f.clock,
    log: pino({ level: process.env.AGENT_TEST_LOG ?? 'silent' }),
    random: () => 1,
    journal,
    ...options.carry,
  });
  options.onCleanup(() => agent.stop({ flushMs: 500 }));
  const events: TransactionEvent[] = [];
  agent.on('transaction', (e) => events.push(e));
  const since = f.csms.mark();
  agent.start();
  await f.csms.waitForCall(CP, 'BootNotification', undefined, { timeoutMs: 5000, since });
  const advance = (ms: number) => f.clock.advanceAsync(ms, () => agent.whenIdle(3000), 1000);
  await advance(0);
  return { agent, advance, events };
}
