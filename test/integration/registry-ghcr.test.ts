import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/core/action/errors.js';
import { DOCKER_MANIFEST, RegistryClient } from '../../src/core/registry/index.js';

/**
 * A stand-in for ghcr.io's observable behaviour (REFERENCE.md): `Bearer base64(GITHUB_TOKEN)` accepted directly
 * unless switched off, a token endpoint at /token taking Basic credentials, DENIED with no challenge for a
 * refused token, and the 401 challenge with realm/service/scope. The client is pointed at it with `endpoint`
 * while the image still says ghcr.io, which is what selects the GHCR behaviour.
 */
const PASSWORD = 'ghs_fakeGitHubToken123';
const MANIFEST = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: DOCKER_MANIFEST, config: {}, layers: [] }));
const DIGEST = `sha256:${createHash('sha256').update(MANIFEST).digest('hex')}`;

interface Behaviour {
  shortcut: 'accept' | 'deny-403' | 'challenge-401';
  canWrite: boolean;
}

describe('GHCR authentication', () => {
  let server: Server;
  let base: string;
  const behaviour: Behaviour = { shortcut: 'accept', canWrite: true };
  const seen: { method: string; path: string; auth: string }[] = [];
  const issued = new Set<string>();
  const tags = new Map<string, Buffer>();

  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = req.url ?? '/';
      const auth = req.headers.authorization ?? '';
      seen.push({ method: req.method ?? '', path, auth });
      if (path.startsWith('/token')) {
        const basic = Buffer.from(auth.replace(/^Basic /, ''), 'base64').toString('utf8');
        if (!basic.endsWith(`:${PASSWORD}`)) return void res.writeHead(401).end('{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}');
        const token = `tok-${issued.size + 1}`;
        issued.add(token);
        return void res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ token }));
      }
      const m = /^\/v2\/owner\/app\/manifests\/(.+)$/.exec(path);
      if (!m) return void res.writeHead(404).end();
      const shortcut = auth === `Bearer ${Buffer.from(PASSWORD).toString('base64')}`;
      const token = issued.has(auth.replace(/^Bearer /, ''));
      const allowed = token || (shortcut && behaviour.shortcut === 'accept');
      if (!allowed) {
        if (shortcut && behaviour.shortcut === 'deny-403') return void denied(res);
        res.writeHead(401, {
          'Content-Type': 'application/json',
          'WWW-Authenticate': `Bearer realm="${base}/token",service="ghcr.io",scope="repository:owner/app:pull"`,
        });
        return void res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
      }
      if (req.method === 'PUT') {
        if (!behaviour.canWrite) return void denied(res);
        return void readBody(req).then((body) => {
          tags.set(m[1]!, body);
          res.writeHead(201, { 'Docker-Content-Digest': `sha256:${createHash('sha256').update(body).digest('hex')}` }).end();
        });
      }
      const body = m[1] === DIGEST || m[1] === 'candidate' ? MANIFEST : tags.get(m[1]!);
      if (!body) return void res.writeHead(404).end('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}');
      res.writeHead(200, { 'Content-Type': DOCKER_MANIFEST, 'Docker-Content-Digest': DIGEST }).end(req.method === 'HEAD' ? undefined : body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    seen.length = 0;
    issued.clear();
    Object.assign(behaviour, { shortcut: 'accept', canWrite: true });
  });

  const client = (masked: string[] = []) =>
    new RegistryClient({ image: 'ghcr.io/owner/app', endpoint: base, username: 'octocat', password: PASSWORD, mask: (s) => void masked.push(s), retryBaseMs: 5 });

  it('uses Bearer base64(token) directly: no token request, 1 GET + 1 PUT per tag', async () => {
    const masked: string[] = [];
    const c = client(masked);
    const source = await c.getManifest('candidate');
    expect((await c.retag(source, ['stable', 'latest'])).every((r) => r.ok)).toBe(true);
    expect(seen.map((s) => s.method)).toEqual(['GET', 'PUT', 'PUT']);
    expect(c.requestCounts()).toMatchObject({ GET: 1, PUT: 2, token: 0 });
    expect(masked).toContain(Buffer.from(PASSWORD).toString('base64'));
  });

  it('falls back to the challenge flow when the shortcut gets a 401', async () => {
    behaviour.shortcut = 'challenge-401';
    const masked: string[] = [];
    const c = client(masked);
    const source = await c.getManifest('candidate');
    expect((await c.retag(source, ['stable'])).every((r) => r.ok)).toBe(true);
    expect(seen.map((s) => `${s.method} ${s.path.replace(/\?.*/, '')}`)).toEqual([
      'GET /v2/owner/app/manifests/candidate',
      'GET /token',
      'GET /v2/owner/app/manifests/candidate',
      'PUT /v2/owner/app/manifests/stable',
    ]);
    const tokenUrl = new URL(seen[1]!.path, base);
    expect(tokenUrl.searchParams.get('service')).toBe('ghcr.io');
    expect(tokenUrl.searchParams.getAll('scope')).toEqual(['repository:owner/app:pull,push']);
    expect(masked).toContain('tok-1');
  });

  it('falls back to the well-known token endpoint when the shortcut gets DENIED without a challenge', async () => {
    behaviour.shortcut = 'deny-403';
    const c = client();
    expect((await c.getManifest(DIGEST)).digest).toBe(DIGEST);
    expect(c.requestCounts()).toMatchObject({ GET: 2, token: 1 });
  });

  it('asks for one token when parallel PUTs all meet the refused shortcut', async () => {
    behaviour.shortcut = 'deny-403';
    const c = client();
    const manifest = { bytes: MANIFEST, mediaType: DOCKER_MANIFEST, digest: DIGEST };
    const results = await c.retag(manifest, ["a", "b", "c", "d"]);
    expect(results.map((r) => r.error?.message ?? "ok")).toEqual(["ok", "ok", "ok", "ok"]);
    expect(c.requestCounts()).toMatchObject({ PUT: 8, token: 1 });
  });

  it('explains packages: write and "Manage Actions access" when a write is DENIED', async () => {
    behaviour.canWrite = false;
    const c = client();
    const [result] = await c.retag(await c.getManifest('candidate'), ['stable']);
    expect(result?.ok).toBe(false);
    expect(result?.error).toBeInstanceOf(ConfigurationError);
    expect(result?.error?.message).toMatch(/^PUT manifest ghcr\.io\/owner\/app:stable failed: HTTP 403 Forbidden: DENIED: permission_denied: write_package\./);
    expect(result?.error?.message).toContain('permissions: packages: write');
    expect(result?.error?.message).toContain('Manage Actions access');
  });

  it('says which tag does not exist', async () => {
    const error = (await client().getManifest('nope').then(
      () => undefined,
      (e: unknown) => e,
    )) as Error;
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toBe('GET manifest ghcr.io/owner/app:nope failed: HTTP 404 Not Found: MANIFEST_UNKNOWN: manifest unknown');
  });
});

function denied(res: import('node:http').ServerResponse): void {
  res.writeHead(403, { 'Content-Type': 'application/json' });
  res.end('{"errors":[{"code":"DENIED","message":"permission_denied: write_package"}]}');
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
