import { describe, expect, it } from 'vitest';
import { ConsoleDisplay, renderScreen } from './ConsoleDisplay.js';

describe('ConsoleDisplay: the development display draws each screen on a stream', () => {
  it('draws the lines padded inside a frame of the display size, the QR payload below', async () => {
    let out = '';
    const display = new ConsoleDisplay({ id: 'display:0', width: 16, height: 2, out: { write: (t: string) => (out += t) } });
    await display.show({ lines: ['Tap card'], qr: 'https://x.example/CP1/1', tone: 'action' });
    expect(out.split('\n')).toEqual(['┌─ display:0 acti┐', '│Tap card        │', '│                │', '└────────────────┘', ' QR: https://x.example/CP1/1', '']);
  });

  it('renders without a label as a plain frame', () => {
    expect(renderScreen({ lines: ['a', 'b'], tone: 'info' }, 3, 2)).toBe('┌───┐\n│a  │\n│b  │\n└───┘\n');
  });
});
