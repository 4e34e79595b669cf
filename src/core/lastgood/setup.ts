import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { ConfigurationError } from '../action/errors.js';
import type { Logger } from '../action/log.js';
import type { ExecFn } from '../git/exec.js';
import { Git } from '../git/git.js';
import { GitHistory } from '../git/history.js';
import { GitHubChecks } from '../github/checks.js';
import type { GitHub } from '../github/client.js';
import { httpStatus } from '../github/http-error.js';
import { loadGitHub } from '../github/load.js';
import { ApiHistory, GitHubRepo } from '../github/compare.js';
import type { LedgerInput } from './find.js';
import { ledgerAt } from './ledger-at.js';
import type { ChecksPort, HistoryPort } from './types.js';

export type LedgerSource = 'auto' | 'workspace' | 'api';

export interface LastGoodSetupOptions {
  workspace: string;
  exec: ExecFn;
  token: string;
  apiUrl: string;
  owner: string;
  repo: string;
  ledgerPath: string;
  ledgerSource: LedgerSource;
  requireChecks: readonly string[];
  log: Logger;
}

/** The ports find-last-good-commit runs on, chosen from what the job has: a checkout, a token, or both. */
export interface LastGoodSetup {
  history: HistoryPort;
  checks?: ChecksPort;
  /**
   * The ledger for findLastGood at a head: the workspace file when the checkout is at that head, else a reader
   * of the ledger at any commit of the head's history (git objects, or the contents API).
   */
  ledgerInput(head: string): Promise<LedgerInput>;
  /** The full SHA of a commit that exists (fetched into the checkout if needed), else undefined. */
  resolveCommit(sha: string): Promise<string | undefined>;
  /** The tip of a branch on the remote (undefined when there is none). */
  branchTip(branch: string): Promise<string | undefined>;
  /** Where the ledger and the history came from, for the summary. */
  describe: string;
  github?: GitHub;
  repo?: GitHubRepo;
  git?: Git;
  gitHistory?: GitHistory;
}

/** Whether the workspace holds a git checkout (actions/checkout ran). */
export function hasCheckout(workspace: string): boolean {
  return workspace !== '' && existsSync(join(workspace, '.git'));
}

/**
 * Picks the ports: with a checkout, history through git (deepening a shallow clone); without, the compare API.
 * `ledger-source: auto` reads the workspace file when it exists, else the contents API at the head. Anything
 * that needs the API without a token is the user's mistake, reported against the input that would fix it.
 */
export async function setupLastGood(o: LastGoodSetupOptions): Promise<LastGoodSetup> {
  const checkout = hasCheckout(o.workspace);
  const ledgerFile = resolve(o.workspace, o.ledgerPath);
  if (!ledgerFile.startsWith(resolve(o.workspace) + sep)) throw new ConfigurationError(`Input "ledger-path": ${JSON.stringify(o.ledgerPath)} is outside the repository`);
  if (o.ledgerSource === 'workspace' && !checkout) {
    throw new ConfigurationError(`Input "ledger-source": workspace needs a checkout of the repository in ${o.workspace || 'GITHUB_WORKSPACE'} (actions/checkout)`);
  }
  const useFile = o.ledgerSource === 'workspace' || (o.ledgerSource === 'auto' && checkout && existsSync(ledgerFile));
  const useGit = checkout;
  const needApi = o.ledgerSource === 'api' || !useGit || o.requireChecks.length > 0;
  if (needApi && o.token === '') {
    const why =
      o.ledgerSource === 'api'
        ? 'ledger-source is api (the ledger is read through the contents API)'
        : !useGit
          ? 'there is no checkout in the workspace: the ledger and the history are read through the API'
          : 'require-checks reads check runs through the API';
    throw new ConfigurationError(`Input "token": required because ${why}`);
  }
  const github = needApi || o.token !== '' ? await loadGitHub({ token: o.token, baseUrl: o.apiUrl, log: o.log }) : undefined;
  const repo = github ? new GitHubRepo(github, { owner: o.owner, repo: o.repo }, o.log) : undefined;
  const git = checkout ? new Git(o.workspace, o.exec) : undefined;
  const gitHistory = git ? new GitHistory(git, { log: o.log }) : undefined;
  const history: HistoryPort = useGit && gitHistory ? gitHistory : new ApiHistory(repo!);
  const checks = o.requireChecks.length > 0 && github ? new GitHubChecks(github, { owner: o.owner, repo: o.repo }) : undefined;

  return {
    history,
    ...(checks ? { checks } : {}),
    ...(github ? { github } : {}),
    ...(repo ? { repo } : {}),
    ...(git ? { git } : {}),
    ...(gitHistory ? { gitHistory } : {}),
    describe: `ledger from ${o.ledgerSource === 'api' || !gitHistory ? `the contents API (${o.ledgerPath} at the head)` : useFile ? `the workspace file ${o.ledgerPath} (git objects when the checkout is not at the head)` : `${o.ledgerPath} at the head (git objects)`}, history from ${history.describe}`,
    async ledgerInput(head: string) {
      // The workspace file is the ledger only when the checkout is at the head (a job's uncommitted entries
      // count then); a checkout of another commit (a workflow_run job checks out the default branch) is
      // never read for another branch's failure: the ledger then comes from the head's own history.
      const files: Pick<HistoryPort, 'pathAt'> = o.ledgerSource === 'api' || !gitHistory ? new ApiHistory(repo!) : gitHistory;
      const fromHistory = async (commit: string) => (await ledgerAt(files, commit, o.ledgerPath))?.text;
      if (useFile && git && (await git.tryRevParse('HEAD')) === head) {
        try {
          const text = await readFile(ledgerFile, 'utf8');
          // Still a reader: when the head's file has no readable entry (emptied, re-created), the nearest
          // first-parent ancestor's ledger is read, as for a ledger read from git objects (rule 2).
          return async (commit: string) => (commit.toLowerCase() === head.toLowerCase() ? text : fromHistory(commit));
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        }
      }
      return fromHistory;
    },
    async resolveCommit(sha: string) {
      if (useGit && gitHistory) {
        try {
          return await gitHistory.ensureCommit(sha);
        } catch {
          return undefined;
        }
      }
      return (await repo!.commit(sha))?.sha;
    },
    async branchTip(branch: string) {
      if (git) {
        const r = await git.run(['ls-remote', '--refs', 'origin', `refs/heads/${branch}`]);
        return r.stdout.split('\n').map((l) => l.trim().split(/\s+/)).find((p) => p[1] === `refs/heads/${branch}`)?.[0];
      }
      try {
        return (await github!.rest.git.getRef({ owner: o.owner, repo: o.repo, ref: `heads/${branch}` })).data.object.sha;
      } catch (error) {
        if (httpStatus(error) === 404) return undefined;
        throw error;
      }
    },
  };
}
