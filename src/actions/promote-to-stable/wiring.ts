import type { RunContext } from '../../core/action/context.js';
import { ConfigurationError, ExternalError } from '../../core/action/errors.js';
import type { Logger } from '../../core/action/log.js';
import { addSecret } from '../../core/action/runner.js';
import { scrubSecrets } from '../../core/action/secrets.js';
import { ApiDeployPort, deployBranch, GitDeployPort, syncRemote, validateDeployBranch, validateDeployRemote, type DeployBranchPort } from '../../core/deploy/index.js';
import { actionsExec } from '../../core/git/actions-exec.js';
import { Git } from '../../core/git/git.js';
import { moveTagViaGit, tagNameConflictViaGit } from '../../core/git/tag.js';
import { loadGitHub } from '../../core/github/load.js';
import { moveTagViaApi, tagNameConflictViaApi } from '../../core/github/tags.js';
import { ApiLedgerStore, GitLedgerStore, appendEntry, type LedgerStore } from '../../core/ledger/index.js';
import { RegistryAccessError, RegistryError, createRegistryClient, lowercaseRepository, parseImage, type RegistryClient } from '../../core/registry/index.js';
import type { PromoteInputs } from './inputs.js';
import type { DeployPort, GitTagPort, LedgerPort, PromoteConfig, PromoteDeps } from './main.js';
import { parseMetrics, parseRegressionGate } from './metrics.js';
import { parseSource, validateGitTag, validateTags } from './plan.js';

export interface PromoteWiring {
  config: PromoteConfig;
  deps: PromoteDeps;
  registry: RegistryClient;
}

/**
 * Turns promote-to-stable's inputs and the runner's context into the domain's config and ports (registry,
 * ledger store, git tag), checking every input before the first request: a bad one changes nothing. Shared by
 * promote-to-stable and the one-step manual rollback, which resolves and restores through the same promote().
 */
export async function wirePromote(inputs: PromoteInputs, ctx: RunContext, log: Logger): Promise<PromoteWiring> {
  const imageText = lowercaseRepository(inputs.image);
  if (imageText !== inputs.image.trim()) log.info(`Input "image": using ${imageText} (registries keep repository names in lowercase)`);
  const image = prefixed('image', () => parseImage(imageText));
  const source = parseSource(inputs.source);
  const tags = validateTags(inputs.tags);
  const metrics = parseMetrics(inputs.metrics);
  const gate = parseRegressionGate(inputs['max-regression']);
  const gitTag = validateGitTag(inputs['git-tag']);
  const ledgerWrite = inputs['ledger-write'];
  // A tag push or a release has no branch: the ledger lives on the default branch.
  const branch = ctx.branch || ctx.defaultBranch || 'main';
  const deployName = validateDeployBranch(inputs['deploy-branch'], [branch, ctx.defaultBranch].filter(Boolean));
  if (deployName && deployName === gitTag) {
    throw new ConfigurationError(`Input "deploy-branch": ${JSON.stringify(deployName)} is also the git-tag; a branch and a tag of one name are ambiguous for git (set git-tag: '' or another name)`);
  }
  const remote = validateDeployRemote(inputs['deploy-remote'], inputs['deploy-remote-branch'], inputs['deploy-remote-token'], deployName);
  const usesApi = ledgerWrite === 'api' || ((gitTag !== undefined || deployName !== undefined) && ledgerWrite !== 'git');
  if (usesApi && !inputs.token) throw new ConfigurationError(`Input "token": is required for ledger-write: api and for moving the git tag${deployName ? ' and the deploy branch' : ''} through the API`);
  if ((usesApi || ledgerWrite !== 'none') && !ctx.owner) throw new ConfigurationError('GITHUB_REPOSITORY is not set: cannot tell which repository holds the ledger');

  const registry = createRegistryClient({
    image,
    username: inputs.username,
    password: inputs.password,
    insecure: inputs.insecure,
    log,
    mask: addSecret,
  });
  const git = new Git(ctx.workspace, actionsExec);
  const repo = { owner: ctx.owner, repo: ctx.repo };

  // The ledger is read when it is written, or when the source or the metrics gate need it; with
  // ledger-write: none nothing else touches GitHub, and Octokit is not even loaded.
  const needsLedger = source.kind === 'ledger' || source.kind === 'ledger-previous' || inputs.rollback || gate.limits.length > 0;
  const talksToGitHub = ledgerWrite !== 'git' && (ledgerWrite === 'api' || needsLedger || gitTag !== undefined || deployName !== undefined);
  const github = inputs.token && talksToGitHub ? await loadGitHub({ token: inputs.token, baseUrl: ctx.apiUrl, log }) : undefined;
  let store: LedgerStore | undefined;
  let describe = inputs['ledger-path'];
  if (ledgerWrite === 'git') {
    store = new GitLedgerStore({ git, path: inputs['ledger-path'], branch, log });
    describe = `${inputs['ledger-path']} (git push to ${branch})`;
  } else if (github && (ledgerWrite === 'api' || needsLedger)) {
    store = new ApiLedgerStore(github, { ...repo, path: inputs['ledger-path'], branch });
    describe = `${inputs['ledger-path']} (contents API, ${branch})`;
  }
  const ledger: LedgerPort | undefined = store && {
    describe,
    read: async () => (await store.read())?.text,
    // Generous: each round of a contended append lets at least one writer through.
    append: (entry) => appendEntry(store, entry, { log, attempts: 20 }),
  };

  let gitTagPort: GitTagPort | undefined;
  if (gitTag) {
    gitTagPort =
      ledgerWrite === 'git'
        ? { move: (tag, sha) => moveTagViaGit(git, 'origin', tag, sha), conflict: (tag) => tagNameConflictViaGit(git, 'origin', tag) }
        : github && {
            move: (tag, sha) => moveTagViaApi(github, repo, tag, sha, (m) => log.warning(m)),
            conflict: (tag) => tagNameConflictViaApi(github, repo, tag),
          };
  }

  let deploy: DeployPort | undefined;
  if (deployName) {
    // With ledger-write: git every write goes through the checkout's origin; else through the API.
    const port: DeployBranchPort | undefined =
      ledgerWrite === 'git' ? new GitDeployPort({ git, remote: 'origin', describe: 'git push to origin' }) : github && new ApiDeployPort(github, repo);
    if (!port) throw new ConfigurationError('Input "token": is required for deploy-branch unless ledger-write is git');
    deploy = {
      branch: deployName,
      describe: port.describe,
      conflict: async () =>
        (await port.tagExists(deployName))
          ? `${JSON.stringify(deployName)} is the name of a tag; a branch of the same name would make it ambiguous for git (choose another name, or delete the tag)`
          : undefined,
      update: (commit, what) => deployBranch(port, deployName, commit, what),
    };
    if (remote) {
      // The remote is pushed from the checkout: the commit just written is fetched from origin when missing.
      if ((await git.run(['rev-parse', '--git-dir'], { allowFail: true })).code !== 0) {
        throw new ConfigurationError(`Input "deploy-remote": needs the repository checked out in the workspace (actions/checkout), none at ${ctx.workspace}`);
      }
      const fetchMissing = async (sha: string) => {
        await git.run(['fetch', '--quiet', '--no-tags', '--', 'origin', `refs/heads/${deployName}`]);
        if ((await git.run(['cat-file', '-e', `${sha}^{commit}`], { allowFail: true })).code !== 0) await git.run(['fetch', '--quiet', '--no-tags', '--', 'origin', sha]);
      };
      const token = inputs['deploy-remote-token'];
      deploy.remote = {
        describe: `${remote.url} (${remote.branch})`,
        sync: async (commit, what) => {
          // A git host takes no shallow history ("shallow update not allowed"): actions/checkout's default
          // depth 1 is deepened first (fetch-depth: 0 saves this fetch).
          await git.deepen('unshallow');
          return syncRemote({ git, remote, token, fetchMissing, mask: addSecret, scrub: scrubSecrets }, commit, what);
        },
      };
    }
  }

  return {
    config: {
      image: `${image.registry}/${image.repository}`,
      source,
      sourceText: inputs.source,
      expectedDigest: inputs['expected-digest'],
      tags,
      metrics,
      maxRegression: gate.limits,
      onMissing: gate.onMissing,
      rollback: inputs.rollback,
      gitTag,
      commit: ctx.eventHeadSha || ctx.sha,
      runUrl: ctx.runUrl,
      runAttempt: Number(process.env.GITHUB_RUN_ATTEMPT ?? '1') || 1,
      dryRun: inputs['dry-run'],
      now: new Date(),
    },
    deps: { registry, ledger, writeLedger: ledgerWrite !== 'none', gitTag: gitTagPort, ...(deploy ? { deploy } : {}), log },
    registry,
  };
}

