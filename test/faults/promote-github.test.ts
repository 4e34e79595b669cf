/**
 * promote-to-stable with `ledger-write: api` (the default) while the GitHub API misbehaves: a 503 burst on the
 * contents API, GitHub's secondary rate limit (403 + retry-after), a connection reset before the write lands,
 * and a write that lands but whose reply is lost (the fault proxy in front of the stand-in). The ledger ends
 * with exactly one entry, the git tag on the commit; beyond the retry budget the failure says that the tags
 * moved and the ledger was not written, and a re-run records the entry once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { secondaryRateLimit } from '../support/github-standin/index.js';
import { LEDGER, startPromoteWorld, type PromoteWorld } from '../support/promote-world.js';
import { entriesFor, expectOneLineFailure, expectSuccess } from './support.js';

const opened: Array<{ world: PromoteWorld; proxy?: FaultProxy }> = [];
afterEach(async () => {
  for (const { world, proxy } of opened.splice(0)) {
    expect(world.standin.internalErrors).toEqual([]);
    await proxy?.stop();
    await world.stop();
  }
});

const CONTENTS = `/repos/acme/app/contents/${LEDGER}`;

async function world(options: { proxy?: boolean } = {}) {
  const w = await startPromoteWorld();
  const proxy = options.proxy ? await startFaultProxy(w.standin.url) : undefined;
  opened.push({ world: w, proxy });
  const sha = await w.remote.commit({ 'app.py': 'print("candidate")\n' }, 'candidate');
  const built = await w.candidate('docker-list', sha);
  const promote = () => w.promote({}, { sha, timeoutMs: 90_000, ...(proxy ? { env: { GITHUB_API_URL: proxy.url } } : {}) });
  const gitTag = async () => (await w.remote.refs())['refs/tags/stable'];
  return { w, proxy, sha, built, promote, gitTag };
}

describe('promote-to-stable, ledger-write: api, through a faulty GitHub', () => {
  it('a 503 burst on the contents API (read and write) is retried: one entry, tag moved', async () => {
    const { w, sha, built, promote, gitTag } = await world();
    w.standin.failNext({ method: 'GET', path: CONTENTS, status: 503, times: 1 });
    w.standin.failNext({ method: 'PUT', path: CONTENTS, status: 503, times: 2 });
    const r = await promote();
    expectSuccess(r, 'contents 503 burst');
    expect(w.standin.requests.filter((q) => q.injected).length).toBe(3);
    expect(entriesFor(await w.ledger(), sha)).toBe(1);
    expect(await w.tagDigest('stable')).toBe(built.digest);
    expect(await gitTag()).toBe(sha);
  });

  it("GitHub's secondary rate limit (403, retry-after) on the write is waited out", async () => {
    const { w, sha, promote } = await world();
    w.standin.failNext({ method: 'PUT', path: CONTENTS, ...secondaryRateLimit(1) });
    const started = Date.now();
    const r = await promote();
    expectSuccess(r, 'secondary rate limit');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(r.warnings.some((m) => /secondary rate limit/i.test(m))).toBe(true);
    expect(entriesFor(await w.ledger(), sha)).toBe(1);
  });

  it('a connection reset on the write (it never landed) is retried: one entry', async () => {
    const { w, sha, promote } = await world();
    w.standin.failNext({ method: 'PUT', path: CONTENTS, status: 'reset' });
    const r = await promote();
    expectSuccess(r, 'reset');
    expect(entriesFor(await w.ledger(), sha)).toBe(1);
  });

  it('a ledger write that lands but whose reply is lost: retried without a second entry', async () => {
    const { w, proxy, sha, promote } = await world({ proxy: true });
    proxy!.addFault({ method: 'PUT', path: /\/contents\//, fault: { kind: 'drop-reply' } });
    const r = await promote();
    expectSuccess(r, 'lost reply on the contents PUT');
    expect(proxy!.requests.find((q) => q.outcome === 'drop-reply')?.upstreamStatus).toBeLessThan(300);
    expect(entriesFor(await w.ledger(), sha)).toBe(1);
  });

  it('a git tag created but whose reply is lost: the tag ends on the commit', async () => {
    const { w, proxy, sha, promote, gitTag } = await world({ proxy: true });
    proxy!.addFault({ method: 'POST', path: /\/git\/refs$/, fault: { kind: 'drop-reply' } });
    const r = await promote();
    expectSuccess(r, 'lost reply on the tag creation');
    expect(await gitTag()).toBe(sha);
    expect(entriesFor(await w.ledger(), sha)).toBe(1);
  });

  it('the contents API down for good: the tags moved and the failure says the ledger was not written; the re-run records it once', async () => {
    const { w, sha, built, promote } = await world();
    w.standin.failNext({ method: 'PUT', path: CONTENTS, status: 503, times: 100 });
    const r = await promote();
    expectOneLineFailure(r, /moved to sha256:[0-9a-f]{64}, but the ledger entry was not written.*[Rr]e-run/, 'contents API down');
    expect(await w.tagDigest('stable')).toBe(built.digest);
    expect(entriesFor(await w.ledger(), sha)).toBe(0);
    w.standin.state.failRules.splice(0);
    expectSuccess(await promote(), 're-run');
    expect(entriesFor(await w.ledger(), sha)).toBe(1);
  }, 120_000);
});
