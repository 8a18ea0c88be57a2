import { describe, expect, it } from 'vitest';
import { completeConsoleLine, helpText, parseConsoleLine, splitWords, type ConsoleContext } from './consoleCommands.js';
import { SHORT_FORMS, SHORT_FORMS_201 } from './consoleShortForms.js';
import { CSMS_ACTIONS, CSMS_ACTIONS_201 } from './CsmsOperator.js';
import { INBOUND_ACTIONS, INBOUND_ACTIONS_201 } from './CsmsReplies.js';

const NOW = Date.parse('2025-06-01T12:00:00Z');

function context(connected: string[], known = connected, open: Record<string, (number | string)[]> = {}, v201: string[] = []): ConsoleContext {
  return { knownIds: () => known, connectedIds: () => connected, openTransactionIds: (id) => open[id] ?? [], now: () => NOW, ocppVersion: (id) => (v201.includes(id) ? '2.0.1' : '1.6') };
}

const one = context(['CP001']);
const two = context(['CP001', 'CP002']);
const parse = (line: string, ctx = two) => parseConsoleLine(line, ctx);

describe('parseConsoleLine', () => {
  it('reads the full form: id, action, JSON payload', () => {
    expect(parse('CP001 RemoteStartTransaction {"idTag":"ABC","connectorId":1}')).toEqual({
      type: 'call',
      chargePointId: 'CP001',
      action: 'RemoteStartTransaction',
      payload: { idTag: 'ABC', connectorId: 1 },
    });
    expect(parse('  CP002   ClearCache  ')).toEqual({ type: 'call', chargePointId: 'CP002', action: 'ClearCache', payload: {} });
    expect(parse('CP001 remotestarttransaction {"idTag":"A"}')).toMatchObject({ action: 'RemoteStartTransaction' });
  });

  it('builds payloads from the short forms', () => {
    const call = (line: string, ctx = two) => {
      const c = parse(line, ctx);
      return c.type === 'call' ? { action: c.action, payload: c.payload } : c;
    };
    expect(call('CP001 remote-start ABC 1')).toEqual({ action: 'RemoteStartTransaction', payload: { idTag: 'ABC', connectorId: 1 } });
    expect(call('CP001 remote-start ABC')).toEqual({ action: 'RemoteStartTransaction', payload: { idTag: 'ABC' } });
    expect(call('CP001 remote-stop 7')).toEqual({ action: 'RemoteStopTransaction', payload: { transactionId: 7 } });
    expect(call('CP001 remote-stop', context(['CP001'], ['CP001'], { CP001: [4] }))).toEqual({ action: 'RemoteStopTransaction', payload: { transactionId: 4 } });
    expect(call('CP001 change-configuration MeterValuesSampledData Energy.Active.Import.Register, Power.Active.Import')).toEqual({
      action: 'ChangeConfiguration',
      payload: { key: 'MeterValuesSampledData', value: 'Energy.Active.Import.Register, Power.Active.Import' },
    });
    expect(call('CP001 set HeartbeatInterval "60"')).toEqual({ action: 'ChangeConfiguration', payload: { key: 'HeartbeatInterval', value: '60' } });
    expect(call('CP001 get-configuration')).toEqual({ action: 'GetConfiguration', payload: {} });
    expect(call('CP001 get HeartbeatInterval NumberOfConnectors')).toEqual({ action: 'GetConfiguration', payload: { key: ['HeartbeatInterval', 'NumberOfConnectors'] } });
    expect(call('CP001 trigger statusnotification 1')).toEqual({ action: 'TriggerMessage', payload: { requestedMessage: 'StatusNotification', connectorId: 1 } });
    expect(call('CP001 reset')).toEqual({ action: 'Reset', payload: { type: 'Soft' } });
    expect(call('CP001 reset hard')).toEqual({ action: 'Reset', payload: { type: 'Hard' } });
    expect(call('CP001 change-availability 0 inoperative')).toEqual({ action: 'ChangeAvailability', payload: { connectorId: 0, type: 'Inoperative' } });
    expect(call('CP001 unlock 2')).toEqual({ action: 'UnlockConnector', payload: { connectorId: 2 } });
    expect(call('CP001 clear-cache')).toEqual({ action: 'ClearCache', payload: {} });
    expect(call('CP001 send-local-list 3 Differential A B=blocked C=-')).toEqual({
      action: 'SendLocalList',
      payload: {
        listVersion: 3,
        updateType: 'Differential',
        localAuthorizationList: [{ idTag: 'A', idTagInfo: { status: 'Accepted' } }, { idTag: 'B', idTagInfo: { status: 'Blocked' } }, { idTag: 'C' }],
      },
    });
    expect(call('CP001 data-transfer com.example hello some data')).toEqual({ action: 'DataTransfer', payload: { vendorId: 'com.example', messageId: 'hello', data: 'some data' } });
    expect(call('CP001 reserve 1 ABC 9 10')).toEqual({
      action: 'ReserveNow',
      payload: { connectorId: 1, idTag: 'ABC', reservationId: 9, expiryDate: '2025-06-01T12:10:00.000Z' },
    });
    expect(call('CP001 update-firmware http://x/fw.bin')).toEqual({ action: 'UpdateFirmware', payload: { location: 'http://x/fw.bin', retrieveDate: '2025-06-01T12:00:00.000Z' } });
  });

  it('takes a JSON payload after a short form too', () => {
    expect(parse('CP001 remote-start {"idTag":"X","connectorId":2}')).toMatchObject({ action: 'RemoteStartTransaction', payload: { idTag: 'X', connectorId: 2 } });
  });

  it('leaves the id out when exactly one charge point is connected', () => {
    expect(parse('remote-start ABC', one)).toMatchObject({ chargePointId: 'CP001', action: 'RemoteStartTransaction' });
    expect(parse('Reset {"type":"Hard"}', one)).toMatchObject({ chargePointId: 'CP001', payload: { type: 'Hard' } });
    expect(() => parse('remote-start ABC', two)).toThrow('2 charge points are connected (CP001, CP002): put the id first');
    expect(() => parse('remote-start ABC', context([]))).toThrow('no charge point is connected');
  });

  it('knows help, list and exit', () => {
    expect(parse('help')).toEqual({ type: 'help' });
    expect(parse('help remote-start')).toEqual({ type: 'help', topic: 'remote-start' });
    expect(parse('list')).toEqual({ type: 'list' });
    expect(parse('QUIT')).toEqual({ type: 'exit' });
    expect(parse('   ')).toEqual({ type: 'empty' });
    expect(parse('# a comment')).toEqual({ type: 'empty' });
  });

  it('refuses what it cannot turn into a call, saying why', () => {
    expect(() => parse('CP001')).toThrow('what should CP001 do?');
    expect(() => parse('hello')).toThrow('unknown command "hello"');
    expect(() => parse('CP001 Dance')).toThrow('unknown action "Dance"');
    expect(() => parse('CP001 BootNotification {}')).toThrow('unknown action "BootNotification"');
    expect(() => parse('CP001 unlock one')).toThrow('unlock: connectorId must be an integer, got "one"');
    expect(() => parse('CP001 remote-start')).toThrow('remote-start: idTag is missing (usage: remote-start <idTag> [connectorId])');
    expect(() => parse('CP001 unlock 1 2')).toThrow('unlock: too many arguments');
    expect(() => parse('CP001 Reset {"type":')).toThrow('the payload is not valid JSON');
    expect(() => parse('CP001 UnlockConnector 1')).toThrow('UnlockConnector takes a JSON payload');
    expect(() => parse('CP001 set Key "open')).toThrow('unterminated double quote');
    expect(() => parse('CP001 remote-stop')).toThrow('remote-stop: CP001 has no open transaction at this CSMS; give a transactionId');
    expect(() => parse('CP001 remote-stop', context(['CP001'], ['CP001'], { CP001: [1, 2] }))).toThrow('has 2 open transactions (1, 2); give one');
  });
});

