import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SignJWT, importPKCS8, type CryptoKey } from 'jose';

const run = promisify(execFile);

/** One entry of the `access` claim distribution checks (registry/auth/token/token.go). */
export interface Access {
  type: string;
  name: string;
  actions: string[];
}

export interface TokenRequestRecord {
  user: string | undefined;
  ok: boolean;
  service: string | null;
  scopes: string[];
}

export interface TokenIssuerOptions {
  /** Where the key and certificate are written. */
  dir: string;
  service: string;
  issuer: string;
  /** Accepted Basic credentials; the endpoint refuses anything else, including anonymous requests. */
  users: Record<string, string>;
  /** Which JSON field carries the token: both by default, as distribution's own token server does. */
  tokenField?: 'token' | 'access_token' | 'both';
  /** Narrows what a user gets; default everything asked for. */
  grant?: (user: string, access: Access) => string[];
}

export interface TokenIssuer {
  /** The realm to configure in the registry: http://127.0.0.1:PORT/token */
  realm: string;
  /** The certificate bundle the registry trusts (`rootcertbundle`). */
  certPath: string;
  requests: TokenRequestRecord[];
  /** A token signed exactly like the endpoint's, for pushing fixtures without a round trip. */
  mint(subject: string, access: Access[]): Promise<string>;
  stop(): Promise<void>;
}

/**
 * A test token server for distribution's `auth: token`: RS256 JWTs whose `x5c` header carries a self-signed
 * certificate that is also the registry's root bundle. Honours the requested scopes and requires Basic
 * credentials, so a wrong password fails at the token endpoint exactly as on a real registry.
 */
export async function startTokenIssuer(options: TokenIssuerOptions): Promise<TokenIssuer> {
  const keyPath = join(options.dir, 'token-key.pem');
  const certPath = join(options.dir, 'token-cert.pem');
  await run('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '2',
    '-subj', `/CN=${options.issuer}`, '-keyout', keyPath, '-out', certPath,
  ]);
  const key = await importPKCS8(await readFile(keyPath, 'utf8'), 'RS256');
  const certDer = (await readFile(certPath, 'utf8')).replace(/-----[^-]+-----|\s+/g, '');
  const requests: TokenRequestRecord[] = [];

  const mint = (subject: string, access: Access[]) => sign(key, certDer, options, subject, access);

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { 'Content-Type': 'text/plain' }).end(String(error));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://issuer');
    if (url.pathname !== '/token') return void res.writeHead(404).end();
    const user = basicUser(req.headers.authorization, options.users);
    const scopes = url.searchParams.getAll('scope');
    requests.push({ user: user ?? undefined, ok: !!user, service: url.searchParams.get('service'), scopes });
    if (!user) {
      res.writeHead(401, { 'Content-Type': 'application/json', 'WWW-Authenticate': 'Basic realm="greenline-test"' });
      res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'invalid username or password' }] }));
      return;
    }
    const access = scopes.flatMap(parseScope).map((a) => ({ ...a, actions: options.grant ? options.grant(user, a) : a.actions }));
    const token = await mint(user, access);
    const field = options.tokenField ?? 'both';
    const body: Record<string, unknown> = { expires_in: 300, issued_at: new Date().toISOString() };
    if (field !== 'access_token') body.token = token;
    if (field !== 'token') body.access_token = token;
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    certPath,
    requests,
    mint,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function sign(key: CryptoKey, certDer: string, o: TokenIssuerOptions, subject: string, access: Access[]): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ access })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', x5c: [certDer] })
    .setIssuer(o.issuer)
    .setAudience(o.service)
    .setSubject(subject)
    .setIssuedAt(now)
    .setNotBefore(now - 5)
    .setExpirationTime(now + 300)
    .setJti(randomUUID())
    .sign(key);
}

/** `repository:owner/app:pull,push` → one access entry; the name may not hold a colon, the type may carry a class. */
function parseScope(scope: string): Access[] {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first <= 0 || last === first) return [];
  const actions = scope.slice(last + 1).split(',').filter(Boolean);
  return [{ type: scope.slice(0, first).replace(/\(.*\)$/, ''), name: scope.slice(first + 1, last), actions }];
}

function basicUser(header: string | undefined, users: Record<string, string>): string | undefined {
  const m = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const cut = decoded.indexOf(':');
  const user = decoded.slice(0, cut);
  return cut > 0 && Object.hasOwn(users, user) && users[user] === decoded.slice(cut + 1) ? user : undefined;
}