/**
 * Registry failures are told in terms of what the user gave: a manifest that is not there is the `source`;
 * a registry that cannot be reached or refuses the credentials is the `image` (its host) and its login.
 * `names` renames those inputs for an action that calls them otherwise (the manual rollback's `to`).
 */
export async function blameInput<T>(fn: () => Promise<T>, names: { source?: string } = {}): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    const registryFault =
      error instanceof RegistryAccessError || error instanceof RegistryError || (error instanceof ExternalError && /^cannot reach (the token service of )?registry/.test(error.message));
    if (registryFault && !error.message.startsWith('Input "')) {
      const status = error instanceof RegistryAccessError ? error.status : undefined;
      const input = status === 404 ? (names.source ?? 'source') : status === 401 || status === 403 ? 'password' : 'image';
      throw new ConfigurationError(`Input "${input}": ${error.message}`);
    }
    throw error;
  }
}

/** Domain parsers throw without the input's name; the glue knows which input it was. */
function prefixed<T>(input: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof ConfigurationError && !error.message.startsWith('Input "')) {
      throw new ConfigurationError(`Input "${input}": ${error.message}`);
    }
    throw error;
  }
}

/** The promote-to-stable inputs a one-step action shares under the same names (health-monitor, manual-rollback). */
export type SharedPromoteInputs = Pick<
  PromoteInputs,
  'image' | 'tags' | 'username' | 'password' | 'insecure' | 'ledger-path' | 'git-tag' | 'deploy-branch' | 'deploy-remote' | 'deploy-remote-branch' | 'deploy-remote-token' | 'token'
> & { method: PromoteInputs['ledger-write'] };

/**
 * promote-to-stable's inputs for a rollback of :stable by a one-step action: `source` names the build, the
 * action's `method` writes the ledger, no metrics gate.
 */
export function rollbackPromoteInputs(inputs: SharedPromoteInputs, source: string, dryRun: boolean): PromoteInputs {
  return {
    image: inputs.image,
    source,
    'expected-digest': undefined,
    tags: inputs.tags,
    username: inputs.username,
    password: inputs.password,
    insecure: inputs.insecure,
    'ledger-path': inputs['ledger-path'],
    'ledger-write': inputs.method,
    'git-tag': inputs['git-tag'],
    'deploy-branch': inputs['deploy-branch'],
    'deploy-remote': inputs['deploy-remote'],
    'deploy-remote-branch': inputs['deploy-remote-branch'],
    'deploy-remote-token': inputs['deploy-remote-token'],
    metrics: '',
    'max-regression': '',
    token: inputs.token,
    rollback: true,
    'dry-run': dryRun,
  };
}
