import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/core/action/errors.js';
import { basicAuthEnv, deployMessage, planDeploy, validateDeployBranch, validateDeployRemote } from '../../src/core/deploy/index.js';
import { parseLedger, renderEntry } from '../../src/core/ledger/index.js';

const sha = (c: string) => c.repeat(40);
const what = { branch: 'production', restored: false, digest: `sha256:${'d'.repeat(64)}` };

describe('planDeploy: the branch only ever moves forward', () => {
  const build = { sha: sha('b'), tree: sha('2') };

  it('no branch yet: created at the build commit', () => {
    expect(planDeploy(undefined, build, false, what)).toEqual({ kind: 'create', target: build.sha });
  });

  it('the tip already has the build tree: nothing to write (even when it is another commit)', () => {
    expect(planDeploy({ sha: sha('c'), tree: build.tree }, build, false, what)).toEqual({ kind: 'unchanged', target: sha('c') });
    expect(planDeploy(build, build, true, what)).toEqual({ kind: 'unchanged', target: build.sha });
  });

  it('the tip is an ancestor of the build: fast-forward to the build commit', () => {
    expect(planDeploy({ sha: sha('a'), tree: sha('1') }, build, true, what)).toEqual({ kind: 'fast-forward', target: build.sha });
  });

  it('anything else (a rollback, commits of its own): one commit of the build tree, parents [tip, build]', () => {
    const plan = planDeploy({ sha: sha('a'), tree: sha('1') }, build, false, { ...what, restored: true, version: 'v1.2.0' });
    expect(plan).toMatchObject({ kind: 'commit', tree: build.tree, parents: [sha('a'), build.sha] });
    expect(plan.kind === 'commit' && plan.message).toMatch(/^Roll back production to bbbbbbbbbbbb \(v1\.2\.0\) \[skip ci\]\n/);
  });

  it('the message says which build, version and digest, and keeps a version on one line', () => {
    const message = deployMessage(build.sha, { ...what, version: 'v2\nCommit: x' });
    expect(message.split('\n')[0]).toBe('Deploy production to bbbbbbbbbbbb (v2 Commit: x) [skip ci]');
    expect(message).toContain(build.sha);
    expect(message).toContain(what.digest);
  });
});

describe('deploy inputs', () => {
  it('deploy-branch: empty is off; the promoted branch, full refs and invalid names are refused naming the input', () => {
    expect(validateDeployBranch('', 'main')).toBeUndefined();
    expect(validateDeployBranch(' stable ', 'main')).toBe('stable');
    expect(validateDeployBranch('deploy/streamlit', 'main')).toBe('deploy/streamlit');
    for (const bad of ['main', 'a..b', 'x.lock', '-x', 'a b', 'refs/heads/x', 'HEAD', 'a@{1}', 'x/', '.x']) {
      expect(() => validateDeployBranch(bad, 'main'), bad).toThrow(ConfigurationError);
      expect(() => validateDeployBranch(bad, 'main'), bad).toThrow(/^Input "deploy-branch": /);
    }
  });

  it('deploy-remote: http(s) only, no password, needs deploy-branch; the user name comes from the URL', () => {
    expect(validateDeployRemote('', 'main', '', 'stable')).toBeUndefined();
    expect(validateDeployRemote('https://hf-user@huggingface.co/spaces/hf-user/app', '', 't', 'stable')).toEqual({
      url: 'https://huggingface.co/spaces/hf-user/app',
      username: 'hf-user',
      branch: 'main',
    });
    expect(validateDeployRemote('https://dokku.example.com/app.git', 'master', 't', 'stable')).toMatchObject({ username: 'git', branch: 'master' });
    expect(() => validateDeployRemote('ssh://git@host/x.git', 'main', 't', 'stable')).toThrow(/^Input "deploy-remote": must be an https:\/\//);
    expect(() => validateDeployRemote('https://u:p@host/x.git', 'main', 't', 'stable')).toThrow(/^Input "deploy-remote": must not carry a password/);
    expect(() => validateDeployRemote('https://host/x.git', 'main', 't', undefined)).toThrow(/^Input "deploy-remote": needs deploy-branch/);
    expect(() => validateDeployRemote('https://host/x.git', 'a..b', 't', 'stable')).toThrow(/^Input "deploy-remote-branch": /);
    expect(() => validateDeployRemote('', 'main', 'hf_x', 'stable')).toThrow(/^Input "deploy-remote-token": /);
  });

  it('the credentials go in GIT_CONFIG_* variables scoped to the remote URL, never argv', () => {
    const { env, header } = basicAuthEnv('https://huggingface.co/spaces/u/app', 'u', 'hf_token');
    expect(Buffer.from(header, 'base64').toString()).toBe('u:hf_token');
    expect(env).toMatchObject({ GIT_CONFIG_COUNT: '2', GIT_CONFIG_KEY_0: 'http.https://huggingface.co/spaces/u/app.extraHeader', GIT_CONFIG_VALUE_0: `Authorization: Basic ${header}` });
  });
});

describe('ledger: the Deploy field', () => {
  const entry = { status: 'passed' as const, commit: sha('a'), timestamp: 't', digest: `sha256:${'e'.repeat(64)}`, tags: ['stable'] };

  it('is written last, and read back by the parser; entries without it render as before', () => {
    const without = renderEntry(entry);
    const withDeploy = renderEntry({ ...entry, deploy: { branch: 'production', commit: sha('c') } });
    expect(withDeploy).toBe(`${without}\nDeploy: production@${sha('c')}`);
    expect(parseLedger(`${withDeploy}\n`).entries[0]).toMatchObject({ commit: sha('a'), deploy: { branch: 'production', commit: sha('c') } });
    expect(parseLedger(`${without}\n`).entries[0]!.deploy).toBeUndefined();
  });

  it('hand-written forms are read; a Deploy line without a full commit is not', () => {
    const text = (line: string) => `Commit: ${sha('a')}\nStatus: ✅ Tests Passed\n${line}\n`;
    expect(parseLedger(text(`**Deploy:** \`stable@${sha('f')}\``)).entries[0]!.deploy).toEqual({ branch: 'stable', commit: sha('f') });
    expect(parseLedger(text('Deploy: production')).entries[0]!.deploy).toBeUndefined();
  });
});
