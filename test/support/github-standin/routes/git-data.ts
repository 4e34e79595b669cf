/**
 * Git Data API over the bare repository: refs (get, matching, create, update with the fast-forward rule and
 * compare-and-swap, delete), commits (created "signed by GitHub" when no author/committer is given), trees
 * (base_tree, nested paths, deletions), blobs and annotated tags.
 */
import { normalisePath, type TreeChange, type TreeEntry } from '../git-backend.js';
import {
  bool,
  invalidParam,
  json,
  missingParam,
  notFound,
  person,
  requireObject,
  SHA_RE,
  str,
  unprocessable,
  type StandinResponse,
} from '../http.js';
import { gitCommitJson, identityFrom, actorIdentity, type RequestContext, type Route, type Standin } from '../shapes.js';
import { iso } from '../state.js';
import type { Blob, GitRef, GitTag, GitTree, GitTreeEntry, ShortBlob } from '../types.js';
import { githubBase64 } from './contents.js';
import { isProtected, protectedBranchError, writeCommit } from './common.js';

const DOCS_REFS = 'https://docs.github.com/rest/git/refs';
const DOCS_UPDATE_REF = 'https://docs.github.com/rest/git/refs#update-a-reference';
const DOCS_CREATE_REF = 'https://docs.github.com/rest/git/refs#create-a-reference';
const DOCS_COMMITS = 'https://docs.github.com/rest/git/commits';
const DOCS_TREES = 'https://docs.github.com/rest/git/trees';
const DOCS_BLOBS = 'https://docs.github.com/rest/git/blobs';
const DOCS_TAGS = 'https://docs.github.com/rest/git/tags';

// ------------------------------------------------------------------ refs

export function refJson(s: Standin, ref: { ref: string; sha: string; type: string }): GitRef {
  return {
    ref: ref.ref,
    node_id: `REF_${Buffer.from(ref.ref).toString('base64url')}`,
    url: `${s.repoApi}/git/${ref.ref}`,
    object: { type: ref.type, sha: ref.sha, url: `${s.repoApi}/git/${ref.type}s/${ref.sha}` },
  };
}

/** `heads/main` → `refs/heads/main`; GitHub's git/ref endpoints take the name without `refs/`. */
function fullRefOf(param: string): string {
  return `refs/${param}`;
}

async function getRef(ctx: RequestContext): Promise<StandinResponse> {
  const s = ctx.standin;
  const ref = await s.git.readRef(fullRefOf(ctx.params.ref ?? ''));
  if (!ref) throw notFound(`${DOCS_REFS}#get-a-reference`);
  return json(200, refJson(s, ref));
}

async function matchingRefs(ctx: RequestContext): Promise<StandinResponse> {
  const s = ctx.standin;
  const prefix = fullRefOf(ctx.params.ref ?? '');
  const refs = (await s.git.listRefs()).filter((r) => r.ref.startsWith(prefix));
  return json(200, refs.map((r) => refJson(s, r)));
}

/** The legacy GET git/refs/{ref}: the exact ref as an object, else the refs it prefixes as an array. */
async function legacyRefs(ctx: RequestContext): Promise<StandinResponse> {
  const s = ctx.standin;
  const wanted = fullRefOf(ctx.params.ref ?? '');
  const refs = await s.git.listRefs();
  const exact = refs.find((r) => r.ref === wanted);
  if (exact) return json(200, refJson(s, exact));
  const matching = refs.filter((r) => r.ref.startsWith(`${wanted}/`) || (ctx.params.ref ?? '') === '');
  if (matching.length === 0) throw notFound(`${DOCS_REFS}#get-a-reference`);
  return json(200, matching.map((r) => refJson(s, r)));
}

async function createRef(ctx: RequestContext): Promise<StandinResponse> {
  const s = ctx.standin;
  const body = requireObject(ctx.body);
  const ref = str(body, 'ref', true);
  const sha = str(body, 'sha', true);
  if (!ref.startsWith('refs/') || ref.split('/').length < 3 || !(await s.git.isValidRefName(ref))) {
    throw unprocessable(`${ref} is not a valid ref name.`, DOCS_CREATE_REF);
  }
  if (!SHA_RE.test(sha)) throw unprocessable('Object does not exist', DOCS_CREATE_REF);
  const type = await s.git.objectType(sha);
  if (!type) throw unprocessable('Object does not exist', DOCS_CREATE_REF);
  if (await s.git.readRef(ref)) throw unprocessable('Reference already exists', DOCS_CREATE_REF);
  const cas = await s.git.casRefSettled(ref, sha, null);
  if (!cas.ok) throw unprocessable('Reference already exists', DOCS_CREATE_REF);
  return json(201, refJson(s, { ref, sha, type }), { location: `${s.repoApi}/git/${ref}` });
}

