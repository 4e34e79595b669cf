import type { RunContext } from '../../core/action/context.js';
import { ConfigurationError, ExternalError } from '../../core/action/errors.js';
import type { Logger } from '../../core/action/log.js';
import { addSecret } from '../../core/action/runner.js';
import { actionsExec } from '../../core/git/actions-exec.js';
import { Git } from '../../core/git/git.js';
import { moveTagViaGit, tagNameConflictViaGit } from '../../core/git/tag.js';
import { loadGitHub } from '../../core/github/load.js';
import { moveTagViaApi, tagNameConflictViaApi } from '../../core/github/tags.js';
import { ApiLedgerStore, GitLedgerStore, appendEntry, type LedgerStore } from '../../core/ledger/index.js';
import { RegistryAccessError, RegistryError, createRegistryClient, lowercaseRepository, parseImage, type RegistryClient } from '../../core/registry/index.js';
import type { PromoteInputs } from './inputs.js';
import type { GitTagPort, LedgerPort, PromoteConfig, PromoteDeps } from './main.js';
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
  const usesApi = ledgerWrite === 'api' || (gitTag !== undefined && ledgerWrite !== 'git');
  if (usesApi && !inputs.token) throw new ConfigurationError(`Input "token": is required for ledger-write: api and for moving the git tag through the API`);
  if ((usesApi || ledgerWrite !== 'none') && !ctx.owner) throw new ConfigurationError('GITHUB_REPOSITORY is not set: cannot tell which repository holds the ledger');
  // A tag push or a release has no branch: the ledger lives on the default branch.
  const branch = ctx.branch || ctx.defaultBranch || 'main';

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
  const talksToGitHub = ledgerWrite !== 'git' && (ledgerWrite === 'api' || needsLedger || gitTag !== undefined);
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
    deps: { registry, ledger, writeLedger: ledgerWrite !== 'none', gitTag: gitTagPort, log },
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
