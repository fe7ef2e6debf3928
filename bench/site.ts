/**
 * The local HTTPS site the in-browser benches load, under a real host name (the browsers map it to
 * 127.0.0.1 and accept its throw-away certificate). Each request is answered once its body has arrived.
 */
import https from 'node:https';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { selfSignedCert } from '../test/e2e/support/cert.js';

export interface Site {
  url(path: string): string;
  close(): Promise<void>;
}

/** Serves `host` on a free port; `answer` gets each request's path (without the query). */
export function serveSite(host: string, answer: (path: string, res: ServerResponse) => void): Promise<Site> {
  const server = https.createServer(selfSignedCert([host]), (req, res) => {
    req.resume();
    req.on('end', () => answer(new URL(req.url ?? '/', 'http://x').pathname, res));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      resolve({
        url: (path) => `https://${host}:${port}${path}`,
        close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
      });
    }),
  );
}