async function updateRef(ctx: RequestContext): Promise<StandinResponse> {
  const s = ctx.standin;
  const body = requireObject(ctx.body);
  const fullRef = fullRefOf(ctx.params.ref ?? '');
  const sha = str(body, 'sha', true);
  const force = bool(body, 'force') ?? false;
  // Serialised like GitHub: re-evaluate the rules against the ref's current value whenever the CAS loses.
  for (let attempt = 0; attempt < 50; attempt++) {
    const current = await s.git.readRef(fullRef);
    if (!current) throw unprocessable('Reference does not exist', DOCS_UPDATE_REF);
    if (!SHA_RE.test(sha)) throw unprocessable('Object does not exist', DOCS_UPDATE_REF);
    const type = await s.git.objectType(sha);
    if (!type) throw unprocessable('Object does not exist', DOCS_UPDATE_REF);
    const rule = isProtected(s, fullRef);
    if (rule) throw protectedBranchError(422, rule);
    if (current.sha === sha) return json(200, refJson(s, { ref: fullRef, sha, type }));
    if (!force) {
      const ff = type === 'commit' && current.type === 'commit' && (await s.git.isAncestor(current.sha, sha));
      if (!ff) throw unprocessable('Update is not a fast forward', DOCS_UPDATE_REF);
    }
    const cas = await s.git.casRefSettled(fullRef, sha, current.sha);
    if (cas.ok) return json(200, refJson(s, { ref: fullRef, sha, type }));
  }
  throw unprocessable('Reference cannot be updated', DOCS_UPDATE_REF);
}

async function deleteRef(ctx: RequestContext): Promise<StandinResponse> {
  const s = ctx.standin;
  const fullRef = fullRefOf(ctx.params.ref ?? '');
  const current = await s.git.readRef(fullRef);
  if (!current) throw unprocessable('Reference does not exist', `${DOCS_REFS}#delete-a-reference`);
  const rule = isProtected(s, fullRef);
  if (rule) throw protectedBranchError(422, rule);
  if (!(await s.git.deleteRef(fullRef, current.sha))) throw unprocessable('Reference cannot be deleted', `${DOCS_REFS}#delete-a-reference`);
  return { status: 204 };
}

// ------------------------------------------------------------------ commits

async function getGitCommit(ctx: RequestContext): Promise<StandinResponse> {
  const s = ctx.standin;
  const sha = ctx.params.commit_sha ?? '';
  const commit = SHA_RE.test(sha) ? await s.git.readCommit(sha) : null;
  if (!commit) throw notFound(`${DOCS_COMMITS}#get-a-commit-object`);
  return json(200, gitCommitJson(s, commit));
}

async function createGitCommit(ctx: RequestContext): Promise<StandinResponse> {
  const s = ctx.standin;
  const body = requireObject(ctx.body);
  const message = str(body, 'message', true);
  const tree = str(body, 'tree', true);
  const parentsRaw = body.parents;
  if (parentsRaw !== undefined && (!Array.isArray(parentsRaw) || parentsRaw.some((p) => typeof p !== 'string'))) {
    throw invalidParam('parents', 'an array of strings', parentsRaw);
  }
  const parents = (parentsRaw ?? []) as string[];
  const author = person(body, 'author');
  const committer = person(body, 'committer');
  if (!SHA_RE.test(tree) || (await s.git.objectType(tree)) !== 'tree') throw unprocessable('Tree SHA does not exist', `${DOCS_COMMITS}#create-a-commit`);
  for (const parent of parents) {
    if (!SHA_RE.test(parent) || (await s.git.objectType(parent)) !== 'commit') {
      throw unprocessable('Parent SHA does not exist or is not a commit object', `${DOCS_COMMITS}#create-a-commit`);
    }
  }
  const commit = await writeCommit(s, { tree, parents, message, author, committer });
  return json(201, gitCommitJson(s, commit), { location: `${s.repoApi}/git/commits/${commit.sha}` });
}

// ------------------------------------------------------------------ trees

function treeEntryJson(s: Standin, e: TreeEntry): GitTreeEntry {
  const kind = e.type === 'tree' ? 'trees' : e.type === 'blob' ? 'blobs' : 'commits';
  return {
    path: e.path,
    mode: e.mode,
    type: e.type,
    sha: e.sha,
    ...(e.type === 'blob' ? { size: e.size ?? 0 } : {}),
    ...(e.type !== 'commit' ? { url: `${s.repoApi}/git/${kind}/${e.sha}` } : {}),
  };
}

async function treeJson(s: Standin, sha: string, recursive: boolean): Promise<GitTree> {
  const entries = await s.git.readTree(sha, recursive);
  return { sha, url: `${s.repoApi}/git/trees/${sha}`, tree: entries.map((e) => treeEntryJson(s, e)), truncated: false };
}