describe('splitWords', () => {
  it('splits at spaces and keeps quoted spaces', () => {
    expect(splitWords(`a "b c" 'd e' x"f\\"g"y`).map((w) => w.text)).toEqual(['a', 'b c', 'd e', 'xf"gy']);
  });
});

describe('completeConsoleLine', () => {
  it('completes commands and charge point ids first, and actions with one charge point connected', () => {
    expect(completeConsoleLine('', two)[0]).toEqual(['help', 'list', 'ls', 'exit', 'quit', 'CP001', 'CP002']);
    expect(completeConsoleLine('CP', two)).toEqual([['CP001', 'CP002'], 'CP']);
    expect(completeConsoleLine('remote-s', one)).toEqual([['remote-start', 'remote-stop'], 'remote-s']);
    expect(completeConsoleLine('remote-s', two)).toEqual([[], 'remote-s']);
  });

  it('completes actions and short forms after an id', () => {
    expect(completeConsoleLine('CP001 Remote', two)).toEqual([['RemoteStartTransaction', 'RemoteStopTransaction'], 'Remote']);
    expect(completeConsoleLine('CP001 ch', two)[0]).toEqual(['change-availability', 'change-configuration']);
    // help covers both versions' actions
    expect(completeConsoleLine('help GetC', two)[0]).toEqual(['GetChargingProfiles', 'GetCompositeSchedule', 'GetConfiguration']);
  });

  it('completes the values of a short form argument', () => {
    expect(completeConsoleLine('CP001 trigger S', two)).toEqual([['StatusNotification'], 'S']);
    expect(completeConsoleLine('CP001 reset ', two)).toEqual([['Soft', 'Hard'], '']);
    expect(completeConsoleLine('change-availability 1 ', one)).toEqual([['Operative', 'Inoperative'], '']);
    expect(completeConsoleLine('CP001 remote-start ', two)).toEqual([[], '']);
  });
});

