/**
 * Runs one history case for one method, as the runner runs the bundles in a `workflow_run` job after CI
 * failed on the case's failing commit, and checks what a careful release engineer expects.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitHubStandin } from '../github-standin/index.js';
import { runAction, type RunResult } from '../harness.js';
import { git, gitBytes, HistoryRepo, LEDGER } from './repo.js';
import type { Built, HistoryCase, Method } from './types.js';

export const TOKEN = 'ghs_history_cases_token';

const METHODS: Method[] = ['api', 'git'];

/** A describe per case: its history built once, then one test per method (skipped, with why, where it does not apply). */
export function describeCases(cases: readonly HistoryCase[]): void {
  for (const c of cases) {
    describe(c.name, () => {
      let h: HistoryRepo;
      let built: Built;
      beforeAll(async () => {
        h = await HistoryRepo.create();
        built = await c.build(h);
      }, 120_000);
      afterAll(async () => {
        await h?.cleanup();
      });

      for (const method of METHODS) {
        const why = c.notFor?.[method];
        if (why) {
          it.skip(`method ${method}: does not apply — ${why}`, () => undefined);
          continue;
        }
        it(`method ${method}: ${c.expect}`, async () => {
          await runCase(c, h, built, method);
        }, 240_000);
      }
    });
  }
}

const SKIP_KEYWORD = /\[(skip ci|ci skip|no ci|skip actions|actions skip)\]/i;
const SKIP_TRAILER = /^skip-checks:\s*true\s*$/im;

/** The event of a `workflow_run` job triggered by the failed CI run of a push of `sha` to `branch`. */
export function failedRun(sha: string, branch: string): Record<string, unknown> {
  return {
    action: 'completed',
    workflow_run: {
      id: 4242, name: 'ci', head_branch: branch, head_sha: sha, conclusion: 'failure', event: 'push', run_attempt: 1,
      head_repository: { full_name: 'owner/app', name: 'app', owner: { login: 'owner' } },
    },
    repository: { full_name: 'owner/app', name: 'app', owner: { login: 'owner' }, default_branch: 'main' },
  };
}

async function refs(remote: string): Promise<Record<string, string>> {
  const out = await git(remote, ['for-each-ref', '--format=%(refname) %(objectname)']);
  return Object.fromEntries(out.split('\n').filter(Boolean).map((l) => l.split(' ') as [string, string]));
}

/** Files that differ between two commits, the ledger's files left out. */
async function diffOutsideLedger(remote: string, a: string, b: string, ledgerFiles: readonly string[]): Promise<string[]> {
  const out = await git(remote, ['diff', '--no-renames', '--name-only', a, b]);
  return out.split('\n').filter((p) => p && !ledgerFiles.includes(p));
}

/** `git ls-tree` of one path: mode and blob, '' when absent. */
async function entryOf(remote: string, commit: string, path: string): Promise<string> {
  const out = await git(remote, ['ls-tree', commit, '--', path]);
  return out.split(/\s+/).slice(0, 1).join(' ');
}

async function bytesAt(remote: string, commit: string, path: string): Promise<Buffer | undefined> {
  const entry = await git(remote, ['ls-tree', commit, '--', path]);
  if (!entry) return undefined;
  return gitBytes(remote, ['cat-file', 'blob', `${commit}:${path}`]);
}

/** Replaces `${name}` with the named SHA. */
function fill(text: string, shas: Record<string, string>): string {
  return text.replace(/\$\{([\w-]+)\}/g, (m, name: string) => shas[name] ?? m);
}

function sha(built: Built, name: string): string {
  const s = name === 'failing' ? built.failing : built.shas[name];
  if (!s) throw new Error(`case names an unknown commit "${name}"`);
  return s;
}

/**
 * Runs find-last-good-commit and auto-revert for `method` on a fresh copy of the case's remote and checks them.
 * With `action: 'rollback'` the one-step rollback (root action.yml: find, revert, incident) runs instead of
 * both, and its outputs are checked the same way.
 */
