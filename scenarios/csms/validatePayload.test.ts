import { describe, expect, it } from 'vitest';
import { checkPayload, topLevelFields } from './validatePayload.js';

describe('checkPayload', () => {
  it('accepts a valid payload', () => {
    expect(checkPayload('RemoteStartTransaction', 'req', { idTag: 'ABC', connectorId: 1 })).toBeUndefined();
    expect(checkPayload('ClearCache', 'req', {})).toBeUndefined();
  });

  it('names the field and what is wrong with it', () => {
    expect(checkPayload('RemoteStartTransaction', 'req', { connectorId: 1 })).toMatchObject({ field: 'idTag', message: 'idTag: required, missing' });
    expect(checkPayload('RemoteStartTransaction', 'req', { idTag: 'A', connectorId: '1' })).toMatchObject({ field: 'connectorId', message: 'connectorId: must be an integer (got "1")' });
    expect(checkPayload('ChangeAvailability', 'req', { connectorId: 0, type: 'Off' })).toMatchObject({ field: 'type', message: 'type: must be one of Inoperative, Operative (got "Off")' });
    expect(checkPayload('ClearCache', 'req', { all: true })).toMatchObject({ field: 'all', message: expect.stringMatching(/^all: not a field of this message/) });
    expect(checkPayload('RemoteStartTransaction', 'req', { idTag: 'X'.repeat(21) })).toMatchObject({ field: 'idTag', message: expect.stringMatching(/^idTag: must NOT have more than 20 characters/) });
    expect(checkPayload('Reset', 'req', [])).toMatchObject({ field: 'payload', message: 'payload: must be an object (got [])' });
  });

  it('gives nested fields as a path', () => {
    const problem = checkPayload('SendLocalList', 'req', {
      listVersion: 1,
      updateType: 'Full',
      localAuthorizationList: [{ idTag: 'A', idTagInfo: { status: 'Accepted' } }, { idTag: 'B', idTagInfo: { status: 'Maybe' } }],
    });
    expect(problem).toMatchObject({ field: 'localAuthorizationList[1].idTagInfo.status', message: expect.stringContaining('must be one of Accepted, Blocked') });
  });

  it('checks answers (conf) too', () => {
    expect(checkPayload('Reset', 'conf', { status: 'Accepted' })).toBeUndefined();
    expect(checkPayload('Reset', 'conf', { status: 'Yes' })).toMatchObject({ field: 'status' });
  });
});

describe('topLevelFields', () => {
  it('lists the fields of a request with type, requiredness and values', () => {
    expect(topLevelFields('ChangeAvailability')).toEqual([
      { name: 'connectorId', type: 'integer', required: true },
      { name: 'type', type: 'string', required: true, values: ['Inoperative', 'Operative'] },
    ]);
  });
});
