/**
 * The `evse csms` prompt: reads command lines (consoleCommands.ts) with node:readline, sends the
 * calls through the {@link CsmsOperator} and prints each answer or error as it comes.
 *
 * Lines are handled one after the other: a line typed while a call is pending waits for it (a
 * call to one charge point waits for the previous one anyway, OCPP-J allows one at a time).
 * On a terminal it prompts, keeps a history and completes with Tab, and other output (the
 * traffic) is printed above the line being typed. End of input (Ctrl-D), `exit`, or Ctrl-C on
 * an empty line ends the console; the owner then stops the CSMS.
 */
import { clearLine, createInterface, cursorTo, type Interface } from 'node:readline';
import type { ChargerSummary } from './chargerSummary.js';
import { completeConsoleLine, helpText, parseConsoleLine, type ConsoleCommand, type ConsoleContext } from './consoleCommands.js';
import { UsageError } from './consoleShortForms.js';
import type { CsmsOperator } from './CsmsOperator.js';
import { OperatorError } from './errors.js';
import { clockTime, maskIdTag } from './formatMessage.js';

/**
 * One output record: a human text (possibly several lines) and, for `--json`, its fields.
 * `stamped: false` for texts that are not events (help, the charge point list): no clock time.
 */
export type ConsoleEmit = (type: string, human: string, fields: Record<string, unknown>, stamped?: boolean) => void;

export interface CsmsConsoleOptions {
  readonly operator: CsmsOperator;
  readonly input: NodeJS.ReadableStream;
  /** The terminal to prompt on (line editing, history, completion). Absent: lines are read as they come, no prompt. */
  readonly terminal?: NodeJS.WritableStream;
  readonly emit: ConsoleEmit;
  /** Writes a line as is: {@link CsmsConsole.print} goes through it. */
  readonly write: (line: string) => void;
  /** Ctrl-C on an empty line: the owner stops the CSMS (which also ends a pending call). */
  readonly onInterrupt: () => void;
  readonly utc?: boolean;
  readonly now?: () => number;
}

const PROMPT = 'csms> ';
/** Answers longer than this are printed over several lines. */
const ONE_LINE_ANSWER = 160;

export class CsmsConsole {
  private readonly rl: Interface;
  private readonly context: ConsoleContext;
  private busy = false;
  private closed = false;
  /** Settles when the console has ended (input ended, `exit`, or {@link close}). */
  readonly done: Promise<void>;

  constructor(private readonly options: CsmsConsoleOptions) {
    const { operator, terminal } = options;
    const now = options.now ?? Date.now;
    this.context = {
      knownIds: () => operator.csms.chargePoints().map((s) => s.id),
      connectedIds: () => operator.connectedIds(),
      openTransactionIds: (id) => operator.openTransactionIds(id),
      ocppVersion: (id) => operator.csms.ocppVersion(id),
      now,
    };
    this.rl = createInterface({
      input: options.input,
      ...(terminal && {
        output: terminal,
        terminal: true,
        prompt: PROMPT,
        historySize: 200,
        completer: (line: string) => completeConsoleLine(line, this.context),
      }),
    });
    if (terminal) {
      this.rl.on('SIGINT', () => {
        if (this.rl.line !== '') {
          this.rl.write(null, { ctrl: true, name: 'e' });
          this.rl.write(null, { ctrl: true, name: 'u' });
        } else options.onInterrupt();
      });
    }
    this.done = this.run();
  }

  /** Prints a line of other output without breaking the line being typed. */
  print(line: string): void {
    const { terminal } = this.options;
    if (!terminal || this.closed) return this.options.write(line);
    clearLine(terminal, 0);
    cursorTo(terminal, 0);
    this.options.write(line);
    if (!this.busy) this.rl.prompt(true);
  }