export async function runCase(c: HistoryCase, h: HistoryRepo, built: Built, method: Method, action: 'auto-revert' | 'rollback' = 'auto-revert'): Promise<void> {
  const remote = await h.copyRemote(`${method}-${Math.random().toString(36).slice(2, 8)}`);
  const standin = await startGitHubStandin({ owner: 'owner', repo: 'app', bareRepoPath: remote, token: TOKEN });
  try {
    const branch = built.branch ?? 'main';
    if (c.protect) standin.protectBranch(branch);
    const mainTip = await git(remote, ['rev-parse', 'refs/heads/main']);
    let workspace: string | undefined;
    if (method === 'git') {
      workspace = join(remote, '..', 'workspace');
      const depth = c.depth ? [`--depth=${c.depth}`] : [];
      await git(h.tmp.path, ['clone', '-q', '--no-tags', ...depth, `file://${remote}`, workspace]);
      const at = built.checkout ? (built.shas[built.checkout] ?? built.checkout) : built.failing;
      await git(workspace, ['fetch', '-q', ...depth, 'origin', at]);
      await git(workspace, ['checkout', '-q', '--detach', 'FETCH_HEAD']);
    }
    const env = {
      GITHUB_API_URL: standin.url,
      GITHUB_SERVER_URL: standin.serverUrl,
      GITHUB_EVENT_NAME: 'workflow_run',
      GITHUB_REPOSITORY: 'owner/app',
      GITHUB_WORKFLOW: 'rollback',
      GITHUB_RUN_ID: '777',
    };
    const common = {
      event: failedRun(built.failing, branch),
      // In a workflow_run job GITHUB_SHA is the default branch's tip, not the failing commit.
      github: { sha: mainTip, token: TOKEN, repository: 'owner/app', ref: 'refs/heads/main' },
      env,
      ...(workspace ? { workspace } : {}),
    };
    const before = await refs(remote);
    const ledgerBefore = workspace ? await gitBytes(workspace, ['status', '--porcelain']) : undefined;

    const inputs = Object.fromEntries(Object.entries(c.inputs ?? {}).map(([k, v]) => [k, fill(v, built.shas)]));
    const revertInputs = { method, branch, 'failing-sha': built.failing, ...inputs };
    let find: RunResult;
    let revert: RunResult;
    if (action === 'rollback') {
      revert = await runAction('rollback', { ...common, inputs: { ...revertInputs, fingerprint: `ci-cd rollback ${branch}` } });
      find = revert;
    } else {
      const findInputs = Object.fromEntries(Object.entries(c.findInputs ?? {}).map(([k, v]) => [k, fill(v, built.shas)]));
      find = await runAction('find-last-good-commit', { ...common, inputs: findInputs });
      revert = await runAction('auto-revert', { ...common, inputs: revertInputs });
    }
    const after = await refs(remote);
    const log = `\n--- find (${method}) ---\n${find.outputs.reason ?? ''}\n${find.stdout.slice(-3000)}\n--- ${action} ---\n${revert.stdout.slice(-4000)}\n${revert.stderr.slice(-2000)}`;

    // The one-step rollback stops before looking for a good build when the branch is not its to revert.
    const stopsFirst = ['branch-moved', 'loop', 'already-reverted', 'not-branch-failure'].includes(c.outcome);
    if (action === 'auto-revert' || !stopsFirst) await checkFind(c, built, remote, find, log);
    await checkRevert(c, built, remote, method, branch, revert, before, after, standin, log);
    if (workspace && ledgerBefore !== undefined) {
      // The runner's checkout is the user's: greenline never edits its working tree.
      expect.soft((await gitBytes(workspace, ['status', '--porcelain'])).toString(), 'workspace left as it was').toBe(ledgerBefore.toString());
    }
    expect.soft(standin.internalErrors, 'stand-in internal errors').toEqual([]);
    if (c.after) await c.after({ method, remote, standin, built, find, revert });
  } finally {
    await standin.stop();
  }
}

async function checkFind(c: HistoryCase, built: Built, remote: string, find: RunResult, log: string): Promise<void> {
  expect.soft(find.code, `find exit code${log}`).toBe(0);
  if (c.find === false) {
    expect.soft(find.outputs.found, `find: nothing to find${log}`).toBe('false');
    return;
  }
  const good = sha(built, c.find);
  expect.soft(find.outputs.found, `find: found ${c.find}${log}`).toBe('true');
  const got = find.outputs.sha ?? '';
  if (got === good) return;
  // The ✅ commit itself is the answer; a commit nearer on the first-parent chain with the very same code
  // (a ledger commit, greenline's revert to it) names the same build, and is accepted as long as its entry
  // is that build's.
  const chain = (await git(remote, ['rev-list', '--first-parent', built.failing])).split('\n');
  const between = got !== '' && chain.includes(got) && chain.indexOf(got) < chain.indexOf(good);
  const sameCode = got !== '' && (await diffOutsideLedger(remote, good, got, c.ledgerFiles ?? [LEDGER])).length === 0;
  const entryCommit = find.outputs.entry ? String((JSON.parse(find.outputs.entry) as { commit?: string }).commit ?? '') : '';
  expect.soft(between && sameCode && good.startsWith(entryCommit.toLowerCase()) && entryCommit.length >= 7, `find: sha ${got} is not ${c.find} (${good}) nor a first-parent commit above it with its code and entry${log}`).toBe(true);
}

