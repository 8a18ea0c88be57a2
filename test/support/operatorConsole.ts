/**
 * Test support only: the embedded CSMS's operator console over an agent fixture. `run(line)` parses
 * a console line (`remote-start 1 04A1B2C3`, `send-local-list …`) as `evse csms` does and sends its
 * call to the charger, letting the agent's virtual time run so that it answers.
 */
import { CsmsOperator } from '../../scenarios/csms/CsmsOperator.js';
import { parseConsoleLine } from '../../scenarios/csms/consoleCommands.js';
import { CP, type AgentFixture } from './agentFixture.js';

export interface OperatorConsole {
  readonly operator: CsmsOperator;
  /** Parses a console line and resolves with the charger's answer to its call. */
  run(line: string): Promise<unknown>;
}

export function operatorConsole(f: AgentFixture): OperatorConsole {
  const operator = new CsmsOperator(f.csms, { callTimeoutMs: 5000 });
  const context = {
    knownIds: () => [CP],
    connectedIds: () => operator.connectedIds(),
    openTransactionIds: (id: string) => operator.openTransactionIds(id),
    now: () => f.clock.now(),
    ocppVersion: (id: string) => f.csms.ocppVersion(id),
  };
  return {
    operator,
    async run(line) {
      const command = parseConsoleLine(line, context);
      if (command.type !== 'call') throw new Error(`not a call: ${line}`);
      const answer = operator.send(command.chargePointId, command.action, command.payload);
      await f.advance(0);
      return answer;
    },
  };
}
