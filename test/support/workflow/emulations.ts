/**
 * Local stand-ins for third-party actions, for `RunWorkflowOptions.emulations`. Each does the part of the
 * real action the workflows depend on and refuses the inputs it does not implement.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Emulation, EmulationContext, EmulationResult } from './types.js';

function git(args: string[], cwd: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile('git', args, { cwd, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`git ${args.join(' ')}: ${stderr.trim() || error.message}`));
      else resolvePromise(stdout);
    });
  });
}

function truthyInput(value: string | undefined): boolean {
  return value !== undefined && /^(true|1)$/i.test(value.trim());
}

/**
 * `actions/checkout`: init a repository in the workspace (or `path`), fetch from `remote` (a bare repository
 * standing in for github.com) and check out like checkout v4 does — for a branch ref, `-B <branch>` at the
 * event sha with `refs/remotes/origin/<branch>`; tags and pull refs detached. `fetch-depth` (default 1, 0 =
 * all branches and tags), `ref`, `path`, `fetch-tags`; `persist-credentials`, `token`, `clean`, `show-progress`
 * are accepted and have nothing to do locally. `repository` other than the workflow's, `submodules`, `lfs` and
 * `sparse-checkout` are refused.
 */
export function checkout(options: { remote: string }): Emulation {
  const remoteUrl = /^[a-z]+:\/\//.test(options.remote) ? options.remote : pathToFileURL(resolve(options.remote)).href;
  return async (ctx: EmulationContext): Promise<EmulationResult> => {
    const w = ctx.with;
    const known = new Set(['repository', 'ref', 'path', 'fetch-depth', 'fetch-tags', 'persist-credentials', 'token', 'clean', 'show-progress', 'submodules', 'lfs', 'sparse-checkout', 'ssh-key']);
    for (const key of Object.keys(w)) if (!known.has(key)) throw new Error(`checkout emulation: unknown input ${key}`);
    const repository = String(ctx.github.repository ?? '');
    if (w.repository && w.repository !== repository) throw new Error(`checkout emulation: only the workflow's repository (${repository}) is available, not ${w.repository}`);
    if (truthyInput(w.submodules) || w.submodules === 'recursive') throw new Error('checkout emulation: submodules are not supported');
    if (truthyInput(w.lfs)) throw new Error('checkout emulation: lfs is not supported');
    if (w['sparse-checkout']?.trim()) throw new Error('checkout emulation: sparse-checkout is not supported');
    if (w['ssh-key']?.trim()) throw new Error('checkout emulation: ssh-key is not supported');
    const depthText = (w['fetch-depth'] ?? '1').trim() || '1';
    const depth = Number(depthText);
    if (!Number.isInteger(depth) || depth < 0) throw new Error(`checkout emulation: fetch-depth ${JSON.stringify(depthText)} is not a whole number`);

    const path = w.path ?? '';
    if (isAbsolute(path) || path.split(/[\\/]/).includes('..')) throw new Error(`checkout emulation: path ${JSON.stringify(path)} must stay inside the workspace`);
    const dir = join(ctx.workspace, path);
    mkdirSync(dir, { recursive: true });
    if (readdirSync(dir).length > 0) throw new Error(`checkout emulation: ${dir} is not empty`);

    await git(['init', '-q', dir], ctx.workspace);
    await git(['remote', 'add', 'origin', remoteUrl], dir);

    // What to check out: the `ref` input, else the event's sha and ref.
    let sha = String(ctx.github.sha ?? '');
    let ref = String(ctx.github.ref ?? '');
    const input = (w.ref ?? '').trim();
    if (input) {
      if (/^[0-9a-f]{40}$/i.test(input)) {
        sha = input.toLowerCase();
        ref = '';
      } else {
        sha = '';
        ref = input.startsWith('refs/') ? input : await qualify(input, dir);
      }
    }
    const branch = ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : undefined;
    const tag = ref.startsWith('refs/tags/') ? ref.slice('refs/tags/'.length) : undefined;
    const local = branch ? `refs/remotes/origin/${branch}` : tag ? `refs/tags/${tag}` : ref.startsWith('refs/pull/') ? ref.replace(/^refs\/pull\//, 'refs/remotes/pull/') : undefined;

    const fetch = ['-c', 'protocol.version=2', 'fetch', '--no-recurse-submodules', '--prune'];
    if (depth === 0) {
      await git([...fetch, 'origin', '+refs/heads/*:refs/remotes/origin/*', '+refs/tags/*:refs/tags/*'], dir);
      if (sha && local) await git(['update-ref', local, sha], dir);
    } else {
      const tagsFlag = truthyInput(w['fetch-tags']) ? [] : ['--no-tags'];
      const source = sha || ref;
      if (!source) throw new Error('checkout emulation: neither github.sha nor a ref to fetch');
      await git([...fetch, ...tagsFlag, `--depth=${depth}`, 'origin', local ? `+${source}:${local}` : source], dir);
    }
    if (branch) await git(['checkout', '-q', '--force', '-B', branch, `refs/remotes/origin/${branch}`], dir);
    else await git(['checkout', '-q', '--force', '--detach', sha || local || 'FETCH_HEAD'], dir);
    const commit = (await git(['rev-parse', 'HEAD'], dir)).trim();
    if (sha && commit !== sha) throw new Error(`checkout emulation: checked out ${commit}, expected ${sha}`);
    ctx.log(`checkout (emulated): ${remoteUrl} ${ref || sha} at ${commit}${depth ? ` (depth ${depth})` : ' (full history)'} into ${dir}`);
    return { outputs: { ref: ref || sha, commit } };
  };
}

async function qualify(name: string, dir: string): Promise<string> {
  const out = await git(['ls-remote', 'origin', `refs/heads/${name}`, `refs/tags/${name}`], dir);
  const refs = out.split('\n').map((l) => l.split('\t')[1]).filter((r): r is string => !!r);
  const pick = refs.find((r) => r === `refs/heads/${name}`) ?? refs.find((r) => r === `refs/tags/${name}`);
  if (!pick) throw new Error(`checkout emulation: ref ${name} not found on the remote`);
  return pick;
}

/** An action with nothing to do locally (docker/setup-buildx-action, docker/login-action, …): logs and succeeds. */
export function noop(note = 'nothing to do locally'): Emulation {
  return (ctx) => {
    ctx.log(`${ctx.action} (emulated): ${note}`);
    return {};
  };
}

/** Fixed outputs, for actions whose effect a test sets up itself. */
export function staticOutputs(outputs: Record<string, string>): Emulation {
  return (ctx) => {
    ctx.log(`${ctx.action} (emulated): outputs ${Object.keys(outputs).join(', ') || 'none'}`);
    return { outputs: { ...outputs } };
  };
}

/** True when `dir` holds a git checkout (for tests of the checkout emulation). */
export function isGitCheckout(dir: string): boolean {
  return existsSync(join(dir, '.git'));
}
