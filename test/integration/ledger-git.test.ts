/**
 * The git ledger store and the Git runner against real repositories: a bare remote that refuses
 * non-fast-forward updates (so a force push would fail loudly) and keeps a reflog of its branch, clones
 * that are shallow, detached or ordinary, and a machine identity that is not the bot's.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/core/action/errors.js';
import { recordingLogger } from '../../src/core/action/log.js';
import { actionsExec } from '../../src/core/git/actions-exec.js';
import { BOT_EMAIL, BOT_NAME, Git, GitError, execFileRunner } from '../../src/core/git/git.js';
import { GitLedgerStore, appendEntry, parseLedger } from '../../src/core/ledger/index.js';

const root = mkdtempSync(join(tmpdir(), 'greenline-ledger-git-'));
const bare = join(root, 'remote.git');
const LEDGER = 'docs/ML_EXPERIMENT_RESULTS.md';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

function clone(name: string, how: 'plain' | 'shallow' | 'detached'): string {
  const dir = join(root, name);
  if (how === 'shallow') git(root, 'clone', '--quiet', '--depth=1', `file://${bare}`, dir);
  else git(root, 'clone', '--quiet', bare, dir);
  if (how === 'detached') git(dir, 'checkout', '--quiet', '--detach');
  return dir;
}

const entry = (i: number) => ({
  status: 'passed' as const,
  commit: (0x1000 + i).toString(16).padEnd(40, '0'),
  timestamp: `2024-12-22T10:${String(i).padStart(2, '0')}:00Z`,
  run: `https://github.com/acme/app/actions/runs/${100 + i}`,
});

beforeAll(() => {
  // The machine's identity is someone else's, and it asks for signed commits with a gpg that always fails:
  // greenline's commits must still be github-actions[bot]'s, unsigned, and succeed.
  const home = join(root, 'home');
  mkdirSync(home);
  writeFileSync(
    join(home, '.gitconfig'),
    '[user]\n\tname = Mallory Machine\n\temail = mallory@example.com\n[commit]\n\tgpgsign = true\n[gpg]\n\tprogram = /bin/false\n[init]\n\tdefaultBranch = trunk\n',
  );
  Object.assign(process.env, {
    HOME: home,
    GIT_CONFIG_GLOBAL: join(home, '.gitconfig'),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'Mallory Env',
    GIT_AUTHOR_EMAIL: 'mallory-env@example.com',
    GIT_COMMITTER_NAME: 'Mallory Env',
    GIT_COMMITTER_EMAIL: 'mallory-env@example.com',
  });
  git(root, 'init', '--quiet', '--bare', '--initial-branch=main', bare);
  git(bare, 'config', 'receive.denyNonFastForwards', 'true');
  git(bare, 'config', 'receive.denyDeletes', 'true');
  git(bare, 'config', 'core.logAllRefUpdates', 'always');
  const seed = join(root, 'seed');
  git(root, 'clone', '--quiet', bare, seed);
  git(seed, 'checkout', '--quiet', '-b', 'main');
  writeFileSync(join(seed, 'README.md'), '# app\n');
  git(seed, 'add', 'README.md');
  git(seed, '-c', 'commit.gpgsign=false', 'commit', '--quiet', '-m', 'initial\n\nSigned-off-by: Mallory <m@example.com>\nRefs: #12');
  git(seed, 'push', '--quiet', 'origin', 'main');
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('GitLedgerStore: 10 concurrent appends from 10 clones', () => {
  it('keeps every entry, only fast-forwards, commits as github-actions[bot] with [skip ci]', async () => {
    const kinds = ['plain', 'shallow', 'detached'] as const;
    const clones = Array.from({ length: 10 }, (_, i) => clone(`clone-${i}`, kinds[i % 3]!));
    const before = clones.map((dir) => {
      writeFileSync(join(dir, 'README.md'), `# app\nlocal work in progress\n`); // must survive
      return git(dir, 'rev-parse', 'HEAD');
    });

    const results = await Promise.all(
      clones.map((dir, i) =>
        appendEntry(new GitLedgerStore({ git: new Git(dir, execFileRunner), path: LEDGER, branch: 'main' }), entry(i), { log: recordingLogger() }),
      ),
    );

    // All ten entries, each once, and the file parses cleanly.
    const text = git(bare, 'show', `main:${LEDGER}`);
    const parsed = parseLedger(text);
    expect(parsed.warnings).toEqual([]);
    expect(parsed.entries.map((e) => e.commit).sort()).toEqual(Array.from({ length: 10 }, (_, i) => entry(i).commit).sort());
    expect(results.some((r) => r.attempts > 1)).toBe(true); // they really raced

    // Ten linear ledger commits by the bot, each with [skip ci], on top of the human's initial commit.
    const log = git(bare, 'log', '--format=%an|%ae|%cn|%ce|%P|%s', 'main').split('\n');
    expect(log).toHaveLength(11);
    for (const line of log.slice(0, 10)) {
      const [an, ae, cn, ce, parents, subject] = line.split('|');
      expect([an, ae, cn, ce]).toEqual([BOT_NAME, BOT_EMAIL, BOT_NAME, BOT_EMAIL]);
      expect(parents!.split(' ')).toHaveLength(1);
      expect(subject).toContain('[skip ci]');
    }
    expect(log[10]).toMatch(/^Mallory Env\|/);

    // Every update of the remote branch was a fast-forward (and denyNonFastForwards would have refused others).
    const reflog = readFileSync(join(bare, 'logs/refs/heads/main'), 'utf8').trim().split('\n');
    expect(reflog).toHaveLength(11);
    for (const line of reflog.slice(1)) {
      const [oldSha, newSha] = line.split(' ');
      expect(git(bare, 'rev-list', '--count', `${oldSha}..${newSha}`)).toBe('1');
      expect(git(bare, 'rev-parse', `${newSha}^`)).toBe(oldSha);
    }

    // The workspaces did not move and kept their uncommitted work.
    clones.forEach((dir, i) => {
      expect(git(dir, 'rev-parse', 'HEAD')).toBe(before[i]);
      expect(readFileSync(join(dir, 'README.md'), 'utf8')).toContain('local work in progress');
      expect(git(dir, 'status', '--porcelain')).toBe('M README.md');
    });
    expect(git(clones[1]!, 'rev-parse', '--is-shallow-repository')).toBe('true');
  });

  it('says clearly when the branch does not exist on the remote', async () => {
    const store = new GitLedgerStore({ git: new Git(clone('no-branch', 'plain')), path: LEDGER, branch: 'nope' });
    await expect(store.read()).rejects.toThrow(ConfigurationError);
    expect(() => new GitLedgerStore({ git: new Git(root), path: LEDGER, branch: '--force' })).toThrow(ConfigurationError);
  });
});

describe('Git', () => {
  it('revParse, treeOf, isAncestor (true, false, and an error for an unknown commit)', async () => {
    const dir = clone('helpers', 'plain');
    const g = new Git(dir);
    const head = await g.revParse('HEAD');
    const first = git(dir, 'rev-list', '--max-parents=0', 'HEAD');
    expect(head).toMatch(/^[0-9a-f]{40}$/);
    expect(await g.treeOf(head)).toBe(git(dir, 'rev-parse', `${head}^{tree}`));
    expect(await g.isAncestor(first, head)).toBe(true);
    expect(await g.isAncestor(head, first)).toBe(head === first);
    await expect(g.isAncestor('f'.repeat(40), head)).rejects.toThrow(GitError);
    await expect(g.revParse('no-such-ref')).rejects.toThrow(/unknown revision/);
    expect(await g.tryRevParse('no-such-ref')).toBeUndefined();
    await expect(g.revParse('--help')).rejects.toThrow(/not a git revision/);
  });

  it('showFile: text at a revision, undefined for a missing path, an error for a missing revision', async () => {
    const g = new Git(clone('show', 'plain'));
    expect(await g.showFile('HEAD', 'README.md')).toBe('# app\n');
    expect(await g.showFile('HEAD', './README.md')).toBe('# app\n');
    expect(await g.showFile('HEAD', 'nope.md')).toBeUndefined();
    await expect(g.showFile('nope', 'README.md')).rejects.toThrow(GitError);
    await expect(g.showFile('HEAD', '../x')).rejects.toThrow(/inside the repository/);
  });

  it('commitInfo with subject, body and trailers', async () => {
    const dir = clone('info', 'plain');
    const info = await new Git(dir).commitInfo(git(dir, 'rev-list', '--max-parents=0', 'HEAD'));
    expect(info.subject).toBe('initial');
    expect(info.authorName).toBe('Mallory Env');
    expect(info.parents).toEqual([]);
    expect(info.trailers).toEqual([
      { key: 'Signed-off-by', value: 'Mallory <m@example.com>' },
      { key: 'Refs', value: '#12' },
    ]);
    expect(await new Git(dir).trailers('x\n\nbody\n\nGreenline-Revert-Of: abc\nGreenline-Good: def\n')).toEqual([
      { key: 'Greenline-Revert-Of', value: 'abc' },
      { key: 'Greenline-Good', value: 'def' },
    ]);
  });

  it('commitTree is the bot, whatever the environment and config say', async () => {
    const dir = clone('tree', 'plain');
    const g = new Git(dir);
    const head = await g.revParse('HEAD');
    const c = await g.commitTree(await g.treeOf(head), [head], 'restore\n\nGreenline-Good: abc [skip ci]');
    expect(git(dir, 'log', '-1', '--format=%an <%ae>|%cn <%ce>|%G?', c)).toBe(`${BOT_NAME} <${BOT_EMAIL}>|${BOT_NAME} <${BOT_EMAIL}>|N`);
    expect((await g.commitInfo(c)).trailers).toEqual([{ key: 'Greenline-Good', value: 'abc [skip ci]' }]);
  });

  it('push: never forced, a lost race is "rejected", other failures throw', async () => {
    const a = new Git(clone('push-a', 'plain'));
    const b = new Git(clone('push-b', 'plain'));
    await expect(a.push('origin', '+HEAD:refs/heads/main')).rejects.toThrow(/never rewrites/);
    await expect(a.push('--force', 'HEAD:refs/heads/main')).rejects.toThrow();
    const base = await a.revParse('HEAD');
    const ca = await a.commitFileOnto(base, 'a.txt', 'a\n', 'a [skip ci]');
    const cb = await b.commitFileOnto(base, 'b.txt', 'b\n', 'b [skip ci]');
    expect(await a.push('origin', `${ca}:refs/heads/race`)).toEqual({ status: 'ok' });
    expect(await b.push('origin', `${cb}:refs/heads/race`)).toMatchObject({ status: 'rejected' });
    await expect(b.push('no-such-remote', `${cb}:refs/heads/race`)).rejects.toThrow(GitError);
    expect(git(bare, 'rev-parse', 'refs/heads/race')).toBe(ca);
  });

  it('runs the same through the @actions/exec adapter (exit codes returned, stdin passed)', async () => {
    const dir = clone('actions-exec', 'plain');
    const g = new Git(dir, actionsExec);
    expect(await g.revParse('HEAD')).toBe(git(dir, 'rev-parse', 'HEAD'));
    expect(await g.tryRevParse('nope')).toBeUndefined();
    expect(await g.isAncestor('HEAD', 'HEAD')).toBe(true);
    const blob = await g.hashObject('héllo ✅\n');
    expect(git(dir, 'cat-file', 'blob', blob)).toBe('héllo ✅');
    const ledger = new GitLedgerStore({ git: g, path: LEDGER, branch: 'main' });
    const read = await ledger.read(); // undefined when run alone, before the concurrent test wrote the file
    expect(read === undefined || read.text.includes('Commit: ')).toBe(true);
  });

  it('isShallow and deepen', async () => {
    const dir = clone('deep', 'plain');
    writeFileSync(join(dir, 'x.txt'), '1');
    git(dir, 'add', 'x.txt');
    git(dir, '-c', 'commit.gpgsign=false', 'commit', '--quiet', '-m', 'x');
    git(dir, 'push', '--quiet', 'origin', 'HEAD:refs/heads/deep');
    const shallow = join(root, 'deep-shallow');
    git(root, 'clone', '--quiet', '--depth=1', '--branch=deep', `file://${bare}`, shallow);
    const g = new Git(shallow);
    expect(await g.isShallow()).toBe(true);
    expect(git(shallow, 'rev-list', '--count', 'HEAD')).toBe('1');
    await g.deepen(1);
    expect(git(shallow, 'rev-list', '--count', 'HEAD')).toBe('2');
    await g.deepen('unshallow');
    expect(await g.isShallow()).toBe(false);
    await g.deepen('unshallow'); // a no-op on a complete clone, not an error
  });
});
