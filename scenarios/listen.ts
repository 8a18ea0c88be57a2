/** Starting an HTTP server of the scenario tools (embedded CSMS, its HTTP API, the fleet's control API and metrics). */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Listens on `host:port` (port 0: any free one) and resolves with the bound address; rejects when
 * the address cannot be had (EADDRINUSE, EADDRNOTAVAIL, EACCES), which `listen`'s own callback
 * never hears of.
 */
export async function listenOn(server: Server, host: string, port: number): Promise<AddressInfo> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server.address() as AddressInfo;
}
