/**
 * The GitHub stand-in as the incident tests use it: a fresh bare repository, a token the stand-in checks,
 * and helpers to read what it stored. Its Date header follows its fake clock, which open-incident-issue
 * reads as GitHub's "now": advanceClock() moves time for the action as for GitHub's timestamps.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startGitHubStandin, type GitHubStandin } from '../github-standin/index.js';
import type { IssueRecord } from '../github-standin/state.js';
import { tempDir, type TempDir } from '../tmp.js';

export const OWNER = 'acme';
export const REPO = 'shop';
export const TOKEN = 'ghs_incidentTestToken0123456789abcdefXYZ';

export interface IncidentStandin {
  standin: GitHubStandin;
  /** The API base (GITHUB_API_URL). */
  url: string;
  /** Issues carrying a label, oldest first. */
  issuesWith(label: string): IssueRecord[];
  open(label: string): IssueRecord[];
  comments(issue: number): string[];
  /** Requests made to the issues and labels routes since the last resetLog(). */
  calls(): Array<{ method: string; route: string | null; status: number }>;
  stop(): Promise<void>;
}

export async function startIncidentStandin(options: { token?: string; checkSchema?: boolean } = {}): Promise<IncidentStandin> {
  const dir: TempDir = await tempDir('greenline-incident-');
  const bare = join(dir.path, 'remote.git');
  execFileSync('git', ['init', '--bare', '--quiet', '--initial-branch=main', bare]);
  const standin = await startGitHubStandin({ owner: OWNER, repo: REPO, bareRepoPath: bare, token: options.token ?? TOKEN, checkSchema: options.checkSchema ?? true });
  const issuesWith = (label: string) =>
    [...standin.state.issues.values()].filter((i) => i.labels.some((l) => l.toLowerCase() === label.toLowerCase())).sort((a, b) => a.number - b.number);
  return {
    standin,
    url: standin.url,
    issuesWith,
    open: (label) => issuesWith(label).filter((i) => i.state === 'open'),
    comments: (issue) => standin.state.commentsOf(issue).map((c) => c.body),
    calls: () => standin.requests.map((r) => ({ method: r.method, route: r.route, status: r.status })),
    async stop() {
      try {
        await standin.stop();
      } finally {
        await dir.cleanup();
      }
    },
  };
}
