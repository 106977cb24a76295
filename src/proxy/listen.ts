// Binding a listener: resolves with the port the OS gave (port 0 asks for a free one), rejects with the bind error
// (a port in use, an address not on this host) instead of letting it surface as an unhandled 'error' event.
import type { AddressInfo, Server } from 'node:net';

export function listen(server: Server, options: { readonly port: number; readonly host: string; readonly reusePort?: boolean }): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
