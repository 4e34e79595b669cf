import { afterEach, describe, expect, it } from 'vitest';
import { startGitHubStandin, type GitHubStandin } from '../support/github-standin/index.js';
import { HistoryRepo, LEDGER } from '../support/history/repo.js';

const TOKEN = 'ghs_symlink_test';

/**
 * GitHub's contents API answers a symlink whose target is a normal file with that file's content (and a
 * symlink to anything else as a symlink): the history-cases suite's symlinked ledger depends on it.
 */
describe('stand-in contents API and symlinks', () => {
  const open: { h: HistoryRepo; s: GitHubStandin }[] = [];
  afterEach(async () => {
    for (const { h, s } of open.splice(0)) {
      await s.stop();
      await h.cleanup();
    }
  });

  it('a symlink to a file is answered with the file; a symlink to a folder or outside the repository is a symlink', async () => {
    const h = await HistoryRepo.create();
    const sha = await h.commit('initial', {
      'ledger/results.md': '# results\n',
      [LEDGER]: { symlink: '../ledger/results.md' },
      'docs/all': { symlink: '../ledger' },
      'docs/outside': { symlink: '../../etc/passwd' },
    });
    await h.publish();
    const s = await startGitHubStandin({ owner: 'owner', repo: 'app', bareRepoPath: h.bare, token: TOKEN });
    open.push({ h, s });
    const get = async (path: string) => {
      const r = await fetch(`${s.url}/repos/owner/app/contents/${path}?ref=${sha}`, { headers: { authorization: `token ${TOKEN}` } });
      return (await r.json()) as { type: string; path: string; content?: string; target?: string };
    };
    const file = await get(LEDGER);
    expect(file.type).toBe('file');
    expect(file.path).toBe('ledger/results.md');
    expect(Buffer.from(file.content ?? '', 'base64').toString()).toBe('# results\n');
    expect(await get('docs/all')).toMatchObject({ type: 'symlink', target: '../ledger' });
    expect(await get('docs/outside')).toMatchObject({ type: 'symlink', target: '../../etc/passwd' });
  });
});
