/**
 * No secret ever leaves an action: every bundle in dist/ runs (a happy path and a failing path) with a
 * recognisable canary (`ghs_LEAKCANARY_<random>`) as its token, registry password and header values, and the
 * canary — raw, base64-encoded, or inside a Basic `user:password` pair — must not appear in what the runner
 * shows or keeps: stdout as the log shows it (the `::add-mask::` command lines are consumed by the runner and
 * are the only allowed occurrence), stderr, the outputs and the job summary.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, actionYmlPath } from '../support/action-yml.js';
import { createRemote, type GitRemote } from '../support/git-fixture.js';
import { startGitHubStandin, type GitHubStandin } from '../support/github-standin/index.js';
import { runAction, type RunOptions, type RunResult } from '../support/harness.js';
import { startTestService, type TestService } from '../support/health/service.js';
import { pushFixture, startRegistry, type TestRegistry } from '../support/registry.js';
import { GitFixture, goodThenBroken } from '../support/revert/git-fixture.js';
import { workflowRunFailed } from '../support/revert/scenario.js';
import { tempDir, type TempDir } from '../support/tmp.js';

const CANARY = `ghs_LEAKCANARY_${randomBytes(12).toString('hex')}`;
const USER = 'leak-user';

/** Every form the canary could leak in. */
const FORMS: Array<[string, string]> = [
  ['raw', CANARY],
  ['base64', Buffer.from(CANARY).toString('base64')],
  ['base64 of user:password', Buffer.from(`${USER}:${CANARY}`).toString('base64')],
  ['base64 of the password with a separator', Buffer.from(`:${CANARY}`).toString('base64').slice(2, -2)],
  ['URL-encoded', encodeURIComponent(CANARY)],
];

function expectNoLeak(r: RunResult, what: string): void {
  const places: Array<[string, string]> = [
    ['stdout (as the log shows it)', r.visibleStdout],
    ['stderr', r.stderr],
    ['outputs', JSON.stringify(r.outputs)],
    ['job summary', r.summary],
  ];
  for (const [place, text] of places) {
    for (const [form, needle] of FORMS) {
      const at = text.indexOf(needle);
      expect(at, `${what}: the canary (${form}) leaked into ${place}: …${text.slice(Math.max(0, at - 120), at + needle.length + 40)}…`).toBe(-1);
    }
  }
  // The mask commands are there (the runner needs them) and carry the secret itself, not a transformed copy.
  for (const line of r.stdout.split('\n').filter((l) => l.startsWith('::add-mask::'))) expect(line.length).toBeGreaterThan('::add-mask::'.length);
}

const bundles = readdirSync(join(ROOT, 'dist'))
  .filter((n) => existsSync(join(ROOT, 'dist', n, 'index.js')) && existsSync(actionYmlPath(n)))
  .sort();

// ---- the worlds: a registry and a GitHub stand-in that accept the canary, and twins that refuse it ----

let tmp: TempDir;
let registry: TestRegistry;
let refusingRegistry: TestRegistry;
let remote: GitRemote;
let api: GitHubStandin;
let refusingApi: GitHubStandin;
let broken: { f: GitFixture; api: GitHubStandin; refusing: GitHubStandin; fail: string; g: string };
let svc: TestService;

beforeAll(async () => {
  tmp = await tempDir('greenline-leak-');
  [registry, refusingRegistry, svc] = await Promise.all([
    startRegistry({ auth: 'token', username: USER, password: CANARY }),
    startRegistry({ auth: 'htpasswd', username: USER, password: 'not-the-canary' }),
    startTestService(),
  ]);
  remote = await createRemote(tmp.path);
  api = await startGitHubStandin({ owner: 'acme', repo: 'app', bareRepoPath: remote.bare, token: CANARY });
  refusingApi = await startGitHubStandin({ owner: 'acme', repo: 'app', bareRepoPath: remote.bare, token: 'ghs_the_real_one' });
  const f = await GitFixture.create();
  const shas = await goodThenBroken(f);
  broken = {
    f,
    ...shas,
    api: await startGitHubStandin({ owner: 'owner', repo: 'app', bareRepoPath: f.bare, token: CANARY }),
    refusing: await startGitHubStandin({ owner: 'owner', repo: 'app', bareRepoPath: f.bare, token: 'ghs_the_real_one' }),
  };
});
afterAll(async () => {
  await broken?.api.stop();
  await broken?.refusing.stop();
  await broken?.f.cleanup();
  await api?.stop();
  await refusingApi?.stop();
  await svc?.close();
  await registry?.stop();
  await refusingRegistry?.stop();
  await tmp?.cleanup();
});

