/**
 * Untrusted text (answers of services, registry error messages, ledger fields people edit by hand, commit
 * subjects) run through the bundles as the runner runs them must not:
 * - become a workflow command: a line of the log that starts with `::` (or the legacy `##[`) is read by the
 *   runner as a command (`::add-mask::`, `::stop-commands::`, `::error::`, `::warning::`…);
 * - break the markup of a job summary: raw HTML, live @mentions, issue references and closing keywords.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { runAction, type RunResult } from '../support/harness.js';
import { gate } from '../support/health/run.js';
import { startTestService, type TestService } from '../support/health/service.js';
import { startGitHubStandin, type GitHubStandin } from '../support/github-standin/index.js';
import { startPromoteWorld, type PromoteWorld } from '../support/promote-world.js';
import { GitFixture } from '../support/revert/git-fixture.js';
import { LEDGER } from '../support/revert/ledger.js';
import { TOKEN, workflowRunFailed } from '../support/revert/scenario.js';

/** Multi-line hostile text: each line would be a workflow command if it reached the log unescaped. */
const COMMANDS = ['::warning::INJECTED-WARNING', '  ::add-mask::INJECTED-MASK', '::stop-commands::INJECTEDTOKEN', '##[error]INJECTED-LEGACY', 'see ##[add-mask]INJECTED-MIDLINE'];
const MARKUP = '| x | y </details><img src=x onerror=alert(1)> <!-- hidden @octocat fixes #1 ```';

/**
 * Lines of stdout the runner would take as one of the injected commands: `::` at the start after whitespace
 * (TryParseV2), or the legacy `##[` anywhere in a line that is not already a `::` command (TryParse). The
 * runner splits lines on `\r` too. greenline's own `::warning::`/`::error::`/`::debug::` lines carry the text
 * as escaped data and are not counted.
 */
function injectedCommands(r: RunResult): string[] {
  return r.stdout.split(/\r\n|\r|\n/).filter((l) => {
    const t = l.trimStart();
    if (!/INJECTED/.test(t)) return false;
    if (/^::[A-Za-z-]+[^:]*::INJECTED/.test(t)) return true;
    return !t.startsWith('::') && t.includes('##[');
  });
}

function expectInertMarkup(markdown: string, what: string): void {
  expect(markdown, `${what}: raw HTML`).not.toMatch(/<img|<\/details>\s*<img|<!-- hidden/);
  expect(markdown, `${what}: a live @mention`).not.toMatch(/@octocat/);
  expect(markdown, `${what}: a closing keyword or issue reference`).not.toMatch(/fixes #1|#1 (```|ˋˋˋ)/);
}

describe('workflow commands hidden in untrusted text stay text', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService();
  });
  afterAll(async () => {
    await svc?.close();
  });

  it('health-gate: a Prometheus error message with command lines is logged without becoming commands', async () => {
    svc.route('/api/v1/query', {
      status: 422,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'error', errorType: 'execution', error: `boom ${MARKUP}\n${COMMANDS.join('\n')}\r::notice::INJECTED-AFTER-CR` }),
    });
    try {
      const r = await gate(
        { url: svc.url, 'prometheus-url': svc.url, checks: '- name: errors\n  type: prometheus\n  query: vector(1)\n  fail-if: "> 0"\n', 'fail-on': 'never' },
        { env: { RUNNER_DEBUG: '1', ACTIONS_STEP_DEBUG: 'true' } },
      );
      // The text did reach the log (so the test can fail): the error message is there, as text.
      expect(r.stdout).toContain('INJECTED-WARNING');
      expect(r.stdout).toContain('INJECTED-AFTER-CR');
      expect(injectedCommands(r), r.stdout).toEqual([]);
      expect(r.warnings.join('\n')).not.toContain('INJECTED');
      expect(r.errors.join('\n')).not.toContain('INJECTED');
      expectInertMarkup(r.summary, 'health-gate summary');
    } finally {
      svc.resetRoutes();
    }
  });
});

