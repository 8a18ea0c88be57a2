import { describe, expect, it } from 'vitest';
import { parseCommand, type CommandTarget } from './commandPayloads.js';

const target: CommandTarget = { connectorIds: [1, 2], maxCurrentA: (id) => (id === 1 ? 32 : 16) };
const parse = (name: string, body: unknown) => parseCommand(name, typeof body === 'string' ? body : JSON.stringify(body), target);

describe('MQTT command payloads', () => {
  it('accepts each command in its documented shape', () => {
    expect(parse('set_current_limit', { connector: 1, amps: 10.5 })).toEqual({ ok: true, command: { name: 'set_current_limit', connector: 1, amps: 10.5 } });
    expect(parse('set_availability', { connector: 0, operative: false, correlation: 'c-1' })).toEqual({ ok: true, command: { name: 'set_availability', connector: 0, operative: false }, correlation: 'c-1' });
    expect(parse('start_session', { idTag: 'ABC' })).toEqual({ ok: true, command: { name: 'start_session', idTag: 'ABC' } });
    expect(parse('start_session', { idTag: 'ABC', connector: 2 })).toEqual({ ok: true, command: { name: 'start_session', connector: 2, idTag: 'ABC' } });
    expect(parse('start_session', { idTag: '4711', idTokenType: 'KeyCode' })).toEqual({ ok: true, command: { name: 'start_session', idTag: '4711', idTokenType: 'KeyCode' } });
    expect(parse('stop_session', { connector: 2, correlation: 7 })).toEqual({ ok: true, command: { name: 'stop_session', connector: 2 }, correlation: 7 });
  });

  it.each([
    ['set_current_limit', 'not json', /not JSON/],
    ['set_current_limit', [1, 2], /JSON object/],
    ['set_current_limit', { connector: 1 }, /missing field\(s\): amps/],
    ['set_current_limit', { connector: 1, amps: -1 }, /amps must be a number ≥ 0/],
    ['set_current_limit', { connector: 1, amps: '10' }, /amps must be a number/],
    ['set_current_limit', { connector: 2, amps: 20 }, /above the hardware limit of 16 A/],
    ['set_current_limit', { connector: 0, amps: 20 }, /above the hardware limit of 16 A/],
    ['set_current_limit', { connector: 3, amps: 10 }, /no connector 3/],
    ['set_current_limit', { connector: 1.5, amps: 10 }, /connector must be an integer/],
    ['set_current_limit', { connector: 1, amps: 10, force: true }, /unknown field\(s\): force/],
    ['set_availability', { connector: 1, operative: 'yes' }, /operative must be true or false/],
    ['start_session', { idTag: '' }, /idTag must be a string of 1 to 20/],
    ['start_session', { idTag: 'X'.repeat(21) }, /idTag must be a string of 1 to 20/],
    ['start_session', { idTag: 'A', connector: 0 }, /no connector 0/],
    ['start_session', { idTag: 'A', idTokenType: 'Card' }, /idTokenType must be one of Central, eMAID, ISO14443, ISO15693, KeyCode, Local, MacAddress, NoAuthorization/],
    ['stop_session', { connector: 0 }, /no connector 0/],
    ['stop_session', { connector: 1, correlation: { a: 1 } }, /correlation must be/],
    ['reboot', {}, /unknown command "reboot"/],
  ])('%s %j is refused', (name, body, error) => {
    const r = parse(name, body);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(error);
  });

  it('echoes the correlation of a refused command', () => {
    expect(parse('stop_session', { correlation: 'x' })).toEqual({ ok: false, error: 'missing field(s): connector', correlation: 'x' });
  });
});
