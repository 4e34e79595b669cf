import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';

/**
 * A real HTTP(S) service on loopback whose answers a test changes while it runs: status, body, headers,
 * delay, redirect, reset connection, or a sequence of answers (flapping). It keeps a log of every request
 * (so a test can prove none was made) and serves Prometheus metrics at /metrics that a test drives to a
 * chosen error rate.
 */
export interface Answer {
  status?: number;
  /** Bytes as given: a Buffer is sent untouched (a gzip-encoded or ISO-8859-1 body). */
  body?: string | Buffer;
  headers?: Record<string, string>;
  /** Milliseconds before the status line is sent. */
  delayMs?: number;
  /** Sends a redirect (status 302 unless given) to this Location. */
  redirect?: string;
  /** Resets the TCP connection (RST) instead of answering. */
  reset?: boolean;
}

export interface RequestRecord {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  at: number;
}

export interface TestService {
  url: string;
  port: number;
  /** Every request except Prometheus' scrapes of /metrics. */
  requests: RequestRecord[];
  scrapes: number;
  /** Most requests (scrapes excepted) being answered at the same moment since the last `resetInFlight()`. */
  maxInFlight(): number;
  resetInFlight(): void;
  /** Sets what a path answers; an array is answered in turn, cycling (flapping). */
  route(path: string, answer: Answer | Answer[]): void;
  /** Back to the healthy defaults, request log emptied. */
  resetRoutes(): void;
  /** Requests to this path so far. */
  hits(path: string): number;
  /**
   * Drives `http_requests_total{app,status}`: from now on `app` serves `rps` requests a second, a fraction
   * `errorRatio` of them 500s (counters grow with time, so rate() sees exactly this).
   */
  traffic(app: string, errorRatio: number, rps?: number): void;
  close(): Promise<void>;
}

/** A healthy service: seed 002's six checks all pass against these. */
export const HEALTHY_ROUTES: Record<string, Answer> = {
  '/': { status: 200, body: '<html><body>app</body></html>', headers: { 'content-type': 'text/html' } },
  '/health': { status: 200, body: '{"status":"healthy"}', headers: { 'content-type': 'application/json' } },
  '/docs': { status: 200, body: '<html>docs</html>', headers: { 'content-type': 'text/html' } },
};

interface Counter {
  rps: number;
  errorRatio: number;
  ok: number;
  errors: number;
  since: number;
}

export async function startTestService(options: { tls?: { key: string; cert: string } } = {}): Promise<TestService> {
  const routes = new Map<string, { answers: Answer[]; next: number }>();
  const requests: RequestRecord[] = [];
  let inFlight = 0;
  let peak = 0;
  const counters = new Map<string, Counter>();
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();
  let scrapes = 0;

  const setDefaults = () => {
    routes.clear();
    for (const [p, a] of Object.entries(HEALTHY_ROUTES)) routes.set(p, { answers: [a], next: 0 });
  };
  setDefaults();

  const advance = (now: number) => {
    for (const c of counters.values()) {
      const dt = (now - c.since) / 1000;
      c.ok += dt * c.rps * (1 - c.errorRatio);
      c.errors += dt * c.rps * c.errorRatio;
      c.since = now;
    }
  };

  const metrics = (): string => {
    advance(Date.now());
    const lines = ['# HELP http_requests_total Requests served.', '# TYPE http_requests_total counter'];
    for (const [app, c] of counters) {
      lines.push(`http_requests_total{app="${app}",status="200"} ${c.ok}`);
      lines.push(`http_requests_total{app="${app}",status="500"} ${c.errors}`);
    }
    lines.push('# HELP idle_requests_total A counter that never moves: its rate is 0, so a ratio of rates is NaN.');
    lines.push('# TYPE idle_requests_total counter');
    lines.push('idle_requests_total{status="200"} 7');
    lines.push('idle_requests_total{status="500"} 0');
    return `${lines.join('\n')}\n`;
  };

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === '/metrics') {
      scrapes++;
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(metrics());
      return;
    }
    requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', headers: { ...req.headers }, at: Date.now() });
    inFlight++;
    peak = Math.max(peak, inFlight);
    res.once('close', () => void inFlight--);
    const route = routes.get(path);
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    const answer = route.answers[route.next % route.answers.length]!;
    route.next++;
    const respond = () => {
      if (answer.reset) {
        req.socket.resetAndDestroy();
        return;
      }
      if (answer.redirect !== undefined) {
        res.writeHead(answer.status ?? 302, { location: answer.redirect, ...answer.headers });
        res.end();
        return;
      }
      res.writeHead(answer.status ?? 200, { 'content-type': 'text/plain', ...answer.headers });
      res.end(answer.body ?? '');
    };
    if (answer.delayMs) {
      const t = setTimeout(() => {
        timers.delete(t);
        if (!req.socket.destroyed) respond();
      }, answer.delayMs);
      timers.add(t);
    } else {
      respond();
    }
  };

  const server: Server = options.tls ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, handler) : createHttpServer(handler);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('secureConnection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  // A client that gives up on TLS (untrusted certificate) makes the server emit tlsClientError: expected here.
  server.on('tlsClientError', () => {});
  server.on('clientError', (_e, socket: Socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('test service: no port');
  const port = address.port;

  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    requests,
    get scrapes() {
      return scrapes;
    },
    maxInFlight: () => peak,
    resetInFlight() {
      peak = inFlight;
    },
    route(path, answer) {
      routes.set(path, { answers: Array.isArray(answer) ? answer : [answer], next: 0 });
    },
    resetRoutes() {
      setDefaults();
      requests.length = 0;
    },
    hits(path) {
      return requests.filter((r) => r.path.split('?')[0] === path).length;
    },
    traffic(app, errorRatio, rps = 100) {
      const now = Date.now();
      advance(now);
      const c = counters.get(app);
      if (c) {
        c.rps = rps;
        c.errorRatio = errorRatio;
      } else {
        counters.set(app, { rps, errorRatio, ok: 0, errors: 0, since: now });
      }
    },
    close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port on loopback where nothing listens: connections are refused. */
export async function closedPort(): Promise<number> {
  const { freePort } = await import('../ports.js');
  return freePort();
}