describe('registry error messages in the promote-to-stable summary', () => {
  const worlds: PromoteWorld[] = [];
  const proxies: FaultProxy[] = [];
  afterAll(async () => {
    for (const p of proxies) await p.stop();
    for (const w of worlds) await w.stop();
  });

  it('a tag refused with a hostile error message does not break the summary or the log', async () => {
    const world = await startPromoteWorld();
    worlds.push(world);
    const proxy = await startFaultProxy(world.registry.url);
    proxies.push(proxy);
    const c = await world.remote.commit({ 'h.txt': '1' }, 'hostile registry');
    await world.candidate('oci-index', c);
    const body = JSON.stringify({ errors: [{ code: 'DENIED', message: `denied ${MARKUP}\n${COMMANDS.join('\n')}` }] });
    proxy.addFault({ method: 'PUT', path: /manifests\/latest$/, times: 50, fault: { kind: 'status', status: 403, headers: { 'content-type': 'application/json' }, body } });
    const r = await world.promote({ image: `${proxy.host}/${world.repository}` }, { sha: c });
    expect(r.code).toBe(1);
    // The message reached the action (so the test can fail).
    expect(r.errors.join('\n')).toContain('denied');
    expect(injectedCommands(r), r.stdout).toEqual([]);
    expectInertMarkup(r.summary, 'promote summary');
    // The verdict heading stays one heading line: nothing from the message starts a new block.
    const heading = r.summary.split('\n')[0]!;
    expect(heading).toMatch(/^### ❌ Partial promotion/);
    expect(r.summary.split('\n').filter((l) => /INJECTED/.test(l)).every((l) => !/^\s*(::|##\[)/.test(l))).toBe(true);
  });
});

describe('a repository whose commits and hand-edited ledger carry hostile text', () => {
  const HEX = 'ab'.repeat(32);
  let f: GitFixture;
  let api: GitHubStandin;
  let g: string;
  let fail: string;
  const run = (action: string, failing: string, inputs: Record<string, string> = {}) =>
    runAction(action, {
      inputs,
      event: workflowRunFailed(failing),
      github: { sha: failing, token: TOKEN, repository: 'owner/app' },
      env: { GITHUB_API_URL: api.url, GITHUB_SERVER_URL: api.serverUrl, GITHUB_EVENT_NAME: 'workflow_run', GITHUB_REPOSITORY: 'owner/app', RUNNER_DEBUG: '1' },
    });

  beforeAll(async () => {
    f = await GitFixture.create();
    await f.commit('initial', { 'app.py': 'print("v1")\n' });
    g = await f.commit(`feat: good ${MARKUP}`, { 'app.py': 'print("v2")\n' });
    // A ledger written by hand: every free-text field is hostile.
    const ledger = [
      '# results',
      '',
      `### ✅ ${g.slice(0, 7)} ${MARKUP}`,
      `Commit: ${g}`,
      'Status: ✅ Tests Passed',
      `Image: ghcr.io/owner/app@octocat@sha256:${HEX}`,
      `Version: v1 ${MARKUP}`,
      '',
    ].join('\n');
    await f.commit('docs: ledger [skip ci]', { [LEDGER]: ledger });
    fail = await f.commit(`feat: broken ${MARKUP}\n\n${COMMANDS.join('\n')}\n`, { 'app.py': 'raise SystemExit(1)\n' });
    await f.push();
    api = await startGitHubStandin({ owner: 'owner', repo: 'app', bareRepoPath: f.bare, token: TOKEN });
  });
  afterAll(async () => {
    await api?.stop();
    await f?.cleanup();
  });

  it('find-last-good-commit: the summary and the log stay inert', async () => {
    const r = await run('find-last-good-commit', fail);
    expect(r.code, r.stdout).toBe(0);
    expect(r.outputs.sha).toBe(g);
    expect(injectedCommands(r), r.stdout).toEqual([]);
    expectInertMarkup(r.summary, 'find-last-good-commit summary');
  });

  it('auto-revert with a protected branch: the pull request body cannot close issues or mention people', async () => {
    api.protectBranch('main');
    try {
      const r = await run('auto-revert', fail);
      expect(r.code, r.stdout).toBe(0);
      expect(r.outputs['pull-request-url']).toMatch(/\/pull\/\d+$/);
      expect(injectedCommands(r), r.stdout).toEqual([]);
      expectInertMarkup(r.summary, 'auto-revert summary');
      const pr = [...api.state.issues.values()].find((i) => i.pull);
      // The undone commit is listed (so the test can fail), its subject inert.
      expect(pr?.body).toContain('feat: broken');
      expectInertMarkup(`${pr?.title}\n${pr?.body}`, 'revert pull request');
    } finally {
      api.protectBranch('main', false);
    }
  });

  it('the one-step rollback: summary, incident issue and log stay inert', async () => {
    const r = await run('rollback', fail, { 'dry-run': 'false' });
    expect(r.code, r.stdout).toBe(0);
    expect(injectedCommands(r), r.stdout).toEqual([]);
    expectInertMarkup(r.summary, 'rollback summary');
    const issues = [...api.state.issues.values()].filter((i) => !i.pull);
    expect(issues.length).toBeGreaterThan(0);
    // The hostile subject did reach the issue and the summary (so the test can fail).
    expect(issues.some((i) => i.body?.includes('feat: broken'))).toBe(true);
    expect(r.summary).toContain('feat: broken');
    for (const i of issues) expectInertMarkup(`${i.title}\n${i.body ?? ''}`, `incident #${i.number}`);
    for (const c of api.state.comments) expectInertMarkup(c.body, 'incident comment');
  });
});
