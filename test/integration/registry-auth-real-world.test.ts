import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigurationError, ExternalError } from '../../src/core/action/errors.js';
import type { Logger } from '../../src/core/action/log.js';
import { RegistryClient, type RegistryClientOptions } from '../../src/core/registry/index.js';
import { startAuthFront, startLoopback, type AuthFront } from '../support/auth-front.js';
import { getManifestRaw, pushFixture, startRegistry, type TestRegistry } from '../support/registry.js';

/**
 * How registries in the field differ from distribution's defaults, each reproduced by a loopback front (or a
 * CDN / token service) before the real docker-registry: challenges rewritten, manifests served from another
 * host, token services that answer HTML. Every test checks where credentials went, by scheme only.
 */

function fullLogger(): Logger & { all: string[] } {
  const all: string[] = [];
  return { all, info: (m) => void all.push(m), warning: (m) => void all.push(m), debug: (m) => void all.push(m) };
}

/** Rewrites the Bearer challenge's parameters on every 401 upstream sends. */
function rewriteChallenge(front: AuthFront, change: (header: string) => string): () => void {
  const rule = ({ status, headers }: { status: number; headers: Record<string, unknown> }) => {
    if (status === 401 && typeof headers['www-authenticate'] === 'string') headers['www-authenticate'] = change(headers['www-authenticate']);
  };
  front.rewrites.push(rule);
  return () => void front.rewrites.splice(front.rewrites.indexOf(rule), 1);
}

