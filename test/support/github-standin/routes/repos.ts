/** Repository info, branches, the authenticated user, and the search API that greenline must NOT use (410). */
import { basicError, json, paginate, type StandinResponse } from '../http.js';
import { commitJson, fullRepositoryJson, simpleUser, type RequestContext, type Route, type Standin } from '../shapes.js';
import type { BranchWithProtection, ShortBranch } from '../types.js';

function getRepo(ctx: RequestContext): StandinResponse {
  return json(200, fullRepositoryJson(ctx.standin));
}

function protection(s: Standin, branch: string) {
  const url = `${s.repoApi}/branches/${encodeURIComponent(branch)}/protection`;
  const on = s.state.protectedBranches.has(branch);
  return { url, on, body: on ? { enabled: true, url } : { enabled: false } };
}

async function listBranches(ctx: RequestContext): Promise<StandinResponse> {
  const s = ctx.standin;
  const refs = (await s.git.listRefs()).filter((r) => r.ref.startsWith('refs/heads/'));
  let branches = refs.map((r): ShortBranch => {
    const name = r.ref.slice('refs/heads/'.length);
    const p = protection(s, name);
    return { name, commit: { sha: r.sha, url: `${s.repoApi}/commits/${r.sha}` }, protected: p.on, protection: p.body, protection_url: p.url };
  });
  const wanted = ctx.query.get('protected');
  if (wanted === 'true' || wanted === 'false') branches = branches.filter((b) => b.protected === (wanted === 'true'));
  const { slice, headers } = paginate(branches, ctx.query, `${s.repoApi}/branches`);
  return json(200, slice, headers);
}

async function getBranch(ctx: RequestContext): Promise<StandinResponse> {
  const s = ctx.standin;
  const name = ctx.params.branch ?? '';
  const ref = await s.git.readRef(`refs/heads/${name}`);
  const commit = ref ? await s.git.readCommit(ref.sha) : null;
  if (!commit) throw basicError(404, 'Branch not found', 'https://docs.github.com/rest/branches/branches#get-a-branch');
  const p = protection(s, name);
  const body: BranchWithProtection = {
    name,
    commit: commitJson(s, commit),
    _links: { html: `${s.repoHtml}/tree/${name}`, self: `${s.repoApi}/branches/${encodeURIComponent(name)}` },
    protected: p.on,
    protection: p.body,
    protection_url: p.url,
  };
  return json(200, body);
}

/** GITHUB_TOKEN and app installation tokens cannot read /user on GitHub: 403, as there. */
function getUser(ctx: RequestContext): StandinResponse {
  const actor = ctx.standin.options.actor;
  if (actor.endsWith('[bot]')) throw basicError(403, 'Resource not accessible by integration', 'https://docs.github.com/rest/users/users#get-the-authenticated-user');
  return json(200, simpleUser(ctx.standin, actor));
}

function search(): StandinResponse {
  throw basicError(
    410,
    'The GitHub stand-in deliberately does not implement the search API: greenline must not use it ' +
      '(30 requests/min, and a just-created issue can take minutes to appear). List issues with labels instead.',
    'https://docs.github.com/rest/search/search',
  );
}

export const reposRoutes: Route[] = [
  { method: 'GET', template: '/repos/{owner}/{repo}', handler: getRepo },
  { method: 'GET', template: '/repos/{owner}/{repo}/branches', handler: listBranches },
  { method: 'GET', template: '/repos/{owner}/{repo}/branches/{branch+}', handler: getBranch },
  { method: 'GET', template: '/user', handler: getUser },
  { method: 'GET', template: '/search/{kind+}', handler: search },
];

