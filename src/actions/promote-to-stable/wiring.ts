import type { RunContext } from '../../core/action/context.js';
import type { Logger } from '../../core/action/log.js';
import { addSecret } from '../../core/action/runner.js';
import { actionsExec } from '../../core/git/actions-exec.js';
import { Git } from '../../core/git/git.js';
import { moveTagViaGit, tagNameConflictViaGit } from '../../core/git/tag.js';
import type { GitHub } from '../../core/github/client.js';
import { moveTagViaApi, tagNameConflictViaApi } from '../../core/github/tags.js';
import { ApiLedgerStore, GitLedgerStore, appendEntry, type LedgerStore } from '../../core/ledger/index.js';
import { createRegistryClient, type ImageRef } from '../../core/registry/index.js';
import type { GitTagPort, LedgerPort } from './main.js';

export interface PromoteWiringInputs {
  image: ImageRef;
  username: string;
  password: string;
  insecure: boolean;
  ledgerPath: string;
  ledgerWrite: 'api' | 'git' | 'none';
  /** Undefined: no git tag is moved. */
  gitTag?: string;
  /** The branch whose ledger is read and written. */
  branch: string;
  /** Octokit, when the ledger or the git tag go through the API (undefined otherwise). */
  github?: GitHub;
  /** With ledger-write: api or none, whether the ledger is read (and written) through the contents API. */
  ledgerViaApi: boolean;
}

/**
 * promote-to-stable's ports from its inputs: the registry, the ledger (read and compare-and-swap append) and
 * the git tag. Shared by promote-to-stable and the one-step health monitor, so both write the very same ⏪
 * entries and move the same refs the same way.
 */
export function promotePorts(inputs: PromoteWiringInputs, ctx: RunContext, log: Logger) {
  const registry = createRegistryClient({
    image: inputs.image,
    username: inputs.username,
    password: inputs.password,
    insecure: inputs.insecure,
    log,
    mask: addSecret,
  });
  const git = new Git(ctx.workspace, actionsExec);
  const repo = { owner: ctx.owner, repo: ctx.repo };
  const { github, branch } = inputs;
  let store: LedgerStore | undefined;
  let describe = inputs.ledgerPath;
  if (inputs.ledgerWrite === 'git') {
    store = new GitLedgerStore({ git, path: inputs.ledgerPath, branch, log });
    describe = `${inputs.ledgerPath} (git push to ${branch})`;
  } else if (github && inputs.ledgerViaApi) {
    store = new ApiLedgerStore(github, { ...repo, path: inputs.ledgerPath, branch });
    describe = `${inputs.ledgerPath} (contents API, ${branch})`;
  }
  const ledger: LedgerPort | undefined = store && {
    describe,
    read: async () => (await store.read())?.text,
    // Generous: each round of a contended append lets at least one writer through.
    append: (entry) => appendEntry(store, entry, { log, attempts: 20 }),
  };

  let gitTag: GitTagPort | undefined;
  if (inputs.gitTag) {
    gitTag =
      inputs.ledgerWrite === 'git'
        ? { move: (tag, sha) => moveTagViaGit(git, 'origin', tag, sha), conflict: (tag) => tagNameConflictViaGit(git, 'origin', tag) }
        : github && {
            move: (tag, sha) => moveTagViaApi(github, repo, tag, sha, (m) => log.warning(m)),
            conflict: (tag) => tagNameConflictViaApi(github, repo, tag),
          };
  }
  return { registry, ledger, gitTag };
}
