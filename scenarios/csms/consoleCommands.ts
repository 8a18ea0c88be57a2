/**
 * The command language of the `evse csms` prompt, without any I/O: one line → one command,
 * tab completion, and the help text.
 *
 *   CP001 RemoteStartTransaction {"idTag":"ABC","connectorId":1}   any call of the charge point's OCPP version, JSON payload
 *   CP001 remote-start ABC 1                                          a short form (consoleShortForms.ts), either version
 *   remote-start ABC                                                  the id may be left out when one charge point is connected
 *   list | help [topic] | exit
 *
 * Words are split at spaces; "double" or 'single' quotes keep spaces in a word.
 */
import type { OcppVersion } from '../../agent/ocpp/ProtocolFace.js';
import { CSMS_ACTIONS, CSMS_ACTIONS_201, findCsmsAction } from './CsmsOperator.js';
import { buildShortForm, findShortForm, SHORT_FORMS, SHORT_FORMS_201, usageOf, UsageError, type ShortForm } from './consoleShortForms.js';
import { topLevelFields } from './validatePayload.js';

export type ConsoleCommand =
  | { readonly type: 'empty' }
  | { readonly type: 'help'; readonly topic?: string }
  | { readonly type: 'list' }
  | { readonly type: 'exit' }
  | { readonly type: 'call'; readonly chargePointId: string; readonly action: string; readonly payload: unknown };

/** What the parser needs to know about the CSMS right now. */
export interface ConsoleContext {
  /** Every charge point that has connected (connected or not now). */
  knownIds(): readonly string[];
  connectedIds(): readonly string[];
  openTransactionIds(chargePointId: string): readonly (number | string)[];
  now(): number;
  /** The OCPP version a charge point speaks (default: 1.6). */
  ocppVersion?(chargePointId: string): OcppVersion | undefined;
}

const COMMANDS: Readonly<Record<string, 'help' | 'list' | 'exit'>> = { help: 'help', '?': 'help', list: 'list', ls: 'list', exit: 'exit', quit: 'exit' };

interface Word {
  readonly text: string;
  /** Index in the line just after the word (and its closing quote). */
  readonly end: number;
}

/** Splits a line into words; quotes group, a backslash escapes inside double quotes. */
export function splitWords(line: string): Word[] {
  const words: Word[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i]!)) i++;
    if (i >= line.length) break;
    let text = '';
    while (i < line.length && !/\s/.test(line[i]!)) {
      const ch = line[i]!;
      if (ch === '"' || ch === "'") {
        const close = ch;
        i++;
        while (i < line.length && line[i] !== close) {
          if (close === '"' && line[i] === '\\' && i + 1 < line.length) i++;
          text += line[i++];
        }
        if (i >= line.length) throw new UsageError(`unterminated ${close === '"' ? 'double' : 'single'} quote`);
        i++;
      } else {
        text += ch;
        i++;
      }
    }
    words.push({ text, end: i });
  }
  return words;
}

/** Parses one prompt line; throws {@link UsageError} with a one-line explanation. */
export function parseConsoleLine(line: string, context: ConsoleContext): ConsoleCommand {
  const trimmed = line.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return { type: 'empty' };
  const head = /^\S+/.exec(trimmed)![0];
  const command = COMMANDS[head.toLowerCase()];
  if (command === 'help') return { type: 'help', ...(trimmed.length > head.length && { topic: trimmed.slice(head.length).trim() }) };
  if (command) return { type: command };

  let chargePointId: string;
  let rest: string;
  if (!context.knownIds().includes(head) && isVerb(head)) {
    chargePointId = soleConnected(context);
    rest = trimmed;
  } else {
    chargePointId = head;
    rest = trimmed.slice(head.length).trim();
    if (rest === '') throw new UsageError(context.knownIds().includes(head) ? `what should ${head} do? \`help\` lists the actions` : `unknown command "${head}"; type \`help\``);
  }
  const verb = /^\S+/.exec(rest)![0];
  const argText = rest.slice(verb.length).trim();
  const version = context.ocppVersion?.(chargePointId) ?? '1.6';
  const form = findShortForm(verb, version);
  const action = form?.action ?? findCsmsAction(verb, version);
  if (!action) throw new UsageError(unknownVerb(verb, chargePointId, version));
  if (argText.startsWith('{') || argText.startsWith('[')) return { type: 'call', chargePointId, action, payload: parseJson(argText) };
  if (form) {
    const shortContext = { chargePointId, openTransactionIds: () => context.openTransactionIds(chargePointId), now: () => context.now() };
    return { type: 'call', chargePointId, action, payload: buildShortForm(form, splitWords(argText).map((w) => w.text), shortContext) };
  }
  if (argText !== '') throw new UsageError(`${action} takes a JSON payload, e.g. ${chargePointId} ${action} {…}; \`help ${action}\` lists its fields`);
  return { type: 'call', chargePointId, action, payload: {} };
}

function isVerb(word: string): boolean {
  return (['1.6', '2.0.1'] as const).some((v) => findShortForm(word, v) !== undefined || findCsmsAction(word, v) !== undefined);
}

function unknownVerb(verb: string, chargePointId: string, version: OcppVersion): string {
  const other = version === '2.0.1' ? '1.6' : '2.0.1';
  if (findShortForm(verb, other) !== undefined || findCsmsAction(verb, other) !== undefined) {
    return `"${verb}" is for OCPP ${other} charge points; ${chargePointId} speaks OCPP ${version} (\`help\` lists both)`;
  }
  return `unknown action "${verb}"; \`help\` lists the actions and short forms`;
}

