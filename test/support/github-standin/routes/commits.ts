/** Commits API (one commit with files, the paginated list) and compare `{base}...{head}`. */
import type { ParsedCommit } from '../git-backend.js';
import { basicError, json, linkHeader, notFound, pageOf, type StandinResponse } from '../http.js';
import { commitJson, type RequestContext, type Route, type Standin } from '../shapes.js';
import type { Commit, CommitComparison, DiffEntry } from '../types.js';
import { commitOr422, notEmpty } from './common.js';
import { EMPTY_TREE } from '../git-backend.js';

const DOCS_COMMITS = 'https://docs.github.com/rest/commits/commits';
const MAX_FILES = 300;
const COMPARE_MAX_COMMITS = 250;

const STATUS: Record<string, DiffEntry['status']> = { A: 'added', D: 'removed', M: 'modified', T: 'changed', R: 'renamed', C: 'copied' };

async function filesBetween(s: Standin, from: string, to: string, ref: string): Promise<{ files: DiffEntry[]; additions: number; deletions: number }> {
  const diff = await s.git.diff(from, to);
  let additions = 0;
  let deletions = 0;
  const files = diff.map((d): DiffEntry => {
    additions += d.additions;
    deletions += d.deletions;
    const encoded = d.path.split('/').map(encodeURIComponent).join('/');
    return {
      sha: d.sha,
      filename: d.path,
      status: STATUS[d.status] ?? 'modified',
      additions: d.additions,
      deletions: d.deletions,
      changes: d.additions + d.deletions,
      blob_url: `${s.repoHtml}/blob/${ref}/${encoded}`,
      raw_url: `${s.repoHtml}/raw/${ref}/${encoded}`,
      contents_url: `${s.repoApi}/contents/${encoded}?ref=${ref}`,
    };
  });
  return { files: files.slice(0, MAX_FILES), additions, deletions };
}

async function fullCommit(s: Standin, commit: ParsedCommit): Promise<Commit> {
  const from = commit.parents[0] ?? EMPTY_TREE;
  const { files, additions, deletions } = await filesBetween(s, from, commit.sha, commit.sha);
  return { ...commitJson(s, commit), stats: { additions, deletions, total: additions + deletions }, files };
}

async function readInOrder(s: Standin, shas: string[]): Promise<ParsedCommit[]> {
  const map = await s.git.readCommits(shas);
  return shas.map((sha) => map.get(sha)).filter((c): c is ParsedCommit => c !== undefined);
}

async function getCommit(ctx: RequestContext): Promise<StandinResponse> {
  const s = ctx.standin;
  const sha = await commitOr422(s, ctx.params.ref ?? '');
  const commit = await s.git.readCommit(sha);
  if (!commit) throw notFound(DOCS_COMMITS);
  return json(200, await fullCommit(s, commit), { etag: `"${sha}"` });
}

async function listCommits(ctx: RequestContext): Promise<StandinResponse> {
  const s = ctx.standin;
  await notEmpty(s);
  const ref = ctx.query.get('sha') || s.options.defaultBranch;
  const head = await s.git.resolveCommit(ref);
  if (!head) throw basicError(404, `No commit found for SHA: ${ref}`, `${DOCS_COMMITS}#list-commits`);
  const selection = [head];
  const since = ctx.query.get('since');
  const until = ctx.query.get('until');
  if (since) selection.push(`--since=${since}`);
  if (until) selection.push(`--until=${until}`);
  const author = ctx.query.get('author');
  if (author) selection.push('--fixed-strings', `--author=${author}`);
  const pathFilter = ctx.query.get('path');
  const pathArgs = pathFilter ? ['--', pathFilter.replace(/^\/+/, '')] : [];
  const page = pageOf(ctx.query);
  const total = Number((await s.git.text(['rev-list', '--count', ...selection, ...pathArgs])).trim());
  const shas = await s.git.revList([`--skip=${(page.page - 1) * page.perPage}`, `--max-count=${page.perPage}`, ...selection, ...pathArgs]);
  const commits = await readInOrder(s, shas);
  const link = linkHeader(`${s.repoApi}/commits`, ctx.query, page, total);
  return json(200, commits.map((c) => commitJson(s, c)), link ? { link } : {});
}

