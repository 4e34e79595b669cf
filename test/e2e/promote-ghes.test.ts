import { request as httpRequest, type IncomingMessage } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { startAuthFront, startLoopback, type AuthFront } from '../support/auth-front.js';
import { git } from '../support/git-fixture.js';
import { LEDGER, startPromoteWorld, type PromoteWorld } from '../support/promote-world.js';

/**
 * The promote-to-stable bundle, run as the runner runs it, against GitHub Enterprise Server's layout (REST under
 * /api/v3, so every path must come from GITHUB_API_URL) on a branch whose name needs encoding, with a
 * token-auth registry that serves manifest GETs from a CDN on another host through a 307.
 */
const BRANCH = 'release/1.x+hot#2%';

const stops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
});

function forward(base: URL, path: string, req: IncomingMessage, body: Buffer, res: import('node:http').ServerResponse): void {
  const up = httpRequest(new URL(path, base), { method: req.method, headers: req.headers }, (upRes) => {
    res.writeHead(upRes.statusCode ?? 502, upRes.headers);
    upRes.pipe(res);
  });
  up.end(body);
}

describe('promote-to-stable on GHES with a registry that redirects manifests to a CDN', () => {
  it('promotes byte for byte, writes the ledger on the branch, moves the git tag, credentials only where they belong', async () => {
    const world: PromoteWorld = await startPromoteWorld({ registry: { auth: 'token' } });
    stops.push(() => world.stop());
    const c = await world.remote.commit({ 'a.txt': 'ghes' }, 'ghes');
    await git(world.remote.work, ['push', '-q', 'origin', `HEAD:refs/heads/${BRANCH}`]);
    const built = await world.candidate('oci-index', c);

    // GHES: REST only under /api/v3.
    const offPrefix: string[] = [];
    const api = new URL(world.standin.url);
    const ghes = await startLoopback((req, res, body) => {
      const url = req.url ?? '/';
      if (!url.startsWith('/api/v3/')) {
        offPrefix.push(`${req.method} ${url}`);
        res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"message":"Not Found"}');
        return;
      }
      forward(api, `${api.pathname.replace(/\/$/, '')}${url.slice('/api/v3'.length)}`, req, body, res);
    });
    stops.push(() => ghes.stop());

    // The CDN fetches from the registry with its own credentials and serves octet-stream without a digest header.
    const cdn = await startLoopback(async (req, res) => {
      const path = (req.url ?? '/').replace(/^\/cdn/, '');
      const auth = (await world.registry.authHeader(world.repository))!;
      const up = httpRequest(new URL(path, world.registry.url), { method: req.method, headers: { Authorization: auth, Accept: String(req.headers.accept ?? '') } }, (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, { 'Content-Type': 'application/octet-stream' });
        upRes.pipe(res);
      });
      up.end();
    }, '127.0.0.2');
    stops.push(() => cdn.stop());
    const front: AuthFront = await startAuthFront(world.registry.url);
    stops.push(() => front.stop());
    front.hooks.push((req, res) => {
      if (req.method !== 'GET' || !/\/manifests\//.test(req.url ?? '') || !req.headers.authorization) return false;
      res.writeHead(307, { Location: `${cdn.url}/cdn${req.url}` }).end();
      return true;
    });

    const run = await world.promote(
      { image: `${front.host}/${world.repository}`, 'expected-digest': built.digest },
      { sha: c, env: { GITHUB_API_URL: `${ghes.url}/api/v3`, GITHUB_REF: `refs/heads/${BRANCH}` } },
    );
    expect(run.errors, run.stdout).toEqual([]);
    expect(run.code).toBe(0);
    expect(offPrefix).toEqual([]);
    expect(world.standin.unknownRequests()).toEqual([]);
    expect(world.standin.internalErrors).toEqual([]);

    expect(await world.tagDigest('stable')).toBe(built.digest);
    expect(await world.tagDigest('latest')).toBe(built.digest);
    expect(cdn.seen.length).toBeGreaterThan(0);
    expect(cdn.seen.every((r) => r.authorization === undefined)).toBe(true);
    expect(run.visibleStdout + run.summary).not.toContain(world.registry.password!);

    const ledger = await world.remote.show(`refs/heads/${BRANCH}`, LEDGER);
    expect(ledger).toContain(`Commit: ${c}`);
    expect(ledger).toContain(`@${built.digest}`);
    expect(await world.remote.show('refs/heads/main', LEDGER)).toBeUndefined();
    expect((await world.remote.refs())['refs/tags/stable']).toBe(c);
  }, 60_000);
});
