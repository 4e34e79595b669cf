import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLedger } from '../../src/core/ledger/parse.js';
import { git } from '../support/git-fixture.js';
import { startGitHttpServer, type GitHttpServer } from '../support/git-http-server.js';
import { runAction } from '../support/harness.js';
import { OWNER, REPO, TOKEN, startPromoteWorld, type PromoteWorld } from '../support/promote-world.js';

// deploy-branch on promote-to-stable, run as the runner runs the bundle against a real registry, a bare git
// remote behind the GitHub stand-in, and (deploy-remote) a real smart-HTTP git host with Basic auth.
const BRANCH = 'production';

const treeOf = (world: PromoteWorld, rev: string) => git(world.remote.bare, ['rev-parse', `${rev}^{tree}`]);
const isAncestor = (bare: string, a: string, b: string) =>
  git(bare, ['merge-base', '--is-ancestor', a, b]).then(
    () => true,
    () => false,
  );
const newestEntry = async (world: PromoteWorld) => parseLedger((await world.ledger()) ?? '').entries.at(-1);

let counter = 0;
async function build(world: PromoteWorld, label: string): Promise<{ sha: string; digest: string }> {
  counter++;
  const sha = await world.remote.commit({ 'app.py': `print("${label} ${counter}")\n`, [`data/${label}-${counter}.txt`]: `${label}\n` }, `${label} ${counter}`);
  const { digest } = await world.candidate('docker-manifest', sha);
  return { sha, digest };
}