function soleConnected(context: ConsoleContext): string {
  const connected = context.connectedIds();
  if (connected.length === 1) return connected[0]!;
  if (connected.length === 0) throw new UsageError('no charge point is connected');
  throw new UsageError(`${connected.length} charge points are connected (${connected.slice(0, 5).join(', ')}${connected.length > 5 ? ', …' : ''}): put the id first, e.g. ${connected[0]} …`);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`the payload is not valid JSON: ${(err as Error).message}`);
  }
}

// ── completion ─────────────────────────────────────────────────────────────────────────────

const VERBS = [...new Set([...CSMS_ACTIONS, ...CSMS_ACTIONS_201, ...[...SHORT_FORMS, ...SHORT_FORMS_201].flatMap((f) => [f.name, ...f.aliases])])].sort();

/** node:readline's completer: candidates for the word being typed, and that word. */
export function completeConsoleLine(line: string, context: ConsoleContext): [string[], string] {
  let words: string[];
  try {
    words = splitWords(line).map((w) => w.text);
  } catch {
    return [[], line]; // inside an open quote: nothing sensible to offer
  }
  const current = line === '' || /\s$/.test(line) ? '' : (words.pop() ?? '');
  const match = (candidates: readonly string[]): [string[], string] => [[...new Set(candidates)].filter((c) => c.startsWith(current)), current];
  if (words.length === 0) {
    const implicit = context.connectedIds().length === 1 ? VERBS : [];
    return match([...Object.keys(COMMANDS).filter((c) => c !== '?'), ...context.knownIds(), ...implicit]);
  }
  const [first, ...after] = words as [string, ...string[]];
  if (COMMANDS[first.toLowerCase()] === 'help') return after.length === 0 ? match(VERBS) : [[], current];
  // `<id> <verb> args…`, or `<verb> args…` for the one connected charge point.
  if (context.knownIds().includes(first) || !isVerb(first)) {
    if (after.length === 0) return match(VERBS);
    return match(argumentChoices(findShortForm(after[0]!, context.ocppVersion?.(first) ?? '1.6'), after.length - 1));
  }
  const sole = context.connectedIds().length === 1 ? context.connectedIds()[0]! : undefined;
  return match(argumentChoices(findShortForm(first, (sole && context.ocppVersion?.(sole)) || '1.6'), after.length));
}

function argumentChoices(form: ShortForm | undefined, index: number): readonly string[] {
  return form?.args[index]?.choices ?? [];
}

// ── help ───────────────────────────────────────────────────────────────────────────────────

/** The help text, or the help of one short form or action (`help remote-start`). */
export function helpText(topic?: string): string {
  if (topic !== undefined) return topicHelp(topic);
  const width = 40;
  const shortForm = (f: ShortForm): string => {
    const usage = usageOf(f);
    const text = `${f.action}: ${f.summary}`;
    return usage.length <= width ? `  ${usage.padEnd(width)}  ${text}` : `  ${usage}\n  ${''.padEnd(width)}  ${text}`;
  };
  return [
    'Commands:',
    '  <id> <Action> [json]      send any call of the charge point\'s OCPP version, e.g. CP001 RemoteStartTransaction {"idTag":"ABC","connectorId":1}',
    '  <id> <short form> [args]  the common calls with plain arguments (below); a JSON payload works after them too',
    '  list                      charge points: connection, OCPP version, connector status, open transaction',
    '  help [action]             this text, or the fields of one action or short form',
    '  exit                      stop the CSMS (also Ctrl-D, or Ctrl-C on an empty line)',
    'With exactly one charge point connected the <id> may be left out. Tab completes ids, actions and values.',
    'Every payload is checked against the schema of the charge point\'s OCPP version first; one that fails is not sent.',
    '',
    'Short forms (OCPP 1.6):',
    ...SHORT_FORMS.map(shortForm),
    '',
    'Short forms (OCPP 2.0.1; variables are Component.Variable[instance]):',
    ...SHORT_FORMS_201.map(shortForm),
    '',
    `Actions (OCPP 1.6): ${CSMS_ACTIONS.join(', ')}`,
    `Actions (OCPP 2.0.1): ${CSMS_ACTIONS_201.join(', ')}`,
  ].join('\n');
}

function topicHelp(topic: string): string {
  const parts = (['1.6', '2.0.1'] as const).flatMap((version) => {
    const form = findShortForm(topic, version);
    const action = form?.action ?? findCsmsAction(topic, version);
    return action ? [{ version, form, action }] : [];
  });
  if (parts.length === 0) throw new UsageError(`no help for "${topic}": not an action or short form the CSMS sends`);
  return parts
    .map(({ version, form, action }) => {
      const fields = topLevelFields(action, 'req', version).map((f) => {
        const type = f.values ? f.values.join('|') : f.maxLength !== undefined ? `${f.type}, at most ${f.maxLength} characters` : f.type;
        return `  ${f.name}${f.required ? '' : '?'}: ${type}`;
      });
      return [
        ...(parts.length > 1 ? [`OCPP ${version}:`] : []),
        ...(form ? [`${usageOf(form)}${form.aliases.length ? ` (also: ${form.aliases.join(', ')})` : ''}`, `  ${form.summary}`, ''] : []),
        `${action} fields (? = optional):`,
        ...(fields.length ? fields : ['  (none)']),
      ].join('\n');
    })
    .join('\n\n');
}
