/**
 * Secrets on the error paths secrets-leak.test.ts does not reach, with the debug log on (RUNNER_DEBUG=1,
 * ACTIONS_STEP_DEBUG=true): servers that echo the credentials they were sent back in their error answers
 * (a Prometheus answering 401 with the Authorization header, a registry answering 403 with the Bearer token
 * it got from the token service, GitHub answering 401 with the token), and credentials inside URLs that
 * cannot be reached. The canary — raw, base64, inside a Basic `user:password` pair, URL-encoded — and the
 * registry's Bearer token must not appear in stdout (except the `::add-mask::` lines the runner consumes),
 * stderr, the outputs, the job summary, or an issue the action writes.
 */
import { randomBytes } from 'node:crypto';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRemote } from '../support/git-fixture.js';
import { startGitHubStandin, type GitHubStandin } from '../support/github-standin/index.js';
import { runAction, type RunResult } from '../support/harness.js';
import { gate } from '../support/health/run.js';
import { closedPort, startTestService, type TestService } from '../support/health/service.js';
import { startPromoteWorld, type PromoteWorld } from '../support/promote-world.js';
import { tempDir, type TempDir } from '../support/tmp.js';

const CANARY = `ghs_LEAKCANARY_${randomBytes(12).toString('hex')}`;
const USER = 'leak-user';
const DEBUG = { RUNNER_DEBUG: '1', ACTIONS_STEP_DEBUG: 'true' };
const b64 = (s: string) => Buffer.from(s).toString('base64');

function forms(secret: string, user = USER): Array<[string, string]> {
  return [
    ['raw', secret],
    ['base64', b64(secret)],
    ['base64 of user:password', b64(`${user}:${secret}`)],
    ['URL-encoded', encodeURIComponent(secret)],
  ];
}

function expectNoLeak(r: RunResult, what: string, secret = CANARY, extra: Array<[string, string]> = []): void {
  const places: Array<[string, string]> = [
    ['stdout (as the log shows it)', r.visibleStdout],
    ['stderr', r.stderr],
    ['outputs', JSON.stringify(r.outputs)],
    ['job summary', r.summary],
    ...extra,
  ];
  for (const [place, text] of places) {
    for (const [form, needle] of forms(secret)) {
      const at = text.indexOf(needle);
      expect(at, `${what}: the secret (${form}) leaked into ${place}: …${text.slice(Math.max(0, at - 160), at + needle.length + 40)}…`).toBe(-1);
    }
  }
}

describe('health-gate: credentials echoed back or inside unreachable URLs', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService();
  });
  afterAll(async () => {
    await svc?.close();
  });

  it('a Prometheus that answers 401 with the Basic credentials of prometheus-url and the header values it was sent', async () => {
    const basic = `Basic ${b64(`${USER}:${CANARY}`)}`;
    svc.route('/api/v1/query', {
      status: 401,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        status: 'error',
        errorType: 'unauthorized',
        error: `refused: Authorization: ${basic}; X-Api-Key: ${CANARY}; url http://${USER}:${CANARY}@${new URL(svc.url).host}/`,
      }),
    });
    try {
      const r = await gate(
        {
          url: svc.url,
          'prometheus-url': svc.url.replace('http://', `http://${USER}:${CANARY}@`),
          'prometheus-headers': `X-Api-Key: ${CANARY}`,
          checks: '- name: errors\n  type: prometheus\n  query: vector(1)\n  fail-if: "> 0"\n',
          'fail-on': 'never',
        },
        { env: DEBUG },
      );
      // The request did carry the credentials (so the echo is what a real server would say).
      expect(svc.requests.some((q) => q.headers.authorization === basic)).toBe(true);
      expect(r.report.checks.find((c) => c.name === 'errors')?.verdict).toBe('ERROR');
      expectNoLeak(r, 'health-gate, Prometheus 401 echo');
    } finally {
      svc.resetRoutes();
    }
  });

  it('a url and a prometheus-url with credentials (password, or a token as the user name) that cannot be reached', async () => {
    const port = await closedPort();
    for (const userinfo of [`${USER}:${CANARY}`, CANARY]) {
      const r = await gate(
        {
          url: `http://${userinfo}@127.0.0.1:${port}/`,
          'prometheus-url': `http://${userinfo}@127.0.0.1:${port}/`,
          checks: `- name: down\n  type: http\n  url: http://${userinfo}@127.0.0.1:${port}/health\n- name: errors\n  type: prometheus\n  query: vector(1)\n  fail-if: "> 0"\n`,
          'fail-on': 'never',
        },
        { env: DEBUG },
      );
      expect(r.report.checks.every((c) => c.verdict === 'ERROR'), JSON.stringify(r.report.checks)).toBe(true);
      expectNoLeak(r, `health-gate, unreachable ${userinfo === CANARY ? 'token@' : 'user:password@'} URL`);
    }
  });
});