for (const mode of ['api', 'git'] as const) {
  describe(`deploy-branch with ledger-write: ${mode}`, () => {
    let world: PromoteWorld;
    beforeAll(async () => {
      world = await startPromoteWorld();
    });
    afterAll(async () => world?.stop());

    async function promote(inputs: Record<string, string>, sha: string, env: Record<string, string> = {}) {
      const workspace = mode === 'git' ? await world.remote.clone(`ws-${++counter}`) : undefined;
      return world.promote({ 'deploy-branch': BRANCH, 'ledger-write': mode, ...inputs }, { sha, env, ...(workspace ? { workspace } : {}) });
    }

    async function expectDeployed(r: Awaited<ReturnType<typeof promote>>, buildSha: string, kind: string, previousTip?: string): Promise<string> {
      expect(r.errors, r.stdout).toEqual([]);
      expect(r.code).toBe(0);
      const tip = await world.remote.head(BRANCH);
      expect(r.outputs['deploy-commit']).toBe(tip);
      expect(r.outputs['deploy-result']).toBe(kind);
      expect(await treeOf(world, tip)).toBe(await treeOf(world, buildSha));
      if (previousTip) expect(await isAncestor(world.remote.bare, previousTip, tip)).toBe(true);
      // The ledger names the branch commit, the parser reads it back, and the one-liner is not disturbed.
      expect(await newestEntry(world)).toMatchObject({ commit: buildSha, deploy: { branch: BRANCH, commit: tip } });
      expect(await world.ledger()).toContain(`\nDeploy: ${BRANCH}@${tip}`);
      expect(r.summary).toContain(`Deploy branch \`${BRANCH}\` at \`${tip}\``);
      return tip;
    }

    it('promote A, promote B, roll back to A, promote C: the branch holds A, B, A, C and never loses a commit', async () => {
      const a = await build(world, 'A');
      const t1 = await expectDeployed(await promote({}, a.sha), a.sha, 'created');
      expect(t1).toBe(a.sha);

      const b = await build(world, 'B');
      const t2 = await expectDeployed(await promote({}, b.sha), b.sha, 'fast-forward', t1);
      expect(t2).toBe(b.sha);

      const back = await promote({ source: 'ledger:previous' }, b.sha);
      expect(back.outputs.digest).toBe(a.digest);
      const t3 = await expectDeployed(back, a.sha, 'commit', t2);
      const rollback = await git(world.remote.bare, ['log', '-1', '--format=%P%n%B', t3]);
      expect(rollback.split('\n')[0]).toBe(`${t2} ${a.sha}`);
      expect(rollback).toContain('[skip ci]');
      expect(rollback).toContain(a.sha);
      expect(rollback).toContain(a.digest);
      expect(await newestEntry(world)).toMatchObject({ status: 'restored', commit: a.sha });

      const c = await build(world, 'C');
      const t4 = await expectDeployed(await promote({}, c.sha), c.sha, 'commit', t3);
      expect((await git(world.remote.bare, ['log', '-1', '--format=%P', t4])).split(' ')).toEqual([t3, c.sha]);
      for (const earlier of [t1, t2, t3]) expect(await isAncestor(world.remote.bare, earlier, t4)).toBe(true);
      // The git tag and :stable follow as before.
      expect((await world.remote.refs())['refs/tags/stable']).toBe(c.sha);
      expect(await world.tagDigest('stable')).toBe(c.digest);

      // The same build again: the branch already has that tree, nothing is written to it.
      const again = await promote({}, c.sha);
      expect(again.code).toBe(0);
      expect(again.outputs['deploy-result']).toBe('unchanged');
      expect(await world.remote.head(BRANCH)).toBe(t4);
    });

    it('manual-rollback (what: image) takes the deploy branch back with :stable: one commit of the older tree on top', async () => {
      const e = await build(world, 'E');
      expect((await promote({}, e.sha)).code).toBe(0);
      const f = await build(world, 'F');
      expect((await promote({}, f.sha)).code).toBe(0);
      const tipBefore = await world.remote.head(BRANCH);
      expect(await treeOf(world, tipBefore)).toBe(await treeOf(world, f.sha));
      const head = await world.remote.head();
      const workspace = mode === 'git' ? await world.remote.clone(`ws-${++counter}`) : undefined;
      const r = await runAction('manual-rollback', {
        inputs: { what: 'image', to: 'previous', reason: 'F is broken', image: world.image, method: mode, 'deploy-branch': BRANCH, incident: 'false' },
        event: { inputs: { what: 'image', to: 'previous', reason: 'F is broken' }, ref: 'refs/heads/main' },
        github: { sha: head, token: TOKEN, repository: `${OWNER}/${REPO}`, ref: 'refs/heads/main' },
        ...(workspace ? { workspace } : {}),
        env: { GITHUB_API_URL: world.standin.url, GITHUB_SERVER_URL: world.standin.serverUrl, GITHUB_REPOSITORY: `${OWNER}/${REPO}`, GITHUB_REF: 'refs/heads/main', GITHUB_EVENT_NAME: 'workflow_dispatch' },
      });
      expect(r.errors, r.stdout).toEqual([]);
      expect(r.code).toBe(0);
      expect(await world.tagDigest('stable')).toBe(e.digest);
      const tip = await world.remote.head(BRANCH);
      expect(await treeOf(world, tip)).toBe(await treeOf(world, e.sha));
      expect((await git(world.remote.bare, ['log', '-1', '--format=%P', tip])).split(' ')).toEqual([tipBefore, e.sha]);
      expect(await newestEntry(world)).toMatchObject({ status: 'restored', commit: e.sha, deploy: { branch: BRANCH, commit: tip } });
    });

    it('a push to the branch between our read and our update: the update fails cleanly, the other commit stays', async () => {
      const base = await build(world, 'before-race');
      expect((await promote({}, base.sha)).code).toBe(0);
      const tipBefore = await world.remote.head(BRANCH);
      const d = await build(world, 'D');
      const other = await world.remote.clone(`other-${++counter}`, { branch: BRANCH });
      await writeFile(join(other, 'hotfix.txt'), 'someone else\n');
      await git(other, ['add', 'hotfix.txt']);
      await git(other, ['commit', '-q', '-m', 'a hotfix pushed straight to the deploy branch']);
      let env: Record<string, string> = {};
      let theirs: string;
      if (mode === 'api') {
        // The stand-in answers our read with the tip as it was; the other push lands before our update.
        await git(other, ['push', '-q', 'origin', `HEAD:refs/heads/${BRANCH}`]);
        theirs = await world.remote.head(BRANCH);
        world.standin.failNext({
          method: 'GET',
          path: `/repos/${OWNER}/${REPO}/git/ref/heads/${BRANCH}`,
          status: 200,
          body: {
            ref: `refs/heads/${BRANCH}`,
            node_id: 'REF_x',
            url: `${world.standin.url}/repos/${OWNER}/${REPO}/git/refs/heads/${BRANCH}`,
            object: { type: 'commit', sha: tipBefore, url: `${world.standin.url}/repos/${OWNER}/${REPO}/git/commits/${tipBefore}` },
          },
        });
      } else {
        // A `git` first on PATH pushes the other commit right before greenline's own push of the branch.
        const bin = join(world.dir.path, `race-bin-${counter}`);
        await mkdir(bin);
        const realGit = await import('node:child_process').then(({ execFileSync }) => execFileSync('sh', ['-c', 'command -v git']).toString().trim());
        const flag = join(bin, 'armed');
        await writeFile(flag, '');
        await writeFile(
          join(bin, 'git'),
          [
            '#!/bin/sh',
            `for a in "$@"; do case "$a" in *:refs/heads/${BRANCH}) if [ -f '${flag}' ]; then rm -f '${flag}'; '${realGit}' -C '${other}' push -q origin HEAD:refs/heads/${BRANCH} || exit 99; fi ;; esac; done`,
            `exec '${realGit}' "$@"`,
            '',
          ].join('\n'),
        );
        await chmod(join(bin, 'git'), 0o755);
        env = { PATH: `${bin}:${process.env.PATH ?? ''}` };
        theirs = await git(other, ['rev-parse', 'HEAD']);
      }
      const r = await promote({}, d.sha, env);
      expect(r.code).toBe(1);
      expect(r.errors).toHaveLength(1);
      expect(r.errors[0]).toMatch(new RegExp(`deploy branch ${BRANCH} NOT updated: ${BRANCH} was moved by someone else since it was read .*nothing overwritten`));
      expect(r.errors[0]).toContain('The ledger entry has no Deploy line');
      // Their commit is the tip; nothing of ours was written on the branch.
      expect(await world.remote.head(BRANCH)).toBe(theirs);
      expect(r.outputs['deploy-result']).toBe('failed');
      expect(r.outputs['deploy-commit']).toBe('');
      // What did happen is said and is true: :stable moved, the ledger records it without a Deploy line.
      expect(await world.tagDigest('stable')).toBe(d.digest);
      const entry = await newestEntry(world);
      expect(entry).toMatchObject({ commit: d.sha, digest: d.digest });
      expect(entry?.deploy).toBeUndefined();
      expect(r.summary).toContain(`deploy branch ${BRANCH} NOT updated`);
    });
  });
}