/** A run on the broken-main repository after CI failed, through `standin`, with the canary as github.token. */
function onFailure(action: string, standin: GitHubStandin, options: RunOptions = {}): Promise<RunResult> {
  return runAction(action, {
    ...options,
    event: workflowRunFailed(broken.fail),
    github: { sha: broken.fail, token: CANARY, repository: 'owner/app' },
    env: { GITHUB_API_URL: standin.url, GITHUB_SERVER_URL: standin.serverUrl, GITHUB_EVENT_NAME: 'workflow_run', GITHUB_REPOSITORY: 'owner/app', ...options.env },
  });
}

interface Paths {
  happy: () => Promise<RunResult>;
  failing: Array<[string, () => Promise<RunResult>]>;
}

function pathsFor(action: string): Paths {
  switch (action) {
    case 'promote-to-stable': {
      const promote = async (reg: TestRegistry, standin: GitHubStandin, extra: Record<string, string> = {}) => {
        const sha = await remote.commit({ 'app.py': randomBytes(4).toString('hex') }, 'build');
        await pushFixture(reg, 'oci-index', { repository: 'acme/app', tag: sha });
        return runAction(action, {
          inputs: { image: `${reg.host}/acme/app`, username: USER, password: CANARY, ...extra },
          github: { sha, token: CANARY, repository: 'acme/app' },
          env: { GITHUB_API_URL: standin.url, GITHUB_SERVER_URL: standin.serverUrl, GITHUB_REPOSITORY: 'acme/app', GITHUB_REF: 'refs/heads/main' },
        });
      };
      return {
        // Token auth: the canary is the Basic credential of the token request, the registry token is derived.
        happy: () => promote(registry, api),
        failing: [
          ['the registry refuses the password', () => promote(refusingRegistry, api)],
          ['GitHub refuses the token (ledger write)', () => promote(registry, refusingApi)],
          ['a dry run that cannot find the source', () => promote(registry, api, { source: 'no-such-tag', 'dry-run': 'true' })],
        ],
      };
    }
    case 'health-gate': {
      const gate = (inputs: Record<string, string>) =>
        runAction(action, {
          inputs: {
            url: svc.url,
            attempts: '1',
            interval: '0s',
            timeout: '5s',
            headers: `Authorization: Bearer ${CANARY}\nX-Api-Key: ${CANARY}`,
            'prometheus-headers': `Authorization: Bearer ${CANARY}`,
            ...inputs,
          },
        });
      return {
        happy: () => gate({}),
        failing: [
          [
            'the service echoes the token back in a failing answer',
            async () => {
              svc.route('/health', { status: 500, body: `{"error":"token ${CANARY} is not allowed here","authorization":"Bearer ${CANARY}"}`, headers: { 'content-type': 'application/json' } });
              svc.route('/', { status: 200, body: `<html>debug: you sent Authorization: Bearer ${CANARY}</html>` });
              try {
                return await gate({ checks: `- name: echo\n  type: http\n  url: /\n  body-contains: something-else\n` });
              } finally {
                svc.resetRoutes();
              }
            },
          ],
          ['a Prometheus that is not there, with auth headers', () => gate({ 'prometheus-url': 'http://127.0.0.1:9', checks: '- name: errors\n  type: prometheus\n  query: vector(1)\n  fail-if: "> 0"\n' })],
          ['a password in the URL', () => gate({ url: svc.url.replace('http://', `http://${USER}:${CANARY}@`) })],
        ],
      };
    }
    case 'open-incident-issue': {
      const incident = (standin: GitHubStandin, inputs: Record<string, string> = {}) =>
        runAction(action, {
          inputs: { details: 'rollback happened', ...inputs },
          github: { sha: broken.fail, token: CANARY, repository: 'acme/app' },
          env: { GITHUB_API_URL: standin.url, GITHUB_SERVER_URL: standin.serverUrl, GITHUB_REPOSITORY: 'acme/app' },
        });
      return {
        happy: () => incident(api),
        failing: [
          ['GitHub refuses the token', () => incident(refusingApi)],
          [
            'GitHub answers 500 on create',
            async () => {
              api.failNext({ method: 'POST', path: /\/issues$/, status: 500, times: 20 });
              try {
                return await incident(api, { fingerprint: `leak-${randomBytes(3).toString('hex')}` });
              } finally {
                api.state.failRules.splice(0);
              }
            },
          ],
        ],
      };
    }
    case 'health-monitor': {
      // The canary as the GitHub token, the registry password and the service's and Prometheus' headers.
      const monitor = (standin: GitHubStandin, inputs: Record<string, string> = {}) =>
        onFailure(action, standin, {
          inputs: {
            image: `${registry.host}/acme/app`,
            username: USER,
            password: CANARY,
            url: svc.url,
            attempts: '1',
            interval: '0s',
            timeout: '5s',
            headers: `Authorization: Bearer ${CANARY}`,
            'prometheus-headers': `Authorization: Bearer ${CANARY}`,
            ...inputs,
          },
        });
      return {
        happy: () => monitor(broken.api),
        failing: [
          ['GitHub refuses the token', () => monitor(broken.refusing)],
          [
            'the service echoes the token back while unhealthy (the incident is opened with the report)',
            async () => {
              svc.route('/health', { status: 500, body: `{"error":"token ${CANARY} is not allowed here"}`, headers: { 'content-type': 'application/json' } });
              try {
                return await monitor(broken.api, { fingerprint: `leak-${randomBytes(3).toString('hex')}` });
              } finally {
                svc.resetRoutes();
              }
            },
          ],
        ],
      };
    }
    case 'manual-rollback': {
      // The canary as the GitHub token, the registry password and the deploy remote's token.
      const rollback = (standin: GitHubStandin, inputs: Record<string, string> = {}) =>
        onFailure(action, standin, {
          inputs: { what: 'main', to: 'previous', reason: 'leak test', password: CANARY, 'deploy-remote-token': CANARY, ...inputs },
        });
      return {
        happy: () => rollback(broken.api),
        failing: [
          ['GitHub refuses the token', () => rollback(broken.refusing)],
          ['the image rolled back to a build the ledger does not have', () => rollback(broken.api, { what: 'both', image: `${registry.host}/acme/app`, username: USER, to: `sha256:${'e'.repeat(64)}` })],
        ],
      };
    }
    default:
      // find-last-good-commit, auto-revert, the one-step rollback, and whatever comes next.
      return {
        happy: () => onFailure(action, broken.api),
        failing: [
          ['GitHub refuses the token', () => onFailure(action, broken.refusing)],
          ['a failing commit that does not exist', () => onFailure(action, broken.api, { inputs: action === 'find-last-good-commit' ? { head: 'f'.repeat(40) } : { 'failing-sha': 'f'.repeat(40) } })],
        ],
      };
  }
}

describe.each(bundles)('%s keeps the canary secret', (action) => {
  it('happy path', async () => {
    const r = await pathsFor(action).happy();
    expect(r.code, `${action} happy path failed: ${r.errors.join(' | ')}\n${r.stdout.slice(0, 3000)}`).toBe(0);
    // The canary reached the action as a secret: it asked the runner to mask it.
    expect(r.stdout.split('\n'), `${action} never masked the canary`).toContain(`::add-mask::${CANARY}`);
    expectNoLeak(r, `${action}, happy path`);
  });

  it('failing paths', async () => {
    for (const [what, run] of pathsFor(action).failing) {
      const r = await run();
      expectNoLeak(r, `${action}, ${what} (exit ${r.code})`);
    }
  });
});
