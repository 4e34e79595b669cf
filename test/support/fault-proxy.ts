import { Agent as HttpAgent, createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';

/** What the proxy does instead of (or on top of) forwarding one request. */
export type Fault =
  /** Answer directly, never reaching upstream. */
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string }
  /** Destroy the connection as soon as the request arrives: the client sees a reset, upstream sees nothing. */
  | { kind: 'reset' }
  /** Forward, send the status line, headers and half the body, then destroy the connection. */
  | { kind: 'reset-mid-response' }
  /** Accept the request and say nothing for `ms`, then destroy the connection (past the client's timeout). */
  | { kind: 'stall'; ms: number }
  /** Forward and let upstream finish (a PUT takes effect), then destroy the connection instead of replying. */
  | { kind: 'drop-reply' }
  /** Forward and let upstream finish, then answer with this status instead of upstream's (same headers and body). */
  | { kind: 'rewrite-status'; status: number }
  /** Hold the request until `release` settles, then forward it: lets a test order two clients' requests exactly. */
  | { kind: 'hold'; release: Promise<unknown> };

export interface FaultRule {
  /** Exact method (case-insensitive) or pattern; any when absent. */
  method?: string | RegExp;
  /** Tested against the path with its query; any when absent. */
  path?: RegExp;
  /** How many matching requests it applies to; default 1. */
  times?: number;
  fault: Fault;
}

export interface ProxiedRequest {
  method: string;
  path: string;
  /** The fault applied, or 'forward'. */
  outcome: Fault['kind'] | 'forward';
  /** Upstream's status when the request reached it. */
  upstreamStatus?: number;
  at: number;
}

export interface FaultProxy {
  url: string;
  /** 127.0.0.1:PORT — use it as the registry part of an image name. */
  host: string;
  port: number;
  requests: ProxiedRequest[];
  addFault(rule: FaultRule): void;
  clearFaults(): void;
  /** Added before every request, faults included (the benchmark uses 40 ms). */
  setLatency(ms: number): void;
  /** Requests seen by method (and, with a pattern, only those whose path matches). */
  count(method?: string, path?: RegExp): number;
  stop(): Promise<void>;
}

/**
 * A loopback HTTP proxy in front of one upstream URL that forwards requests unchanged (Host header included, so
 * the registry's Location headers point back at the proxy) and injects faults from a queue of rules.
 */
export async function startFaultProxy(upstream: string, options: { latencyMs?: number } = {}): Promise<FaultProxy> {
  const target = new URL(upstream);
  const secure = target.protocol === 'https:';
  const agent = secure ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
  const send = secure ? httpsRequest : httpRequest;
  const rules: { rule: FaultRule; left: number }[] = [];
  const requests: ProxiedRequest[] = [];
  let latencyMs = options.latencyMs ?? 0;

  const take = (method: string, path: string): Fault | undefined => {
    const i = rules.findIndex(({ rule, left }) => left > 0 && matches(rule.method, method) && (!rule.path || rule.path.test(path)));
    if (i === -1) return undefined;
    const entry = rules[i]!;
    entry.left--;
    if (entry.left === 0) rules.splice(i, 1);
    return entry.rule.fault;
  };

  const server = createServer((req, res) => {
    void handle(req, res);
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const record: ProxiedRequest = { method, path, outcome: 'forward', at: Date.now() };
    requests.push(record);
    if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));
    const fault = take(method, path);
    if (fault) record.outcome = fault.kind;
    if (fault?.kind === 'status') {
      req.resume();
      res.writeHead(fault.status, { 'Content-Type': 'application/json', ...fault.headers }).end(fault.body ?? '');
      return;
    }
    if (fault?.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'hold') await fault.release.catch(() => undefined);
    if (fault?.kind === 'stall') {
      req.resume();
      setTimeout(() => req.socket.destroy(), fault.ms).unref();
      return;
    }
    const up = send(
      new URL(path, target),
      { method, headers: req.headers, agent },
      (upRes) => {
        record.upstreamStatus = upRes.statusCode;
        if (fault?.kind === 'drop-reply') {
          upRes.resume();
          upRes.on('end', () => req.socket.destroy());
          return;
        }
        if (fault?.kind === 'rewrite-status') res.writeHead(fault.status, upRes.headers);
        else res.writeHead(upRes.statusCode ?? 502, upRes.statusMessage, upRes.headers);
        if (fault?.kind === 'reset-mid-response') {
          const chunks: Buffer[] = [];
          upRes.on('data', (c: Buffer) => chunks.push(c));
          upRes.on('end', () => {
            const all = Buffer.concat(chunks);
            res.write(all.subarray(0, Math.floor(all.length / 2)), () => req.socket.destroy());
          });
          return;
        }
        upRes.pipe(res);
      },
    );
    up.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' }).end(`fault-proxy: upstream error: ${error.message}`);
      else req.socket.destroy();
    });
    req.pipe(up);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    port,
    requests,
    addFault: (rule) => void rules.push({ rule, left: rule.times ?? 1 }),
    clearFaults: () => void rules.splice(0),
    setLatency: (ms) => void (latencyMs = ms),
    count: (method, path) => requests.filter((r) => (!method || r.method === method) && (!path || path.test(r.path))).length,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        agent.destroy();
        server.close(() => resolve());
      }),
  };
}

function matches(want: string | RegExp | undefined, method: string): boolean {
  if (want === undefined) return true;
  return typeof want === 'string' ? want.toUpperCase() === method.toUpperCase() : want.test(method);
}
