/**
 * Small promises a charger makes to its CSMS, over the strict embedded CSMS: the optional Core keys
 * it reports, and a ReserveNow it cannot honour is refused rather than accepted and ignored.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CP, agentFixture, cleanupAgents } from '../test/support/agentFixture.js';

afterEach(cleanupAgents);

describe('ReserveNow', () => {
  it('with an expiryDate in the past (or now): Rejected, and the connector stays Available', async () => {
    const f = await agentFixture();
    for (const expiryDate of [new Date(f.clock.now() - 60_000).toISOString(), new Date(f.clock.now()).toISOString()]) {
      expect(await f.csms.call(CP, 'ReserveNow', { connectorId: 1, expiryDate, idTag: 'LATE', reservationId: 4 })).toEqual({ status: 'Rejected' });
    }
    await f.advance(1000);
    expect(f.agent.connectors[0]!.status).toBe('Available');
    expect(await f.csms.call(CP, 'CancelReservation', { reservationId: 4 })).toEqual({ status: 'Rejected' });
  });
});

describe('optional Core keys', () => {
  it('the *MaxLength keys of §9.1 are reported read-only, and bound their lists', async () => {
    const f = await agentFixture();
    const answer = await f.csms.call(CP, 'GetConfiguration', { key: ['ConnectorPhaseRotationMaxLength', 'SupportedFeatureProfilesMaxLength'] });
    expect(answer.unknownKey ?? []).toEqual([]);
    const byKey = Object.fromEntries((answer.configurationKey ?? []).map((k) => [k.key, k]));
    expect(byKey.ConnectorPhaseRotationMaxLength).toMatchObject({ readonly: true });
    expect(byKey.SupportedFeatureProfilesMaxLength).toMatchObject({ readonly: true });
    const max = Number(byKey.ConnectorPhaseRotationMaxLength!.value);
    expect(max).toBe(f.agent.connectors.length + 1); // connector 0 (the charger) and each connector
    const tooLong = Array.from({ length: max + 1 }, (_, i) => `${i}.RST`).join(',');
    expect(await f.csms.call(CP, 'ChangeConfiguration', { key: 'ConnectorPhaseRotation', value: tooLong })).toEqual({ status: 'Rejected' });
    expect(await f.csms.call(CP, 'ChangeConfiguration', { key: 'ConnectorPhaseRotation', value: '0.RST,1.RST' })).toEqual({ status: 'Accepted' });
  });

  it('LightIntensity and BlinkRepeat are not offered: no HAL device can show them', async () => {
    const f = await agentFixture();
    expect(await f.csms.call(CP, 'ChangeConfiguration', { key: 'LightIntensity', value: '50' })).toEqual({ status: 'NotSupported' });
    expect(await f.csms.call(CP, 'ChangeConfiguration', { key: 'BlinkRepeat', value: '3' })).toEqual({ status: 'NotSupported' });
  });
});

describe('ResetRetries', () => {
  it('is read-write, 3 by default, bounded 0..100 (honoured by evse run: test/evseRun.resetRetries.test.ts)', async () => {
    const f = await agentFixture();
    expect((await f.csms.call(CP, 'GetConfiguration', { key: ['ResetRetries'] })).configurationKey).toEqual([{ key: 'ResetRetries', readonly: false, value: '3' }]);
    expect(await f.csms.call(CP, 'ChangeConfiguration', { key: 'ResetRetries', value: '101' })).toEqual({ status: 'Rejected' });
    expect(await f.csms.call(CP, 'ChangeConfiguration', { key: 'ResetRetries', value: '-1' })).toEqual({ status: 'Rejected' });
    expect(await f.csms.call(CP, 'ChangeConfiguration', { key: 'ResetRetries', value: '5' })).toEqual({ status: 'Accepted' });
    expect((await f.csms.call(CP, 'GetConfiguration', { key: ['ResetRetries'] })).configurationKey).toEqual([{ key: 'ResetRetries', readonly: false, value: '5' }]);
  });
});

describe('TimeZone', () => {
  it('a change is answered RebootRequired (the charger reads it once, at start) and stored; an unknown zone is Rejected', async () => {
    const f = await agentFixture();
    expect(await f.csms.call(CP, 'ChangeConfiguration', { key: 'TimeZone', value: 'Nowhere/Special' })).toEqual({ status: 'Rejected' });
    expect(await f.csms.call(CP, 'ChangeConfiguration', { key: 'TimeZone', value: 'Europe/Berlin' })).toEqual({ status: 'RebootRequired' });
    expect((await f.csms.call(CP, 'GetConfiguration', { key: ['TimeZone'] })).configurationKey).toEqual([{ key: 'TimeZone', readonly: false, value: 'Europe/Berlin' }]);
    expect(f.agent.timeZone).toBeUndefined();
  });
});
