/**
 * Workaround until the GitHub stand-in sends its fake clock in the `Date` header: a pass-through HTTP proxy
 * in front of it that rewrites `Date` to the stand-in's clock. open-incident-issue takes "now" from GitHub's
 * Date header so that its times and GitHub's timestamps (created_at, closed_at) are on one clock; with this,
 * `advanceClock()` moves both, as time passing on GitHub would.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ClockProxy {
  url: string;
  stop(): Promise<void>;
}

export async function startClockProxy(target: string, now: () => Date): Promise<ClockProxy> {
  const upstream = new URL(target);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const forward = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (up) => {
        const headers = { ...up.headers, date: now().toUTCString() };
        res.writeHead(up.statusCode ?? 502, headers);
        up.pipe(res);
      },
    );
    forward.on('error', () => {
      // The stand-in reset the connection (fault injection): do the same to the client.
      req.socket.destroy();
    });
    req.pipe(forward);
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