  /** Ends the console (the CSMS is stopping); the line being handled still finishes. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.rl.close();
  }

  private async run(): Promise<void> {
    if (this.options.terminal) {
      this.options.write('Type `help` for commands, Tab to complete.');
      this.rl.prompt();
    }
    try {
      for await (const line of this.rl) {
        this.busy = true;
        const command = this.parse(line);
        if (command?.type === 'exit') break;
        if (command) await this.execute(command);
        this.busy = false;
        if (this.options.terminal && !this.closed) this.rl.prompt();
      }
    } finally {
      this.busy = false;
      this.closed = true;
      this.rl.close();
      // What follows (the CSMS stopping) goes on a clean line, not after a left-over prompt.
      if (this.options.terminal) {
        clearLine(this.options.terminal, 0);
        cursorTo(this.options.terminal, 0);
      }
    }
  }

  private parse(line: string): ConsoleCommand | undefined {
    try {
      return parseConsoleLine(line, this.context);
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      this.options.emit('error', `error: ${err.message}`, { kind: 'usage', error: err.message });
      return undefined;
    }
  }

  private async execute(command: ConsoleCommand): Promise<void> {
    const { emit, operator } = this.options;
    switch (command.type) {
      case 'empty':
      case 'exit':
        return;
      case 'help':
        try {
          const text = helpText(command.topic);
          return emit('help', text, { text }, false);
        } catch (err) {
          if (!(err instanceof UsageError)) throw err;
          return emit('error', `error: ${err.message}`, { kind: 'usage', error: err.message });
        }
      case 'list': {
        const chargers = operator.chargers();
        return emit('chargers', formatChargers(chargers, this.options.utc ?? false), { chargers }, false);
      }
      case 'call': {
        const { chargePointId, action, payload } = command;
        try {
          const answer = await operator.send(chargePointId, action, payload);
          emit('answer', `${chargePointId} ${action} answered:${formatAnswer(action, answer)}`, { chargePointId, action, answer });
        } catch (err) {
          if (err instanceof OperatorError) emit('error', `error: ${err.message}`, { chargePointId, action, kind: err.kind, error: err.message, ...err.details });
          else emit('error', `error: ${String(err)}`, { chargePointId, action, kind: 'internal', error: String(err) });
        }
      }
    }
  }
}

function formatAnswer(action: string, answer: unknown): string {
  const keys = (answer as { configurationKey?: { key: string; readonly: boolean; value?: string }[]; unknownKey?: string[] }) ?? {};
  if (action === 'GetConfiguration' && (keys.configurationKey || keys.unknownKey)) {
    const lines = (keys.configurationKey ?? []).map((k) => `  ${k.key} = ${k.value ?? '(no value)'}${k.readonly ? '  (read-only)' : ''}`);
    if (keys.unknownKey?.length) lines.push(`  unknown: ${keys.unknownKey.join(', ')}`);
    return `\n${lines.join('\n')}`;
  }
  const vars = (answer as { getVariableResult?: { attributeStatus: string; attributeValue?: string; component: { name: string }; variable: { name: string; instance?: string } }[] }) ?? {};
  if (action === 'GetVariables' && vars.getVariableResult) {
    const name = (r: NonNullable<typeof vars.getVariableResult>[number]) => `${r.component.name}.${r.variable.name}${r.variable.instance ? `[${r.variable.instance}]` : ''}`;
    return `\n${vars.getVariableResult.map((r) => `  ${name(r)} = ${r.attributeStatus === 'Accepted' ? (r.attributeValue ?? '(no value)') : `(${r.attributeStatus})`}`).join('\n')}`;
  }
  const line = JSON.stringify(answer);
  return line.length <= ONE_LINE_ANSWER ? ` ${line}` : `\n${JSON.stringify(answer, null, 2)}`;
}

function formatChargers(chargers: readonly ChargerSummary[], utc: boolean): string {
  if (chargers.length === 0) return 'no charge point has connected yet';
  const time = (iso: string | undefined): string => (iso ? clockTime(Date.parse(iso), utc) : '?');
  return chargers
    .flatMap((c) => {
      const what = [c.vendor, c.model].filter(Boolean).join(' ');
      const head = [
        c.id,
        c.connected ? `connected since ${time(c.connectedAt)}` : `disconnected since ${time(c.disconnectedAt)}`,
        c.ocppVersion && `OCPP ${c.ocppVersion}`,
        c.registration ? `boot ${c.registration}` : 'no boot yet',
        what && `${what}${c.firmwareVersion ? ` (firmware ${c.firmwareVersion})` : ''}`,
      ].filter(Boolean);
      const connectors = c.connectors.map((k) => {
        const status = k.status ? `${k.status}${k.errorCode && k.errorCode !== 'NoError' ? ` (${k.errorCode})` : ''}` : 'no status yet';
        const tx = k.transaction;
        const txText = tx
          ? `  transaction ${tx.stationTransactionId ?? tx.transactionId} idTag ${maskIdTag(tx.idTag)} since ${time(tx.startTimestamp)}${tx.meterWh !== undefined ? `, ${Math.round(tx.meterWh - tx.meterStart)} Wh` : ''}`
          : '';
        return `  connector ${k.connectorId}  ${status}${txText}`;
      });
      return [head.join('  '), ...connectors];
    })
    .join('\n');
}