async function checkRevert(
  c: HistoryCase,
  built: Built,
  remote: string,
  method: Method,
  branch: string,
  revert: RunResult,
  before: Record<string, string>,
  after: Record<string, string>,
  standin: { requests: readonly { method: string; path: string }[] },
  log: string,
): Promise<void> {
  expect.soft(revert.code, `auto-revert exit code${log}`).toBe(c.exitCode ?? 0);
  expect.soft(revert.outputs.reverted, `reverted${log}`).toBe(String(c.outcome === 'reverted'));
  expect.soft(revert.outputs.outcome, `outcome${log}`).toBe(c.outcome);
  const ledgerFiles = c.ledgerFiles ?? [LEDGER];
  const restores = c.restores ?? (c.find === false ? undefined : c.find);
  const ref = `refs/heads/${branch}`;

  if (c.outcome === 'reverted') {
    const tip = after[ref] ?? '';
    const others = (r: Record<string, string>) => Object.fromEntries(Object.entries(r).filter(([k]) => k !== ref));
    expect.soft(others(after), 'only the failing branch moved').toEqual(others(before));
    expect.soft(tip, `${branch} moved${log}`).not.toBe(before[ref]);
    expect.soft(revert.outputs['revert-sha'], 'revert-sha is the new tip').toBe(tip);
    if (tip === before[ref] || !tip) return;
    const parent = sha(built, c.parent ?? 'failing');
    expect.soft(await git(remote, ['log', '-1', '--format=%P', tip]), 'one parent: the expected head').toBe(parent);
    if (restores) {
      expect.soft(await diffOutsideLedger(remote, sha(built, restores), tip, ledgerFiles), `tree of ${restores} outside the ledger`).toEqual([]);
    }
    await checkLedgerKept(c, built, remote, tip, parent, ledgerFiles);
    await checkMessage(remote, tip, built.failing);
    return;
  }

  if (c.outcome === 'pull-request') {
    expect.soft(after[ref], `${branch} unchanged`).toBe(before[ref]);
    const prRef = Object.keys(after).find((k) => !(k in before) && k.startsWith('refs/heads/greenline/'));
    expect.soft(prRef, 'a revert branch was pushed').toBeDefined();
    if (prRef && restores) {
      expect.soft(await diffOutsideLedger(remote, sha(built, restores), after[prRef]!, ledgerFiles), `PR tree of ${restores}`).toEqual([]);
      await checkLedgerKept(c, built, remote, after[prRef]!, sha(built, c.parent ?? 'failing'), ledgerFiles);
    }
    return;
  }

  // Every other outcome changes nothing: no ref, no commit, no ⛔.
  expect.soft(after, `nothing changed (${method})${log}`).toEqual(before);
  // A protected branch is only known by trying the ref update (a refused write); any other stop writes nothing.
  if (method === 'api' && c.outcome !== 'protected') {
    // Git data, refs, contents and pull requests; the one-step rollback's incident issue is not a change of the code.
    const writes = standin.requests.filter((r) => r.method !== 'GET' && /\/(git|contents|pulls)(\/|$)/.test(r.path));
    expect.soft(writes.map((r) => `${r.method} ${r.path}`), 'no write request').toEqual([]);
  }
}

/** The ledger at the new commit: present, the expected ledger's bytes whole at its front, no ⛔ unless expected. */
async function checkLedgerKept(c: HistoryCase, built: Built, remote: string, tip: string, parent: string, ledgerFiles: readonly string[]): Promise<void> {
  const from = sha(built, c.ledgerFrom ?? c.parent ?? 'failing');
  void parent;
  for (const path of ledgerFiles) {
    const kept = await bytesAt(remote, from, path);
    const now = await bytesAt(remote, tip, path);
    expect.soft(now, `${path} present after the revert`).toBeDefined();
    if (!kept || !now) continue;
    expect.soft(await entryOf(remote, tip, path), `${path} keeps its mode (a symlink stays one)`).toBe(await entryOf(remote, from, path));
    const prefix = now.subarray(0, kept.length);
    expect.soft(Buffer.compare(prefix, kept) === 0, `${path}: every byte of the ledger at ${c.ledgerFrom ?? c.parent ?? 'failing'} kept, in place (got ${JSON.stringify(now.toString('latin1').slice(0, 400))})`).toBe(true);
    const added = now.subarray(kept.length).toString('utf8');
    if (c.marks) {
      expect.soft(added, `${path}: ${c.marks} marked ⛔`).toMatch(new RegExp(`⛔[^]*${sha(built, c.marks).slice(0, 7)}`));
    } else {
      expect.soft(added, `${path}: no ⛔ added`).not.toContain('⛔');
    }
  }
}

/** Rule 7: no skip marker in the subject, `[skip ci]` in the body, both trailers. */
async function checkMessage(remote: string, tip: string, failing: string): Promise<void> {
  const message = await git(remote, ['log', '-1', '--format=%B', tip]);
  const [subject = '', ...body] = message.split('\n');
  expect.soft(subject, 'revert subject').toMatch(/^⚠️ Auto-rollback: .+, reverting to last successful build [0-9a-f]{7}$/);
  expect.soft(SKIP_KEYWORD.test(subject), 'no skip marker in the subject (git revert would copy it)').toBe(false);
  expect.soft(SKIP_KEYWORD.test(body.join('\n')) || SKIP_TRAILER.test(message), 'a skip marker in the body').toBe(true);
  expect.soft(message, 'Greenline-Revert-Of trailer').toContain(`Greenline-Revert-Of: ${failing}`);
  expect.soft(message, 'Greenline-Restored trailer').toMatch(/^Greenline-Restored: [0-9a-f]{40}$/m);
}

/** Whether a commit message would start a CI run on GitHub (no skip keyword anywhere, no skip-checks trailer). */
export function triggersCi(message: string): boolean {
  return !SKIP_KEYWORD.test(message) && !SKIP_TRAILER.test(message);
}