describe('helpText', () => {
  it('lists every short form and every action', () => {
    const text = helpText();
    for (const f of SHORT_FORMS) expect(text).toContain(f.name);
    for (const a of CSMS_ACTIONS) expect(text).toContain(a);
  });

  it('gives the fields of one action or short form', () => {
    expect(helpText('ChangeAvailability')).toBe(
      'OCPP 1.6:\nChangeAvailability fields (? = optional):\n  connectorId: integer\n  type: Inoperative|Operative\n\n' +
        'OCPP 2.0.1:\nChangeAvailability fields (? = optional):\n  evse?: object\n  operationalStatus: Inoperative|Operative',
    );
    expect(helpText('GetVariables')).toBe('GetVariables fields (? = optional):\n  getVariableData: array');
    expect(helpText('unlock')).toContain('unlock <connectorId> (also: unlock-connector)');
    expect(() => helpText('Heartbeat')).toThrow('no help for "Heartbeat"');
  });
});

describe('CSMS_ACTIONS', () => {
  it('with the actions charge points send, covers OCPP 1.6 (DataTransfer goes both ways)', () => {
    const all = new Set([...CSMS_ACTIONS, ...INBOUND_ACTIONS]);
    expect(all.size).toBe(CSMS_ACTIONS.length + INBOUND_ACTIONS.length - 1);
    expect(all.size).toBe(39); // the OCPP 1.6J actions with the Security extension (agent/ocpp/v16/messages.ts)
    for (const f of SHORT_FORMS) expect(CSMS_ACTIONS).toContain(f.action);
  });

  it('with the actions stations send, covers OCPP 2.0.1 (DataTransfer goes both ways)', () => {
    const all = new Set([...CSMS_ACTIONS_201, ...INBOUND_ACTIONS_201]);
    expect(all.size).toBe(CSMS_ACTIONS_201.length + INBOUND_ACTIONS_201.length - 1);
    expect(all.size).toBe(64); // every action of ocpp-rpc's OCPP 2.0.1 schemas (agent/ocpp201/messages.ts)
    for (const f of SHORT_FORMS_201) expect(CSMS_ACTIONS_201).toContain(f.action);
  });
});

describe('short forms for an OCPP 2.0.1 charge point', () => {
  const ctx = context(['CP201', 'CP16'], ['CP201', 'CP16'], { CP201: ['17670000000001'] }, ['CP201']);
  const call = (line: string) => parseConsoleLine(line, ctx);

  it('says the common operator calls in 2.0.1 words', () => {
    expect(call('CP201 remote-start ABC 1')).toEqual({
      type: 'call',
      chargePointId: 'CP201',
      action: 'RequestStartTransaction',
      payload: { idToken: { idToken: 'ABC', type: 'Central' }, remoteStartId: Math.floor(NOW / 1000) % 2_147_483_647, evseId: 1 },
    });
    expect(call('CP201 remote-stop')).toMatchObject({ action: 'RequestStopTransaction', payload: { transactionId: '17670000000001' } });
    expect(call('CP201 reset')).toMatchObject({ action: 'Reset', payload: { type: 'OnIdle' } });
    expect(call('CP201 reset immediate')).toMatchObject({ action: 'Reset', payload: { type: 'Immediate' } });
    expect(call('CP201 availability 0 Inoperative')).toMatchObject({ action: 'ChangeAvailability', payload: { operationalStatus: 'Inoperative' } });
    expect(call('CP201 availability 2 Operative')).toMatchObject({ payload: { operationalStatus: 'Operative', evse: { id: 2 } } });
    expect(call('CP201 get OCPPCommCtrlr.HeartbeatInterval OCPPCommCtrlr.MessageAttempts[TransactionEvent]')).toMatchObject({
      action: 'GetVariables',
      payload: {
        getVariableData: [
          { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } },
          { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'MessageAttempts', instance: 'TransactionEvent' } },
        ],
      },
    });
    expect(call('CP201 set OCPPCommCtrlr.HeartbeatInterval 60')).toMatchObject({
      action: 'SetVariables',
      payload: { setVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, attributeValue: '60' }] },
    });
    expect(call('CP201 unlock 1')).toMatchObject({ action: 'UnlockConnector', payload: { evseId: 1, connectorId: 1 } });
    // a 1.6 charger keeps the 1.6 forms
    expect(call('CP16 reset')).toMatchObject({ action: 'Reset', payload: { type: 'Soft' } });
  });

  it('refuses 1.6 words for a 2.0.1 charger and says why', () => {
    expect(() => call('CP201 RemoteStartTransaction {"idTag":"A"}')).toThrow('"RemoteStartTransaction" is for OCPP 1.6 charge points; CP201 speaks OCPP 2.0.1');
    expect(() => call('CP16 get-base-report')).toThrow('"get-base-report" is for OCPP 2.0.1 charge points; CP16 speaks OCPP 1.6');
    expect(() => call('CP201 get HeartbeatInterval')).toThrow('"HeartbeatInterval" is not Component.Variable');
    expect(() => call('CP201 get')).toThrow('get-base-report');
  });
});
