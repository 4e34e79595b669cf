import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startGitHubStandin, type GitHubStandin } from './github-standin/index.js';
import { createRemote, type GitRemote } from './git-fixture.js';
import { runAction, type RunOptions, type RunResult } from './harness.js';
import { startRegistry, pushFixture, getManifestRaw, type FixtureKind, type StartRegistryOptions, type TestRegistry } from './registry.js';
import { tempDir, type TempDir } from './tmp.js';

const exec = promisify(execFile);

export const OWNER = 'acme';
export const REPO = 'app';
export const TOKEN = 'ghs_promoteWorldToken0123456789';
export const LEDGER = 'docs/ML_EXPERIMENT_RESULTS.md';

/** A real registry, a bare git remote served by the GitHub stand-in, and helpers to run promote-to-stable. */
export interface PromoteWorld {
  dir: TempDir;
  registry: TestRegistry;
  remote: GitRemote;
  standin: GitHubStandin;
  image: string;
  repository: string;
  /** Pushes a candidate image of `kind` tagged with `tag` (a commit SHA) and returns its digest. */
  candidate(kind: FixtureKind, tag: string): Promise<{ digest: string; bytes: Buffer; mediaType: string }>;
  promote(inputs: Record<string, string>, options?: Partial<RunOptions> & { sha?: string }): Promise<RunResult>;
  /** Digest a tag serves now, or undefined. */
  tagDigest(tag: string): Promise<string | undefined>;
  ledger(): Promise<string | undefined>;
  /** The seed's one-liner, run for real by bash on the remote's ledger. */
  oneLiner(): Promise<string>;
  stop(): Promise<void>;
}

export async function startPromoteWorld(options: { registry?: StartRegistryOptions; repository?: string; checkSchema?: boolean } = {}): Promise<PromoteWorld> {
  const dir = await tempDir('greenline-promote-');
  const registry = await startRegistry(options.registry ?? {});
  const remote = await createRemote(dir.path);
  const standin = await startGitHubStandin({ owner: OWNER, repo: REPO, bareRepoPath: remote.bare, token: TOKEN, checkSchema: options.checkSchema ?? true });
  const repository = options.repository ?? `${OWNER}/${REPO}`;
  const image = `${registry.host}/${repository}`;
  const world: PromoteWorld = {
    dir,
    registry,
    remote,
    standin,
    image,
    repository,
    async candidate(kind, tag) {
      const f = await pushFixture(registry, kind, { repository, tag });
      return { digest: f.digest, bytes: f.bytes, mediaType: f.mediaType };
    },
    promote(inputs, opts = {}) {
      const sha = opts.sha ?? opts.github?.sha ?? '0'.repeat(40);
      return runAction('promote-to-stable', {
        ...opts,
        inputs: {
          image,
          ...(registry.username ? { username: registry.username, password: registry.password ?? '' } : {}),
          ...inputs,
        },
        github: { sha, token: TOKEN, repository: `${OWNER}/${REPO}`, ...opts.github },
        env: {
          GITHUB_API_URL: standin.url,
          GITHUB_SERVER_URL: standin.serverUrl,
          GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
          GITHUB_REF: 'refs/heads/main',
          GITHUB_RUN_ID: '4242',
          ...opts.env,
        },
      });
    },
    async tagDigest(tag) {
      const raw = await getManifestRaw(registry, repository, tag);
      return raw.status === 200 ? raw.digestHeader ?? undefined : undefined;
    },
    ledger: () => remote.show('refs/heads/main', LEDGER),
    async oneLiner() {
      const path = `${dir.path}/ledger-for-one-liner.md`;
      const text = (await world.ledger()) ?? '';
      await import('node:fs/promises').then((fs) => fs.writeFile(path, text));
      const script = 'grep -B 3 "Status: ✅ Tests Passed" "$1" | grep "Commit:" | tail -1 | awk \'{print $2}\'';
      const { stdout } = await exec('bash', ['-c', script, 'one-liner', path]);
      return stdout.trim();
    },
    async stop() {
      try {
        await standin.stop();
      } finally {
        await registry.stop();
        await dir.cleanup();
      }
    },
  };
  return world;
}