describe('deploy-branch: bad input changes nothing', () => {
  let world: PromoteWorld;
  beforeAll(async () => {
    world = await startPromoteWorld();
  });
  afterAll(async () => world?.stop());

  const cases: [string, Record<string, string>, RegExp][] = [
    ['the branch being promoted', { 'deploy-branch': 'main' }, /^Input "deploy-branch": "main" is the branch this workflow runs on or the default branch/],
    ['an invalid ref', { 'deploy-branch': 'deploy..x' }, /^Input "deploy-branch": "deploy\.\.x" is not a valid branch name$/],
    ['a full ref', { 'deploy-branch': 'refs/heads/x' }, /^Input "deploy-branch": "refs\/heads\/x" is not a branch name/],
    ['the git tag', { 'deploy-branch': 'stable' }, /^Input "deploy-branch": "stable" is also the git-tag/],
    ['an ssh remote', { 'deploy-branch': 'production', 'deploy-remote': 'git@huggingface.co:spaces/a/b' }, /^Input "deploy-remote": is not a URL/],
    ['a file remote', { 'deploy-branch': 'production', 'deploy-remote': 'file:///tmp/x.git' }, /^Input "deploy-remote": must be an https:\/\/ \(or http:\/\/\) git URL/],
    ['a remote with a password', { 'deploy-branch': 'production', 'deploy-remote': 'https://u:hf_secret@example.com/x.git' }, /^Input "deploy-remote": must not carry a password/],
    ['a remote without a branch', { 'deploy-remote': 'https://example.com/x.git' }, /^Input "deploy-remote": needs deploy-branch/],
    ['a token without a remote', { 'deploy-branch': 'production', 'deploy-remote-token': 'hf_abcdef123456' }, /^Input "deploy-remote-token": is set but deploy-remote is empty/],
  ];
  for (const [what, inputs, message] of cases) {
    it(`${what}: one line naming the input, exit 1, no tag moved, no branch created`, async () => {
      const sha = await world.remote.commit({ [`bad-${++counter}.txt`]: 'x\n' }, `bad input ${counter}`);
      await world.candidate('docker-manifest', sha);
      const stable = await world.tagDigest('stable');
      const refs = await world.remote.refs();
      const ledger = await world.ledger();
      const r = await world.promote(inputs, { sha });
      expect(r.code).toBe(1);
      expect(r.errors).toHaveLength(1);
      expect(r.errors[0]).toMatch(message);
      expect(await world.tagDigest('stable')).toBe(stable);
      expect(await world.remote.refs()).toEqual(refs);
      expect(await world.ledger()).toBe(ledger);
      expect(r.visibleStdout + r.stderr).not.toContain('hf_secret');
    });
  }

  it('a tag already named like the deploy branch: refused before anything moves', async () => {
    const sha = await world.remote.commit({ [`tagclash-${++counter}.txt`]: 'x\n' }, 'tag clash');
    await world.candidate('docker-manifest', sha);
    await git(world.remote.bare, ['tag', 'release', sha]);
    const stable = await world.tagDigest('stable');
    const refs = await world.remote.refs();
    const r = await world.promote({ 'deploy-branch': 'release' }, { sha });
    expect(r.code).toBe(1);
    expect(r.errors).toEqual([expect.stringMatching(/^Input "deploy-branch": "release" is the name of a tag/)]);
    expect(await world.tagDigest('stable')).toBe(stable);
    expect(await world.remote.refs()).toEqual(refs);
  });
});

