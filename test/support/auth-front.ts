import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a loopback server saw; `authorization` is only whether one was sent and its scheme, never its value. */
export interface SeenRequest {
  method: string;
  path: string;
  authorization: string | undefined;
}

/** What a hook may do with one request before it reaches upstream: answer it itself, or let it through. */
export type FrontHook = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

/** Rewrites upstream's answer headers (lowercase names) before they are sent on; return nothing to keep them. */
export type HeaderRewrite = (ctx: { method: string; path: string; status: number; headers: IncomingHttpHeaders }) => void;

export interface AuthFront {
  url: string;
  /** 127.0.0.1:PORT, for an image name. */
  host: string;
  seen: SeenRequest[];
  /** Hooks run first to last; the first that returns true has answered. */
  hooks: FrontHook[];
  rewrites: HeaderRewrite[];
  stop(): Promise<void>;
}

/** `Bearer` / `Basic` / undefined: enough to prove where credentials went without keeping them. */
export function schemeOf(header: string | undefined): string | undefined {
  return header ? header.split(' ')[0] : undefined;
}

/**
 * A loopback front for a real registry that forwards every request unchanged (Host included) but can answer
 * some itself (a redirect to a CDN) and rewrite the headers of upstream's answers (the WWW-Authenticate
 * challenge), which is how registries in the field differ from distribution's own behaviour.
 */
export async function startAuthFront(upstream: string): Promise<AuthFront> {
  const target = new URL(upstream);
  const seen: SeenRequest[] = [];
  const hooks: FrontHook[] = [];
  const rewrites: HeaderRewrite[] = [];
  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' }).end(String(error));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    seen.push({ method, path, authorization: schemeOf(req.headers.authorization) });
    for (const hook of hooks) if (await hook(req, res)) return;
    const up = httpRequest(new URL(path, target), { method, headers: req.headers }, (upRes) => {
      const headers = { ...upRes.headers };
      for (const rewrite of rewrites) rewrite({ method, path, status: upRes.statusCode ?? 502, headers });
      for (const [k, v] of Object.entries(headers)) if (v === undefined) delete headers[k];
      res.writeHead(upRes.statusCode ?? 502, upRes.statusMessage, headers);
      upRes.pipe(res);
    });
    up.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' }).end(`auth-front: ${error.message}`);
      else req.socket.destroy();
    });
    req.pipe(up);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    seen,
    hooks,
    rewrites,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A plain loopback server answering with `handler`, recording what it saw (a CDN, a token service). */
export async function startLoopback(
  handler: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void | Promise<void>,
  host = '127.0.0.1',
): Promise<{ url: string; seen: SeenRequest[]; stop(): Promise<void> }> {
  const seen: SeenRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method ?? 'GET', path: req.url ?? '/', authorization: schemeOf(req.headers.authorization) });
      Promise.resolve(handler(req, res, Buffer.concat(chunks))).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' }).end(String(error));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host === '127.0.0.1' ? '127.0.0.1' : host}:${port}`,
    seen,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
