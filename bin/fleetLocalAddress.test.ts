/** `evse fleet --local-address`: parsed and checked against this machine before anything starts. */
import { describe, expect, it } from 'vitest';
import { parseLocalAddresses } from './fleetCommand.js';

describe('--local-address', () => {
  it('takes IPv4 and IPv6 addresses of this machine, comma-separated, once each', async () => {
    expect(await parseLocalAddresses('127.0.0.2, 127.0.0.3,127.0.0.2')).toEqual(['127.0.0.2', '127.0.0.3']);
    expect(await parseLocalAddresses('127.0.0.1')).toEqual(['127.0.0.1']);
  });

  it('refuses what is not an IP address, naming the option and the value', async () => {
    await expect(parseLocalAddresses('127.0.0.2,eth0')).rejects.toThrow(/--local-address: expected IP addresses separated by commas, got "eth0"/);
    await expect(parseLocalAddresses('')).rejects.toThrow(/--local-address/);
  });

  it('refuses an address this machine does not have (TEST-NET-1)', async () => {
    await expect(parseLocalAddresses('127.0.0.2,192.0.2.77')).rejects.toThrow(/--local-address: 192\.0\.2\.77 is not an address of this machine \(EADDRNOTAVAIL\)/);
  });
});