/** GETs `path` from `base` with `headers`, for a CDN that fetches what it serves from the registry. */
function fetchFrom(base: string, path: string, headers: Record<string, string>): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(path, base), { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('token auth as real registries do it (distribution auth: token, behind a front)', () => {
  let registry: TestRegistry;
  let front: AuthFront;
  /** Per repository: grant only pull on the first token request, as a token service that answers what a GET needed. */
  const pullOnlyFirst = new Set<string>();
  const masked: string[] = [];
  const log = fullLogger();

  beforeAll(async () => {
    registry = await startRegistry({
      auth: 'token',
      grant: (_user, access) => {
        if (pullOnlyFirst.delete(access.name)) return access.actions.filter((a) => a === 'pull');
        return access.actions;
      },
    });
    front = await startAuthFront(registry.url);
  });
  afterAll(async () => {
    await front?.stop();
    await registry?.stop();
  });

  const client = (repository: string, extra: Partial<RegistryClientOptions> = {}) =>
    new RegistryClient({
      image: `${front.host}/${repository}`,
      username: registry.username,
      password: registry.password,
      log,
      mask: (s) => void masked.push(s),
      retryBaseMs: 5,
      ...extra,
    });

  it('upgrades a pull-only token when a PUT answers 401 insufficient_scope, then moves the tag', async () => {
    const fixture = await pushFixture(registry, 'docker-manifest', { repository: 'rw/upgrade' });
    pullOnlyFirst.add('rw/upgrade');
    const issued = registry.tokenIssuer!.requests.length;
    const c = client('rw/upgrade');
    const source = await c.getManifest(fixture.digest);
    const [result] = await c.retag(source, ['stable']);
    expect(result).toEqual({ tag: 'stable', ok: true, digest: fixture.digest });
    const requests = registry.tokenIssuer!.requests.slice(issued);
    expect(requests).toHaveLength(2);
    expect(requests.every((r) => r.ok && r.scopes.includes('repository:rw/upgrade:pull,push'))).toBe(true);
    expect(c.requestCounts()).toMatchObject({ token: 2, PUT: 2 });
    expect((await getManifestRaw(registry, 'rw/upgrade', 'stable')).digestHeader).toBe(fixture.digest);
  });

  it('asks one token for every scope of a challenge naming several, one of them another repository', async () => {
    const fixture = await pushFixture(registry, 'docker-manifest', { repository: 'rw/multi' });
    const undo = rewriteChallenge(front, (h) => h.replace(/scope="([^"]*)"/, 'scope="$1 repository:rw/base-image:pull"'));
    try {
      const issued = registry.tokenIssuer!.requests.length;
      const c = client('rw/multi');
      const [result] = await c.retag(await c.getManifest(fixture.digest), ['stable']);
      expect(result?.ok).toBe(true);
      const requests = registry.tokenIssuer!.requests.slice(issued);
      expect(requests).toHaveLength(1);
      expect(requests[0]?.scopes).toEqual(['repository:rw/multi:pull,push', 'repository:rw/base-image:pull']);
    } finally {
      undo();
    }
  });

  it('resolves a relative realm against the registry, so the credentials stay on its host', async () => {
    const fixture = await pushFixture(registry, 'docker-manifest', { repository: 'rw/relative' });
    const issuer = new URL(registry.tokenIssuer!.realm);
    const undo = rewriteChallenge(front, (h) => h.replace(/realm="[^"]*"/, 'realm="/auth/token"'));
    // The front serves the token endpoint on the registry's own host, as a registry with a built-in token service does.
    const hook = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
      if (!req.url?.startsWith('/auth/token')) return false;
      const up = httpRequest(new URL(req.url.replace('/auth/token', '/token'), issuer), { headers: req.headers }, (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      });
      up.end();
      return true;
    };
    front.hooks.push(hook);
    try {
      const c = client('rw/relative');
      const [result] = await c.retag(await c.getManifest(fixture.digest), ['stable']);
      expect(result).toEqual({ tag: 'stable', ok: true, digest: fixture.digest });
      expect(front.seen.filter((r) => r.path.startsWith('/auth/token?')).map((r) => r.authorization)).toEqual(['Basic']);
    } finally {
      front.hooks.splice(front.hooks.indexOf(hook), 1);
      undo();
    }
  });

  it('sends the credentials to a realm on another host only, never on to where that realm redirects', async () => {
    await pushFixture(registry, 'docker-manifest', { repository: 'rw/elsewhere' });
    // The realm's host redirects the token request to a third host (127.0.0.3), which records what it got.
    const third = await startLoopback((_req, res) => {
      res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"errors":[{"code":"UNAUTHORIZED"}]}');
    }, '127.0.0.3');
    const realmHost = await startLoopback((req, res) => {
      res.writeHead(307, { Location: `${third.url}/token${new URL(req.url ?? '/', 'http://x').search}` }).end();
    }, '127.0.0.2');
    const undo = rewriteChallenge(front, (h) => h.replace(/realm="[^"]*"/, `realm="${realmHost.url}/token"`));
    try {
      const c = client('rw/elsewhere', { retries: 0 });
      const error = await c.getManifest('v1').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(String(error)).toMatch(/token request to http:\/\/127\.0\.0\.2:\d+\/token .* failed: HTTP 401/);
      expect(realmHost.seen.map((r) => r.authorization)).toEqual(['Basic']);
      expect(third.seen).toHaveLength(1);
      expect(third.seen[0]?.authorization).toBeUndefined();
    } finally {
      undo();
      await realmHost.stop();
      await third.stop();
    }
  });

  it('says a token service answering 200 with an HTML page is not one, without echoing the page', async () => {
    await pushFixture(registry, 'docker-manifest', { repository: 'rw/html' });
    const sso = await startLoopback((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end('<!doctype html><html><body>Sign in to Example SSO</body></html>');
    });
    const undo = rewriteChallenge(front, (h) => h.replace(/realm="[^"]*"/, `realm="${sso.url}/token"`));
    try {
      const error = await client('rw/html', { retries: 0 })
        .getManifest('v1')
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ExternalError);
      expect(String(error)).toMatch(/token request to http:\/\/127\.0\.0\.1:\d+\/token for registry .*: HTTP 200 but the answer is not JSON \(text\/html\)/);
      expect(String(error)).not.toMatch(/Sign in/);
    } finally {
      undo();
      await sso.stop();
    }
  });

  it('refuses to send credentials to a plain-HTTP realm on another, non-loopback host', async () => {
    const undo = rewriteChallenge(front, (h) => h.replace(/realm="[^"]*"/, 'realm="http://auth.example.invalid/token"'));
    try {
      const c = client('rw/http-realm', { retries: 0 });
      const error = await c.getManifest('v1').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(String(error)).toMatch(/refusing to send credentials to the non-HTTPS token realm http:\/\/auth\.example\.invalid/);
      expect(c.requestCounts().token).toBe(0);
    } finally {
      undo();
    }
  });

  describe('a manifest GET answered 307 to another host (storage / CDN)', () => {
    let mode: 'serve' | 'tamper' | 'challenge' = 'serve';
    let cdn: Awaited<ReturnType<typeof startLoopback>>;
    let evilRealm: Awaited<ReturnType<typeof startLoopback>>;
    let hook: Parameters<AuthFront['hooks']['push']>[0];

    beforeAll(async () => {
      evilRealm = await startLoopback((_req, res) => void res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"token":"x"}'), '127.0.0.3');
      // The CDN serves what the registry stores, as storage would: octet-stream, no Docker-Content-Digest.
      cdn = await startLoopback(async (req, res) => {
        const path = (req.url ?? '/').replace(/^\/cdn/, '');
        if (mode === 'challenge') {
          res.writeHead(401, { 'WWW-Authenticate': `Bearer realm="${evilRealm.url}/token",service="cdn"` }).end();
          return;
        }
        const repository = /^\/v2\/(.+)\/manifests\//.exec(path)?.[1] ?? '';
        const auth = (await registry.authHeader(repository))!;
        const got = await fetchFrom(registry.url, path, { Authorization: auth, Accept: String(req.headers.accept ?? '') });
        const body = mode === 'tamper' ? Buffer.concat([got.body, Buffer.from('\n')]) : got.body;
        res.writeHead(got.status, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(body.length) });
        res.end(req.method === 'HEAD' ? undefined : body);
      }, '127.0.0.2');
      hook = (req, res) => {
        if (req.method !== 'GET' || !/^\/v2\/rw\/cdn\/manifests\//.test(req.url ?? '') || !req.headers.authorization) return false;
        res.writeHead(307, { Location: `${cdn.url}/cdn${req.url}` }).end();
        return true;
      };
      front.hooks.push(hook);
    });
    afterAll(async () => {
      front.hooks.splice(front.hooks.indexOf(hook), 1);
      await cdn?.stop();
      await evilRealm?.stop();
    });

    it('follows it without the Authorization header, and the bytes still hash to the digest asked for', async () => {
      mode = 'serve';
      const fixture = await pushFixture(registry, 'oci-index', { repository: 'rw/cdn' });
      const c = client('rw/cdn');
      const source = await c.getManifest(fixture.digest);
      expect(source.bytes.equals(fixture.bytes)).toBe(true);
      expect(source.mediaType).toBe(fixture.mediaType);
      expect(cdn.seen.length).toBeGreaterThan(0);
      expect(cdn.seen.every((r) => r.authorization === undefined)).toBe(true);
      const [result] = await c.retag(source, ['stable']);
      expect(result).toEqual({ tag: 'stable', ok: true, digest: fixture.digest });
      expect((await getManifestRaw(registry, 'rw/cdn', 'stable')).bytes.equals(fixture.bytes)).toBe(true);
    });

    it('refuses bytes from the CDN that do not hash to the digest asked for', async () => {
      mode = 'tamper';
      const fixture = await pushFixture(registry, 'docker-manifest', { repository: 'rw/cdn', tag: 'tampered' });
      try {
        await expect(client('rw/cdn').getManifest(fixture.digest)).rejects.toThrow(/served content with digest sha256:/);
      } finally {
        mode = 'serve';
      }
    });

    it("does not take the CDN's 401 challenge for the registry's: no credentials go to the realm it names", async () => {
      mode = 'challenge';
      const fixture = await pushFixture(registry, 'docker-manifest', { repository: 'rw/cdn', tag: 'challenged' });
      try {
        const c = client('rw/cdn', { retries: 0 });
        const error = await c.getManifest(fixture.digest).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ConfigurationError);
        expect(String(error)).toMatch(/GET manifest .* \(redirected to http:\/\/127\.0\.0\.2:\d+\) failed: HTTP 401/);
        expect(evilRealm.seen).toEqual([]);
      } finally {
        mode = 'serve';
      }
    });
  });
});

describe('Basic auth and registries that send no challenge (distribution auth: htpasswd, behind a front)', () => {
  let registry: TestRegistry;
  let front: AuthFront;

  beforeAll(async () => {
    registry = await startRegistry({ auth: 'htpasswd' });
    front = await startAuthFront(registry.url);
    // The front drops the challenge, as some registries and proxies answer 401 with no WWW-Authenticate.
    front.rewrites.push(({ headers }) => void delete headers['www-authenticate']);
  });
  afterAll(async () => {
    await front?.stop();
    await registry?.stop();
  });

  it('answers a 401 without WWW-Authenticate with the credentials as Basic, to the registry only', async () => {
    const fixture = await pushFixture(registry, 'docker-manifest', { repository: 'rw/nochallenge' });
    const c = new RegistryClient({ image: `${front.host}/rw/nochallenge`, username: registry.username, password: registry.password, retryBaseMs: 5 });
    const [result] = await c.retag(await c.getManifest(fixture.digest), ['stable']);
    expect(result).toEqual({ tag: 'stable', ok: true, digest: fixture.digest });
    expect(front.seen.map((r) => `${r.method} ${r.authorization ?? '-'}`)).toEqual(['GET -', 'GET Basic', 'PUT Basic']);
    expect(c.requestCounts()).toMatchObject({ GET: 2, PUT: 1, token: 0 });
  });

  it('without credentials, still fails on that 401 in one line', async () => {
    const c = new RegistryClient({ image: `${front.host}/rw/nochallenge`, retryBaseMs: 5 });
    await expect(c.getManifest('v1')).rejects.toThrow(/^GET manifest 127\.0\.0\.1:\d+\/rw\/nochallenge:v1 failed: HTTP 401/);
  });
});
