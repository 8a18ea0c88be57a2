/**
 * Which screens a display cycles through, operator messages included, following the OCPP 2.0.1
 * message priorities:
 * - AlwaysFront: shown alone, nothing of the charger's own over it (the newest replaced older ones);
 * - InFront: shown in front of the normal cycle; several of them cycle among themselves;
 * - NormalCycle: cycle with the charger's own screens.
 * A message counts only within its validity window, in its state (if it names one: at least one
 * connector of the display is in it) and during its transaction (if it names one). Where messages of
 * one priority exist in several languages, those in the display's language are preferred.
 */
import type { DisplayContent } from '../../hal/index.js';
import { fit } from './fitScreen.js';
import { isValidAt, type OperatorMessage } from './OperatorMessages.js';
import type { MessageState } from './screens.js';
import type { Language } from './texts.js';

/** What the display shows of its connectors now. */
export interface DisplayScene {
  readonly now: number;
  readonly states: ReadonlySet<MessageState>;
  /** The CSMS transactionIds running on the display's connectors, as text. */
  readonly transactionIds: ReadonlySet<string>;
  readonly language: Language;
}

/** Messages that apply to the scene (see the module comment). */
export function applicable(messages: readonly OperatorMessage[], scene: DisplayScene): OperatorMessage[] {
  return messages.filter(
    (m) => isValidAt(m, scene.now) && (m.state === undefined || scene.states.has(m.state)) && (m.transactionId === undefined || scene.transactionIds.has(m.transactionId)),
  );
}

/** Of the messages of one priority, those in `language` (or without one), when there are any; else all. */
function inLanguage(messages: readonly OperatorMessage[], language: Language): OperatorMessage[] {
  const own = messages.filter((m) => m.message.language === undefined || m.message.language.toLowerCase().split(/[-_]/)[0] === language);
  return own.length > 0 ? own : [...messages];
}

/** The slides of one operator message on a display: its lines (newlines kept) fitted, a URI as the QR payload too. */
export function messageSlides(m: OperatorMessage, display: { width: number; height: number; charset: 'ascii' | 'unicode' }): DisplayContent[] {
  const lines = m.message.content.split('\n').map((l) => ({ variants: [l] }));
  const qr = m.message.format === 'URI' ? { qr: m.message.content } : {};
  return fit(lines, display).map((page) => ({ lines: page, tone: 'info', ...qr }));
}

/**
 * The slides a display cycles through: the AlwaysFront message alone, else the InFront ones, else
 * the charger's own slides followed by the NormalCycle messages.
 */
export function cycle(own: readonly DisplayContent[], messages: readonly OperatorMessage[], scene: DisplayScene, display: { width: number; height: number; charset: 'ascii' | 'unicode' }): DisplayContent[] {
  const valid = applicable(messages, scene);
  const of = (priority: OperatorMessage['priority']) => inLanguage(valid.filter((m) => m.priority === priority), scene.language);
  const front = of('AlwaysFront').at(-1);
  if (front) return messageSlides(front, display);
  const inFront = of('InFront');
  if (inFront.length > 0) return inFront.flatMap((m) => messageSlides(m, display));
  return [...own, ...of('NormalCycle').flatMap((m) => messageSlides(m, display))];
}