async function getTree(ctx: RequestContext): Promise<StandinResponse> {
  const s = ctx.standin;
  const sha = await s.git.resolveTree(ctx.params.tree_sha ?? '');
  if (!sha) throw notFound(`${DOCS_TREES}#get-a-tree`);
  return json(200, await treeJson(s, sha, ctx.query.has('recursive')));
}

const MODES: Record<string, TreeEntry['type']> = { '100644': 'blob', '100755': 'blob', '120000': 'blob', '040000': 'tree', '160000': 'commit' };

async function createTree(ctx: RequestContext): Promise<StandinResponse> {
  const s = ctx.standin;
  const body = requireObject(ctx.body);
  const docs = `${DOCS_TREES}#create-a-tree`;
  const baseTreeParam = str(body, 'base_tree');
  const items = body.tree;
  if (items === undefined) throw missingParam('tree');
  if (!Array.isArray(items)) throw invalidParam('tree', 'an array', items);
  let baseTree: string | null = null;
  if (baseTreeParam !== undefined) {
    if (!SHA_RE.test(baseTreeParam) || (await s.git.objectType(baseTreeParam)) === null) throw unprocessable('Invalid tree info', docs);
    baseTree = await s.git.peel(baseTreeParam, 'tree');
    if (!baseTree) throw unprocessable('Invalid tree info', docs);
  }
  const changes: TreeChange[] = [];
  for (const [index, raw] of items.entries()) {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalidParam(`tree[${index}]`, 'an object', raw);
    const item = raw as Record<string, unknown>;
    const p = typeof item.path === 'string' ? normalisePath(item.path) : null;
    if (!p) throw unprocessable(`tree.path ${JSON.stringify(item.path)} is invalid`, docs);
    const mode = item.mode;
    if (typeof mode !== 'string' || !(mode in MODES)) {
      throw unprocessable(`Invalid request.\n\nFor 'properties/mode', ${JSON.stringify(mode)} is not one of ["100644", "100755", "040000", "160000", "120000"].`, docs);
    }
    const type = (item.type ?? MODES[mode]) as string;
    if (type !== MODES[mode]) throw unprocessable(`tree.type ${JSON.stringify(type)} does not match mode ${mode}`, docs);
    const hasSha = 'sha' in item && item.sha !== undefined;
    const hasContent = 'content' in item && item.content !== undefined;
    if (hasSha && hasContent) throw unprocessable('tree.sha and tree.content cannot both be supplied', docs);
    if (!hasSha && !hasContent) throw unprocessable('Must supply either tree.sha or tree.content', docs);
    if (hasContent) {
      if (typeof item.content !== 'string') throw invalidParam(`tree[${index}].content`, 'a string', item.content);
      if (type !== 'blob') throw unprocessable('tree.content is only valid for blobs', docs);
      const sha = await s.git.writeBlob(Buffer.from(item.content, 'utf8'));
      changes.push({ path: p, entry: { mode, type: 'blob', sha } });
      continue;
    }
    if (item.sha === null) {
      changes.push({ path: p, entry: null });
      continue;
    }
    if (typeof item.sha !== 'string' || !SHA_RE.test(item.sha)) throw unprocessable(`tree.sha ${String(item.sha)} is not a valid ${type}`, docs);
    if (type !== 'commit' && (await s.git.objectType(item.sha)) !== type) throw unprocessable(`tree.sha ${item.sha} is not a valid ${type}`, docs);
    changes.push({ path: p, entry: { mode, type: type as TreeEntry['type'], sha: item.sha } });
  }
  const sha = await s.git.buildTree(baseTree, changes);
  return json(201, await treeJson(s, sha, false), { location: `${s.repoApi}/git/trees/${sha}` });
}

// ------------------------------------------------------------------ blobs

async function getBlob(ctx: RequestContext): Promise<StandinResponse> {
  const s = ctx.standin;
  const sha = ctx.params.file_sha ?? '';
  const type = SHA_RE.test(sha) ? await s.git.objectType(sha) : null;
  const data = type === 'blob' ? await s.git.readBlob(sha) : null;
  if (!data) throw notFound(`${DOCS_BLOBS}#get-a-blob`);
  if (/application\/vnd\.github(\.v3)?\.raw/i.test(String(ctx.headers.accept ?? ''))) {
    return { status: 200, body: data, headers: { 'content-type': 'application/octet-stream' } };
  }
  const blob: Blob = {
    sha,
    node_id: `B_${sha.slice(0, 12)}`,
    size: data.length,
    url: `${s.repoApi}/git/blobs/${sha}`,
    content: githubBase64(data),
    encoding: 'base64',
  };
  return json(200, blob);
}