/** `base...head`, each a sha, branch or tag, optionally `owner:branch`. */
function parseBasehead(s: Standin, basehead: string): { base: string; head: string } | null {
  const index = basehead.indexOf('...');
  if (index <= 0) return null;
  const strip = (side: string) => {
    const colon = side.indexOf(':');
    if (colon < 0) return side;
    return side.slice(0, colon).toLowerCase() === s.options.owner.toLowerCase() ? side.slice(colon + 1) : null;
  };
  const base = strip(basehead.slice(0, index));
  const head = strip(basehead.slice(index + 3));
  return base && head ? { base, head } : null;
}

async function compare(ctx: RequestContext): Promise<StandinResponse> {
  const s = ctx.standin;
  const docs = `${DOCS_COMMITS}#compare-two-commits`;
  const parsed = parseBasehead(s, ctx.params.basehead ?? '');
  if (!parsed) throw notFound(docs);
  await notEmpty(s);
  const base = await s.git.resolveCommit(parsed.base);
  const head = await s.git.resolveCommit(parsed.head);
  if (!base || !head) throw notFound(docs);
  const mergeBase = await s.git.mergeBase(base, head);
  if (!mergeBase) throw basicError(404, `No common ancestor between ${parsed.base} and ${parsed.head}.`, docs);
  const aheadBy = await s.git.countRange(base, head);
  const behindBy = await s.git.countRange(head, base);
  const status: CommitComparison['status'] =
    aheadBy > 0 && behindBy > 0 ? 'diverged' : aheadBy > 0 ? 'ahead' : behindBy > 0 ? 'behind' : 'identical';

  const all = await s.git.revList(['--topo-order', '--reverse', head, `^${base}`]);
  let selected: string[];
  const headers: Record<string, string> = {};
  if (ctx.query.has('per_page') || ctx.query.has('page')) {
    const page = pageOf(ctx.query);
    selected = all.slice((page.page - 1) * page.perPage, page.page * page.perPage);
    const link = linkHeader(`${s.repoApi}/compare/${ctx.params.basehead ?? ''}`, ctx.query, page, all.length);
    if (link) headers.link = link;
  } else {
    selected = all.slice(0, COMPARE_MAX_COMMITS);
  }
  const [baseCommit, mergeBaseCommit] = await readInOrder(s, [base, mergeBase]).then((list) => {
    const byId = new Map(list.map((c) => [c.sha, c]));
    return [byId.get(base), byId.get(mergeBase)];
  });
  if (!baseCommit || !mergeBaseCommit) throw notFound(docs);
  const commits = await readInOrder(s, selected);
  const { files } = await filesBetween(s, mergeBase, head, head);
  const basehead = `${parsed.base}...${parsed.head}`;
  const result: CommitComparison = {
    url: `${s.repoApi}/compare/${basehead}`,
    html_url: `${s.repoHtml}/compare/${basehead}`,
    permalink_url: `${s.repoHtml}/compare/${s.options.owner}:${base.slice(0, 7)}...${s.options.owner}:${head.slice(0, 7)}`,
    diff_url: `${s.repoHtml}/compare/${basehead}.diff`,
    patch_url: `${s.repoHtml}/compare/${basehead}.patch`,
    base_commit: commitJson(s, baseCommit),
    merge_base_commit: commitJson(s, mergeBaseCommit),
    status,
    ahead_by: aheadBy,
    behind_by: behindBy,
    total_commits: aheadBy,
    commits: commits.map((c) => commitJson(s, c)),
    files,
  };
  return json(200, result, headers);
}

export const commitsRoutes: Route[] = [
  { method: 'GET', template: '/repos/{owner}/{repo}/commits', handler: listCommits },
  { method: 'GET', template: '/repos/{owner}/{repo}/commits/{ref+}', handler: getCommit },
  { method: 'GET', template: '/repos/{owner}/{repo}/compare/{basehead+}', handler: compare },
];
