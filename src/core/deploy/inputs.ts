import { ConfigurationError } from '../action/errors.js';

/** A branch name as `git check-ref-format --branch` accepts it (the common rules), or undefined when empty. */
export function validateDeployBranch(name: string, promoted: string | readonly string[]): string | undefined {
  const b = name.trim();
  if (b === '') return undefined;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what git refuses in ref names
  const bad = /(^[.\-/])|([/.]$)|(\.\.)|([\s~^:?*[\\\x00-\x1f\x7f])|(@\{)|(\/\/)|(\.lock$)|(\/\.)|(\.lock\/)/.test(b) || b === '@';
  if (bad) throw new ConfigurationError(`Input "deploy-branch": ${JSON.stringify(b)} is not a valid branch name`);
  if (/^(refs|heads|tags|remotes)\//.test(b) || b === 'HEAD') {
    throw new ConfigurationError(`Input "deploy-branch": ${JSON.stringify(b)} is not a branch name (give the short name, e.g. stable)`);
  }
  // The deploy branch is rewritten to old trees on a rollback: it must never be the branch people push to.
  if ([promoted].flat().includes(b)) {
    throw new ConfigurationError(`Input "deploy-branch": ${JSON.stringify(b)} is the branch this workflow runs on or the default branch (where the ledger lives); use a branch of its own, e.g. stable`);
  }
  return b;
}

export interface DeployRemote {
  /** The URL without credentials (safe to print). */
  url: string;
  username: string;
  branch: string;
}

/**
 * `deploy-remote`: an http(s) URL, optionally with a user name (`https://user@huggingface.co/spaces/user/app`),
 * never with a password (the token goes in deploy-remote-token, masked).
 */
export function validateDeployRemote(url: string, branch: string, token: string, deployBranch: string | undefined): DeployRemote | undefined {
  const u = url.trim();
  if (u === '') {
    if (token) throw new ConfigurationError('Input "deploy-remote-token": is set but deploy-remote is empty');
    return undefined;
  }
  if (!deployBranch) throw new ConfigurationError('Input "deploy-remote": needs deploy-branch (the remote receives that branch\'s commits)');
  let parsed: URL;
  try {
    parsed = new URL(u);
  } catch {
    throw new ConfigurationError('Input "deploy-remote": is not a URL (give the https:// URL of the git repository)');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new ConfigurationError(`Input "deploy-remote": must be an https:// (or http://) git URL, not ${parsed.protocol}`);
  }
  if (parsed.password) throw new ConfigurationError('Input "deploy-remote": must not carry a password; give the token in deploy-remote-token');
  if (parsed.search || parsed.hash) throw new ConfigurationError('Input "deploy-remote": must not have a query or fragment');
  const username = decodeURIComponent(parsed.username) || 'git';
  parsed.username = '';
  const b = branch.trim() || 'main';
  try {
    validateDeployBranch(b, '');
  } catch {
    throw new ConfigurationError(`Input "deploy-remote-branch": ${JSON.stringify(b)} is not a valid branch name`);
  }
  return { url: parsed.toString(), username, branch: b };
}
