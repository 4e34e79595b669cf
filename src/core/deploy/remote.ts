import { ConfigurationError } from '../action/errors.js';
import type { Git } from '../git/git.js';
import { deployBranch } from './deploy.js';
import { basicAuthEnv, GitDeployPort } from './git.js';
import type { DeployRemote } from './inputs.js';
import type { DeployOutcome, DeployWhat } from './plan.js';

export interface RemoteSyncOptions {
  git: Git;
  remote: DeployRemote;
  token: string;
  /** Brings the deploy commit into the checkout when it is not there (written through the API). */
  fetchMissing: (sha: string) => Promise<void>;
  /** Registers a value to mask (the Basic header derived from the token). */
  mask: (secret: string) => void;
  scrub: (text: string) => string;
}

/**
 * Pushes the deploy branch's commit to a second git remote (a Hugging Face Space, a Dokku or Heroku-style host)
 * by the same rules: never forced. A remote with commits of its own (a Space starts with one) gets one commit
 * of the same tree on top of its tip, parents [remote tip, deploy commit].
 */
export async function syncRemote(o: RemoteSyncOptions, deployCommit: string, what: Omit<DeployWhat, 'branch'>): Promise<DeployOutcome> {
  const auth = o.token ? basicAuthEnv(o.remote.url, o.remote.username, o.token) : undefined;
  if (auth) o.mask(auth.header);
  const scrub = (text: string) => {
    let out = o.scrub(text);
    if (auth) out = out.split(auth.header).join('***');
    if (o.token) out = out.split(o.token).join('***');
    return out;
  };
  const port = new GitDeployPort({
    git: o.git,
    remote: o.remote.url,
    describe: o.remote.url,
    ...(auth ? { env: auth.env } : {}),
    fetchMissing: o.fetchMissing,
    scrub,
  });
  try {
    return await deployBranch(port, o.remote.branch, deployCommit, what);
  } catch (error) {
    const message = scrub((error as Error).message);
    if (/Authentication failed|could not read (Username|Password)|HTTP 40[13]|returned error: 40[13]|403 Forbidden|401/i.test(message)) {
      throw new ConfigurationError(`Input "deploy-remote-token": ${o.remote.url} refused the credentials (${message})`);
    }
    (error as Error).message = message;
    throw error;
  }
}