describe('deploy-remote: a Space-style git host over smart HTTP with Basic auth', () => {
  let world: PromoteWorld;
  let host: GitHttpServer;
  beforeAll(async () => {
    [world, host] = await Promise.all([startPromoteWorld(), startGitHttpServer()]);
  });
  afterAll(async () => {
    await Promise.all([world?.stop(), host?.stop()]);
  });

  const remoteUrl = (url: string) => url.replace('http://', `http://${host.username}@`);

  for (const mode of ['api', 'git'] as const) {
    it(`ledger-write: ${mode}: the remote gets the build's tree on top of its own commits; the token is never shown`, async () => {
      // A new Space starts with a commit of its own (README front matter, .gitattributes).
      const space = await host.createRepo(`space-${mode}`, { files: { 'README.md': '---\nsdk: streamlit\n---\n', '.gitattributes': '*.bin filter=lfs\n' } });
      const initial = (await host.refs(`space-${mode}`))['refs/heads/main']!;
      const branch = `deploy-${mode}`;
      const run = async (sha: string, token = host.password) =>
        world.promote(
          { 'deploy-branch': branch, 'ledger-write': mode, 'git-tag': '', 'deploy-remote': remoteUrl(space.url), 'deploy-remote-token': token },
          { sha, workspace: await world.remote.clone(`ws-remote-${++counter}`, { depth: 1 }) },
        );
      let previous = initial;
      for (const label of ['S1', 'S2']) {
        const b = await build(world, label);
        const r = await run(b.sha);
        expect(r.errors, r.stdout).toEqual([]);
        expect(r.code).toBe(0);
        const remoteTip = (await host.refs(`space-${mode}`))['refs/heads/main']!;
        expect(r.outputs['deploy-remote-commit']).toBe(remoteTip);
        expect(await git(space.bare, ['rev-parse', `${remoteTip}^{tree}`])).toBe(await treeOf(world, b.sha));
        expect(await isAncestor(space.bare, previous, remoteTip)).toBe(true);
        previous = remoteTip;
        const shown = r.visibleStdout + r.stderr + r.summary + JSON.stringify(r.outputs);
        expect(shown).not.toContain(host.password);
        expect(shown).not.toContain(Buffer.from(`${host.username}:${host.password}`).toString('base64'));
        expect(r.stdout).toContain(`::add-mask::${host.password}`);
      }
      // The pushes were authenticated as the Space's user.
      expect(await host.accessLog()).toMatch(new RegExp(`^${host.username} POST /git/space-${mode}\\.git/git-receive-pack`, 'm'));

      // A wrong token: one clear line naming the input; the Space is untouched; the wrong token is not shown either.
      const before = await host.refs(`space-${mode}`);
      const c = await build(world, 'S3');
      const wrong = 'hf_wrongWRONGwrong0123456789';
      const r = await run(c.sha, wrong);
      expect(r.code).toBe(1);
      expect(r.errors).toHaveLength(1);
      expect(r.errors[0]).toMatch(/Input "deploy-remote-token": .* refused the credentials/);
      expect(await host.refs(`space-${mode}`)).toEqual(before);
      expect(r.outputs['deploy-remote-commit']).toBe('');
      expect(r.stdout.replace(/^::add-mask::.*$/gm, '') + r.stderr + r.summary + JSON.stringify(r.outputs)).not.toContain(wrong);
    });
  }

  it('a dry run says what it would push and pushes nothing', async () => {
    const space = await host.createRepo('space-dry');
    const b = await build(world, 'dry');
    const r = await world.promote(
      { 'deploy-branch': 'deploy-dry', 'dry-run': 'true', 'deploy-remote': remoteUrl(space.url), 'deploy-remote-token': host.password },
      { sha: b.sha, workspace: await world.remote.clone(`ws-dry-${++counter}`) },
    );
    expect(r.code).toBe(0);
    expect(r.summary).toContain('Would set deploy branch deploy-dry');
    expect(r.summary).toContain('Would push it to');
    expect(await host.refs('space-dry')).toEqual({});
    expect((await world.remote.refs())['refs/heads/deploy-dry']).toBeUndefined();
    expect(r.visibleStdout + r.summary).not.toContain(TOKEN);
  });
});