async function createBlob(ctx: RequestContext): Promise<StandinResponse> {
  const s = ctx.standin;
  const body = requireObject(ctx.body);
  const content = str(body, 'content', true);
  const encoding = str(body, 'encoding') ?? 'utf-8';
  if (encoding !== 'utf-8' && encoding !== 'utf8' && encoding !== 'base64') {
    throw unprocessable(`encoding must be "utf-8" or "base64", not ${JSON.stringify(encoding)}`, `${DOCS_BLOBS}#create-a-blob`);
  }
  const sha = await s.git.writeBlob(Buffer.from(content, encoding === 'base64' ? 'base64' : 'utf8'));
  const blob: ShortBlob = { sha, url: `${s.repoApi}/git/blobs/${sha}` };
  return json(201, blob, { location: blob.url });
}

// ------------------------------------------------------------------ tags

async function tagJson(s: Standin, sha: string): Promise<GitTag | null> {
  const tag = await s.git.readTag(sha);
  if (!tag) return null;
  const tagger = tag.tagger ?? { name: '', email: '', time: 0, tz: '+0000' };
  return {
    node_id: `TAG_${sha.slice(0, 12)}`,
    tag: tag.tag,
    sha,
    url: `${s.repoApi}/git/tags/${sha}`,
    message: tag.message,
    tagger: { name: tagger.name, email: tagger.email, date: iso(new Date(tagger.time * 1000)) },
    object: { sha: tag.object, type: tag.type, url: `${s.repoApi}/git/${tag.type}s/${tag.object}` },
    verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null },
  };
}

async function getTag(ctx: RequestContext): Promise<StandinResponse> {
  const sha = ctx.params.tag_sha ?? '';
  const tag = SHA_RE.test(sha) ? await tagJson(ctx.standin, sha) : null;
  if (!tag) throw notFound(`${DOCS_TAGS}#get-a-tag`);
  return json(200, tag);
}

async function createTag(ctx: RequestContext): Promise<StandinResponse> {
  const s = ctx.standin;
  const body = requireObject(ctx.body);
  const tag = str(body, 'tag', true);
  const message = str(body, 'message', true);
  const object = str(body, 'object', true);
  const type = str(body, 'type', true);
  if (!['commit', 'tree', 'blob'].includes(type)) throw invalidParam('type', 'one of ["commit", "tree", "blob"]', type);
  if (!SHA_RE.test(object) || (await s.git.objectType(object)) !== type) throw unprocessable('Object does not exist', `${DOCS_TAGS}#create-a-tag-object`);
  if (!(await s.git.isValidRefName(`refs/tags/${tag}`))) throw unprocessable(`${tag} is not a valid tag name`, `${DOCS_TAGS}#create-a-tag-object`);
  const tagger = identityFrom(person(body, 'tagger'), actorIdentity(s), s.state.now());
  const sha = await s.git.mktag({ object, type, tag, tagger, message });
  const result = await tagJson(s, sha);
  return json(201, result, { location: `${s.repoApi}/git/tags/${sha}` });
}

export const gitDataRoutes: Route[] = [
  { method: 'GET', template: '/repos/{owner}/{repo}/git/ref/{ref+}', handler: getRef },
  { method: 'GET', template: '/repos/{owner}/{repo}/git/matching-refs', handler: matchingRefs },
  { method: 'GET', template: '/repos/{owner}/{repo}/git/matching-refs/{ref+}', handler: matchingRefs },
  { method: 'GET', template: '/repos/{owner}/{repo}/git/refs', handler: legacyRefs },
  { method: 'GET', template: '/repos/{owner}/{repo}/git/refs/{ref+}', handler: legacyRefs },
  { method: 'POST', template: '/repos/{owner}/{repo}/git/refs', handler: createRef },
  { method: 'PATCH', template: '/repos/{owner}/{repo}/git/refs/{ref+}', handler: updateRef },
  { method: 'DELETE', template: '/repos/{owner}/{repo}/git/refs/{ref+}', handler: deleteRef },
  { method: 'GET', template: '/repos/{owner}/{repo}/git/commits/{commit_sha}', handler: getGitCommit },
  { method: 'POST', template: '/repos/{owner}/{repo}/git/commits', handler: createGitCommit },
  { method: 'GET', template: '/repos/{owner}/{repo}/git/trees/{tree_sha+}', handler: getTree },
  { method: 'POST', template: '/repos/{owner}/{repo}/git/trees', handler: createTree },
  { method: 'GET', template: '/repos/{owner}/{repo}/git/blobs/{file_sha}', handler: getBlob },
  { method: 'POST', template: '/repos/{owner}/{repo}/git/blobs', handler: createBlob },
  { method: 'GET', template: '/repos/{owner}/{repo}/git/tags/{tag_sha}', handler: getTag },
  { method: 'POST', template: '/repos/{owner}/{repo}/git/tags', handler: createTag },
];
