import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/core/action/errors.js';
import type { Logger } from '../../src/core/action/log.js';
import { DOCKER_MANIFEST, OCI_INDEX, RegistryClient, type RegistryClientOptions } from '../../src/core/registry/index.js';
import {
  countAccess,
  getManifestRaw,
  pushFixture,
  startRegistry,
  type FixtureKind,
  type RegistryAuthMode,
  type TestRegistry,
} from '../support/registry.js';

const MANIFESTS = /^\/v2\/.+\/manifests\//;
const KINDS: FixtureKind[] = ['oci-index', 'docker-list', 'docker-manifest', 'oci-whitespace'];

/** A logger that keeps every level, so tests can prove no secret reached it. */
function fullLogger(): Logger & { all: string[] } {
  const all: string[] = [];
  return { all, info: (m) => void all.push(m), warning: (m) => void all.push(m), debug: (m) => void all.push(m) };
}

describe.each<RegistryAuthMode>(['none', 'htpasswd', 'token'])('registry client against docker-registry, auth %s', (mode) => {
  let registry: TestRegistry;
  const masked: string[] = [];
  const log = fullLogger();

  beforeAll(async () => {
    registry = await startRegistry({ auth: mode });
  });
  afterAll(async () => {
    await registry?.stop();
  });

  const client = (repository: string, extra: Partial<RegistryClientOptions> = {}) =>
    new RegistryClient({
      image: `${registry.host}/${repository}`,
      username: registry.username,
      password: registry.password,
      log,
      mask: (s) => void masked.push(s),
      retryBaseMs: 5,
      ...extra,
    });

  it.each(KINDS)('%s: fetched by tag and digest, retagged to 2 tags byte for byte with 1 GET + 1 PUT per tag', async (kind) => {
    const fixture = await pushFixture(registry, kind, { repository: `${mode}/${kind}` });

    const byTag = await client(fixture.repository).getManifest(fixture.tag);
    expect(byTag.bytes.equals(fixture.bytes)).toBe(true);
    expect(byTag.digest).toBe(fixture.digest);
    expect(byTag.mediaType).toBe(fixture.mediaType);

    const mark = (await registry.accessLog()).length;
    const promoter = client(fixture.repository);
    const source = await promoter.getManifest(fixture.digest);
    expect(source.bytes.equals(fixture.bytes)).toBe(true);
    const results = await promoter.retag(source, ['stable', 'latest']);
    expect(results).toEqual([
      { tag: 'stable', ok: true, digest: fixture.digest },
      { tag: 'latest', ok: true, digest: fixture.digest },
    ]);

    // The registry's own access log: exactly one manifest GET and one PUT per tag; 401s are the auth challenge.
    const entries = (await registry.accessLog()).slice(mark);
    const nonAuth = entries.filter((e) => e.status !== 401);
    expect(nonAuth.map((e) => `${e.method} ${e.status}`)).toEqual(['GET 200', 'PUT 201', 'PUT 201']);
    expect(countAccess(entries, 'GET', MANIFESTS, 200)).toBe(1);
    expect(countAccess(entries, 'PUT', MANIFESTS, 201)).toBe(2);
    expect(entries.filter((e) => e.status === 401)).toHaveLength(mode === 'none' ? 0 : 1);
    expect(promoter.requestCounts()).toEqual({
      GET: mode === 'none' ? 1 : 2,
      HEAD: 0,
      PUT: 2,
      token: mode === 'token' ? 1 : 0,
      retries: 0,
    });

    for (const tag of ['stable', 'latest']) {
      const served = await getManifestRaw(registry, fixture.repository, tag);
      expect(served.status).toBe(200);
      expect(served.bytes.equals(fixture.bytes)).toBe(true);
      expect(served.digestHeader).toBe(fixture.digest);
      expect(served.contentType).toBe(fixture.mediaType);
    }
    const stable = JSON.parse((await getManifestRaw(registry, fixture.repository, 'stable')).bytes.toString('utf8'));
    if (kind === 'oci-index') {
      expect(stable.mediaType).toBe(OCI_INDEX);
      expect(stable.manifests).toHaveLength(3);
      expect(stable.manifests[2].annotations['vnd.docker.reference.type']).toBe('attestation-manifest');
      expect(stable.manifests[2].platform).toEqual({ architecture: 'unknown', os: 'unknown' });
    }
    if (kind === 'docker-manifest') expect(stable.mediaType).toBe(DOCKER_MANIFEST);
    if (kind === 'oci-whitespace') {
      // The fixture is only meaningful if re-serialising it would have changed the digest.
      const reserialised = `sha256:${createHash('sha256').update(JSON.stringify(JSON.parse(fixture.bytes.toString('utf8')))).digest('hex')}`;
      expect(reserialised).not.toBe(fixture.digest);
    }
  });

  it('resolves digests with HEAD and says undefined for a tag that does not exist', async () => {
    const fixture = await pushFixture(registry, 'docker-manifest', { repository: `${mode}/resolve` });
    const c = client(fixture.repository);
    expect(await c.resolveDigest(fixture.tag)).toBe(fixture.digest);
    expect(await c.resolveDigest(fixture.digest)).toBe(fixture.digest);
    expect(await c.resolveDigest('no-such-tag')).toBeUndefined();
    expect(c.requestCounts().GET).toBe(0);
  });

  it('rejects an uppercase repository before sending any request', async () => {
    const before = (await registry.accessLog()).length;
    expect(() => client('Fixtures/App')).toThrow(ConfigurationError);
    expect(() => client('Fixtures/App')).toThrow(/repository names must be lowercase/);
    expect((await registry.accessLog()).length).toBe(before);
  });

  it('round-trips a manifest of about 4 MB', async () => {
    const fixture = await pushFixture(registry, 'oci-large', { repository: `${mode}/large`, sizeBytes: 4_000_000 });
    expect(fixture.bytes.length).toBe(4_000_000);
    const c = client(fixture.repository);
    const source = await c.getManifest(fixture.tag);
    expect((await c.retag(source, ['stable']))[0]?.ok).toBe(true);
    const served = await getManifestRaw(registry, fixture.repository, 'stable');
    expect(served.bytes.equals(fixture.bytes)).toBe(true);
  });

  it('masks every token and keeps secrets out of the log', () => {
    if (mode === 'token') expect(masked.some((s) => s.split('.').length === 3)).toBe(true);
    for (const secret of [...masked, registry.password].filter((s): s is string => !!s)) {
      expect(log.all.join('\n')).not.toContain(secret);
    }
  });

  if (mode !== 'none') {
    it('fails with a clear message on a wrong password', async () => {
      const fixture = await pushFixture(registry, 'docker-manifest', { repository: `${mode}/wrong-password` });
      const c = client(fixture.repository, { password: 'wrong' });
      const error = (await c.getManifest(fixture.tag).then(
        () => undefined,
        (e: unknown) => e,
      )) as Error;
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error.message).not.toContain('\n');
      expect(error.message).toMatch(/HTTP 401/);
      expect(error.message).toMatch(/Check the username and password/);
      if (mode === 'token') expect(error.message).toMatch(/^token request to http:\/\/127\.0\.0\.1:\d+\/token for registry/);
    });

    it('fails with a clear message without credentials', async () => {
      const fixture = await pushFixture(registry, 'docker-manifest', { repository: `${mode}/anonymous` });
      const c = client(fixture.repository, { username: undefined, password: undefined });
      await expect(c.getManifest(fixture.tag)).rejects.toThrow(mode === 'token' ? /needs a username and password/ : /HTTP 401/);
    });
  }

  if (mode === 'token') {
    it('asks for one token for parallel PUTs on a fresh client, scoped pull,push', async () => {
      const fixture = await pushFixture(registry, 'oci-index', { repository: 'token/parallel' });
      const issued = registry.tokenIssuer!.requests.length;
      const c = client(fixture.repository);
      const results = await c.retag({ bytes: fixture.bytes, mediaType: fixture.mediaType, digest: fixture.digest }, ['a', 'b', 'c']);
      expect(results.every((r) => r.ok)).toBe(true);
      const requests = registry.tokenIssuer!.requests.slice(issued);
      expect(requests).toHaveLength(1);
      expect(requests[0]!.scopes).toEqual(['repository:token/parallel:pull,push']);
      expect(requests[0]!.service).toBe('greenline-test-registry');
    });
  }
});

describe('token auth edge cases', () => {
  let registry: TestRegistry;
  let allowPush = true;

  beforeAll(async () => {
    registry = await startRegistry({
      auth: 'token',
      tokenField: 'access_token',
      grant: (_user, access) => (allowPush ? access.actions : access.actions.filter((a) => a === 'pull')),
    });
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('reads access_token and reports a token without push as insufficient scope', async () => {
    const fixture = await pushFixture(registry, 'docker-manifest', { repository: 'edge/scope' });
    allowPush = false;
    try {
      const c = new RegistryClient({ image: `${registry.host}/edge/scope`, username: registry.username, password: registry.password, retryBaseMs: 5 });
      const source = await c.getManifest(fixture.tag);
      const [result] = await c.retag(source, ['stable']);
      expect(result?.ok).toBe(false);
      expect(result?.error).toBeInstanceOf(ConfigurationError);
      expect(result?.error?.message).toMatch(/^PUT manifest 127\.0\.0\.1:\d+\/edge\/scope:stable failed: HTTP 401/);
      expect(result?.error?.message).toMatch(/insufficient_scope/);
      expect((await getManifestRaw(registry, 'edge/scope', 'stable')).status).toBe(404);
    } finally {
      allowPush = true;
    }
  });
});
