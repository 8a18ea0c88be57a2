/**
 * A display for development: draws each screen as a framed box on a text stream (the terminal
 * running `evse run`), with the QR payload written below it. Otherwise the simulated display.
 */
import { SimDisplay, type SimDisplayOptions } from './SimDisplay.js';
import type { DisplayContent } from '../index.js';

export interface ConsoleDisplayOptions extends SimDisplayOptions {
  /** Where the screens are drawn (default: standard output). */
  out?: { write(text: string): unknown };
}

/** A screen as the box {@link ConsoleDisplay} draws: `width` × `height` inside a frame, the QR payload below. */
export function renderScreen(content: DisplayContent, width: number, height: number, label = ''): string {
  const bar = '─'.repeat(width);
  const top = label ? `┌${`─ ${label} `.padEnd(width, '─').slice(0, width)}┐` : `┌${bar}┐`;
  const rows = Array.from({ length: height }, (_, i) => `│${(content.lines[i] ?? '').padEnd(width)}│`);
  const qr = content.qr ? [` QR: ${content.qr}`] : [];
  return [top, ...rows, `└${bar}┘`, ...qr].join('\n') + '\n';
}

export class ConsoleDisplay extends SimDisplay {
  private readonly out: { write(text: string): unknown };

  constructor(options: ConsoleDisplayOptions) {
    super(options);
    this.out = options.out ?? process.stdout;
    this.on('shown', (content) => void this.out.write(renderScreen(content, this.width, this.height, `${this.id} ${content.tone}`)));
  }
}