/**
 * A loopback proxy in front of the registry that forwards everything, except that it answers the manifest
 * requests it is told to refuse (once they carry credentials) with `status` and an OCI error echoing the
 * Authorization header it received.
 */
async function echoingProxy(upstream: string, refuse: { method: string; status: number }): Promise<{ host: string; seen: string[]; close(): Promise<void> }> {
  const up = new URL(upstream);
  const seen: string[] = [];
  const server: Server = createServer((req, res) => {
    const auth = req.headers.authorization ?? '';
    if (auth) seen.push(auth);
    // Refused only once authenticated: the first, anonymous request gets the registry's own challenge.
    if (auth && req.method === refuse.method && /\/manifests\//.test(req.url ?? '')) {
      req.resume();
      res.writeHead(refuse.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: refuse.status === 401 ? 'UNAUTHORIZED' : 'DENIED', message: `not allowed with Authorization: ${auth}`, detail: { authorization: auth } }] }));
      return;
    }
    const fwd = httpRequest({ host: up.hostname, port: up.port, method: req.method, path: req.url, headers: req.headers }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
    });
    fwd.on('error', () => res.destroy());
    req.pipe(fwd);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { host: `127.0.0.1:${port}`, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('promote-to-stable: a registry that echoes the Bearer token it got from the token service', () => {
  const worlds: PromoteWorld[] = [];
  const closers: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const c of closers) await c();
    for (const w of worlds) await w.stop();
  });

  for (const refuse of [
    { method: 'PUT', status: 403 },
    { method: 'GET', status: 401 },
  ]) {
    it(`${refuse.method} manifest answers ${refuse.status} with the Authorization header in the error`, async () => {
      const world = await startPromoteWorld({ registry: { auth: 'token', username: USER, password: CANARY } });
      worlds.push(world);
      const proxy = await echoingProxy(world.registry.url, refuse);
      closers.push(proxy.close);
      const c = await world.remote.commit({ 'e.txt': refuse.method }, 'echo');
      await world.candidate('oci-index', c);
      const r = await world.promote({ image: `${proxy.host}/${world.repository}` }, { sha: c, env: DEBUG });
      expect(r.code, r.stdout).toBe(1);
      const bearer = proxy.seen.map((a) => /^Bearer (\S+)$/.exec(a)?.[1]).find((t): t is string => !!t);
      expect(bearer, `the registry never got a Bearer token: ${proxy.seen.join(', ')}\n${r.stdout}`).toBeDefined();
      expectNoLeak(r, `promote, ${refuse.method} ${refuse.status} echo`);
      expectNoLeak(r, `promote, ${refuse.method} ${refuse.status} echo (registry token)`, bearer);
    });
  }
});

describe('GitHub answering 401/500 with the token in its message', () => {
  let api: GitHubStandin;
  let tmp: TempDir;
  beforeAll(async () => {
    tmp = await tempDir('greenline-leak-errors-');
    const remote = await createRemote(tmp.path);
    api = await startGitHubStandin({ owner: 'acme', repo: 'app', bareRepoPath: remote.bare, token: CANARY });
  });
  afterAll(async () => {
    await api?.stop();
    await tmp?.cleanup();
  });

  for (const status of [401, 500]) {
    it(`open-incident-issue: ${status} whose message echoes the Authorization header`, async () => {
      api.failNext({ path: /\/issues/, status, times: 50, body: { message: `Bad credentials: Authorization: token ${CANARY}`, documentation_url: `https://docs.github.com/rest?t=${CANARY}` } });
      try {
        const r = await runAction('open-incident-issue', {
          inputs: { details: 'rollback happened', fingerprint: `leak-${status}` },
          github: { token: CANARY, repository: 'acme/app' },
          env: { GITHUB_API_URL: api.url, GITHUB_SERVER_URL: api.serverUrl, GITHUB_REPOSITORY: 'acme/app', ...DEBUG },
        });
        expect(r.code).toBe(1);
        const written = [...api.state.issues.values()].map((i) => `${i.title}\n${i.body ?? ''}`).join('\n');
        expectNoLeak(r, `open-incident-issue, GitHub ${status} echo`, CANARY, [['issues', written]]);
      } finally {
        api.state.failRules.splice(0);
      }
    });
  }
});
