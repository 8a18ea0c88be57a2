/**
 * DataTransfer both ways through a whole in-process Agent and the embedded strict CSMS over a real
 * socket: vendor handlers registered on the charger answer the CSMS; the charger sends its own
 * under its vendorId.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CP, agentFixture, cleanupAgents } from '../test/support/agentFixture.js';

afterEach(cleanupAgents);

describe('DataTransfer from the CSMS', () => {
  it('goes to the handler of its vendor and messageId; unknown vendor, unknown messageId and a failing handler say so', async () => {
    const f = await agentFixture();
    const seen: unknown[] = [];
    f.agent.vendors.register('com.example.display', (req) => {
      seen.push(req);
      return { status: 'Accepted', data: `shown:${req.data}` };
    }, 'ShowText');
    f.agent.vendors.register('com.example.display', () => {
      throw new Error('display broken');
    }, 'Blink');
    f.agent.vendors.register('com.example.any', (req) => ({ status: 'Accepted', data: req.messageId ?? '(none)' }));

    expect(await f.csms.call(CP, 'DataTransfer', { vendorId: 'com.example.display', messageId: 'ShowText', data: 'hello' })).toEqual({ status: 'Accepted', data: 'shown:hello' });
    expect(seen).toEqual([{ vendorId: 'com.example.display', messageId: 'ShowText', data: 'hello' }]);
    expect(await f.csms.call(CP, 'DataTransfer', { vendorId: 'com.example.display', messageId: 'Reboot' })).toEqual({ status: 'UnknownMessageId' });
    expect(await f.csms.call(CP, 'DataTransfer', { vendorId: 'com.example.display' })).toEqual({ status: 'UnknownMessageId' });
    expect(await f.csms.call(CP, 'DataTransfer', { vendorId: 'com.example.display', messageId: 'Blink' })).toEqual({ status: 'Rejected' });
    expect(await f.csms.call(CP, 'DataTransfer', { vendorId: 'org.other', messageId: 'ShowText' })).toEqual({ status: 'UnknownVendorId' });
    expect(await f.csms.call(CP, 'DataTransfer', { vendorId: 'COM.EXAMPLE.DISPLAY', messageId: 'ShowText' })).toEqual({ status: 'UnknownVendorId' });
    expect(await f.csms.call(CP, 'DataTransfer', { vendorId: 'com.example.any', messageId: 'X' })).toEqual({ status: 'Accepted', data: 'X' });
  });

  it('a handler removed again no longer answers; a second handler for the same message is a wiring error', async () => {
    const f = await agentFixture();
    const remove = f.agent.vendors.register('com.example', () => ({ status: 'Accepted' }), 'Ping');
    expect(() => f.agent.vendors.register('com.example', () => ({ status: 'Rejected' }), 'Ping')).toThrow(/already has a handler/);
    expect(await f.csms.call(CP, 'DataTransfer', { vendorId: 'com.example', messageId: 'Ping' })).toEqual({ status: 'Accepted' });
    remove();
    expect(await f.csms.call(CP, 'DataTransfer', { vendorId: 'com.example', messageId: 'Ping' })).toEqual({ status: 'UnknownVendorId' });
  });
});

describe('DataTransfer from the charger', () => {
  it('is sent under the BootNotification vendor by default and resolves with the CSMS answer', async () => {
    const f = await agentFixture();
    expect(await f.agent.sendDataTransfer('Hello', '{"fw":"1.2"}')).toEqual({ status: 'UnknownVendorId' }); // this CSMS knows no vendors
    expect(f.sent('DataTransfer')).toEqual([{ vendorId: 'evse-agent', messageId: 'Hello', data: '{"fw":"1.2"}' }]);
  });
});
