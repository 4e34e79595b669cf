/**
 * Contents API: GET (JSON with base64 content, or the raw bytes with the raw media type; files over 1 MB
 * come back with `content: ""` and `encoding: "none"` in JSON, as on GitHub) and PUT (create, or update with the
 * CURRENT blob sha: 422 without it, 409 when stale; the branch moves by compare-and-swap).
 */
import { normalisePath, type TreeEntry } from '../git-backend.js';
import { basicError, HttpError, json, missingParam, notFound, person, requireObject, str, unprocessable, type StandinResponse } from '../http.js';
import { gitCommitJson, type RequestContext, type Route, type Standin } from '../shapes.js';
import type { ContentDirectoryEntry, ContentFile, FileCommit } from '../types.js';
import { isProtected, protectedBranchError, writeCommit } from './common.js';

const DOCS_GET = 'https://docs.github.com/rest/repos/contents#get-repository-content';
const DOCS_PUT = 'https://docs.github.com/rest/repos/contents#create-or-update-file-contents';
export const ONE_MB = 1024 * 1024;
export const HUNDRED_MB = 100 * ONE_MB;

/** Base64 wrapped at 60 characters with "\n", exactly as GitHub returns file content. */
export function githubBase64(data: Buffer): string {
  const b64 = data.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 60) lines.push(b64.slice(i, i + 60));
  return lines.length ? `${lines.join('\n')}\n` : '';
}

function wantsRaw(ctx: RequestContext): boolean {
  const accept = String(ctx.headers.accept ?? '');
  return /application\/vnd\.github(\.v3)?\.raw/i.test(accept);
}

function entryType(entry: TreeEntry): ContentDirectoryEntry['type'] {
  if (entry.type === 'tree') return 'dir';
  if (entry.type === 'commit') return 'submodule';
  return entry.mode === '120000' ? 'symlink' : 'file';
}

function links(s: Standin, filePath: string, sha: string, ref: string, type: string) {
  const encoded = filePath.split('/').map(encodeURIComponent).join('/');
  const self = `${s.repoApi}/contents/${encoded}?ref=${encodeURIComponent(ref)}`;
  const git = `${s.repoApi}/git/${type === 'dir' ? 'trees' : 'blobs'}/${sha}`;
  const html = `${s.repoHtml}/${type === 'dir' ? 'tree' : 'blob'}/${encodeURIComponent(ref)}/${encoded}`;
  const download = type === 'file' ? `${s.serverUrl}/raw/${s.options.owner}/${s.options.repo}/${encodeURIComponent(ref)}/${encoded}` : null;
  return { self, git, html, download };
}

function directoryEntry(s: Standin, entry: TreeEntry, filePath: string, ref: string): ContentDirectoryEntry {
  const type = entryType(entry);
  const l = links(s, filePath, entry.sha, ref, type);
  return {
    type,
    size: entry.size ?? 0,
    name: filePath.slice(filePath.lastIndexOf('/') + 1),
    path: filePath,
    sha: entry.sha,
    url: l.self,
    git_url: type === 'submodule' ? null : l.git,
    html_url: l.html,
    download_url: l.download,
    _links: { self: l.self, git: type === 'submodule' ? null : l.git, html: l.html },
  };
}

/** The file a symlink points at, when that is a normal file of the same commit (not a folder, not another link). */
async function symlinkTarget(s: Standin, commit: string, linkPath: string, link: TreeEntry): Promise<{ entry: TreeEntry; path: string } | undefined> {
  if (link.mode !== '120000') return undefined;
  const to = (await s.git.readBlob(link.sha))?.toString('utf8') ?? '';
  if (to === '' || to.startsWith('/')) return undefined;
  const parts = linkPath.split('/').slice(0, -1);
  for (const part of to.split('/')) {
    if (part === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else if (part !== '.' && part !== '') parts.push(part);
  }
  const path = parts.join('/');
  const entry = path ? await s.git.entryAt(commit, path) : null;
  return entry && entry.type === 'blob' && entry.mode !== '120000' ? { entry, path } : undefined;
}

async function getContents(ctx: RequestContext): Promise<StandinResponse> {
  const s = ctx.standin;
  let filePath = normalisePath(ctx.params.path ?? '');
  if (filePath === null) throw notFound(DOCS_GET);
  const ref = ctx.query.get('ref') || s.options.defaultBranch;
  if (await s.git.isEmpty()) throw basicError(404, 'This repository is empty.', DOCS_GET);
  const commit = await s.git.resolveCommit(ref);
  if (!commit) throw basicError(404, `No commit found for the ref ${ref}`, DOCS_GET);
  const link = await s.git.entryAt(commit, filePath);
  if (!link) throw notFound(DOCS_GET);
  // GitHub: a symlink whose target is a normal file in the repository is answered with that file's content.
  const target = await symlinkTarget(s, commit, filePath, link);
  const entry = target?.entry ?? link;
  if (target) filePath = target.path;

  if (entry.type === 'tree') {
    const children = await s.git.readTree(entry.sha);
    const list = children.map((c) => directoryEntry(s, c, filePath ? `${filePath}/${c.path}` : c.path, ref));
    if (/application\/vnd\.github\.object/i.test(String(ctx.headers.accept ?? ''))) {
      const l = links(s, filePath, entry.sha, ref, 'dir');
      return json(200, {
        type: 'dir', size: 0, name: filePath.slice(filePath.lastIndexOf('/') + 1), path: filePath, sha: entry.sha,
        url: l.self, git_url: l.git, html_url: l.html, download_url: null, _links: { self: l.self, git: l.git, html: l.html },
        entries: list,
      });
    }
    return json(200, list);
  }
  if (entry.type === 'commit') return json(200, directoryEntry(s, entry, filePath, ref));

  const size = entry.size ?? 0;
  if (wantsRaw(ctx)) {
    if (size > HUNDRED_MB) throw tooLarge();
    const data = (await s.git.readBlob(entry.sha)) ?? Buffer.alloc(0);
    return { status: 200, body: data, headers: { 'content-type': 'text/plain; charset=utf-8', etag: `"${entry.sha}"` } };
  }
  if (size > HUNDRED_MB) throw tooLarge();
  const type = entryType(entry);
  const l = links(s, filePath, entry.sha, ref, type);
  const big = size > ONE_MB;
  const data = big ? null : await s.git.readBlob(entry.sha);
  const file: ContentFile = {
    type: 'file',
    encoding: big ? 'none' : 'base64',
    size,
    name: filePath.slice(filePath.lastIndexOf('/') + 1),
    path: filePath,
    content: data ? githubBase64(data) : '',
    sha: entry.sha,
    url: l.self,
    git_url: l.git,
    html_url: l.html,
    download_url: l.download,
    _links: { self: l.self, git: l.git, html: l.html },
    ...(type === 'symlink' && data ? { target: data.toString('utf8') } : {}),
  };
  if (type === 'symlink') return json(200, { ...file, type: 'symlink' }, { etag: `"${entry.sha}"` });
  return json(200, file, { etag: `"${entry.sha}"` });
}

/** GitHub: 403 for blobs over 100 MB, even with the raw media type. */
function tooLarge(): HttpError {
  return new HttpError(403, {
    message: 'This API returns blobs up to 100 MB in size. The requested blob is too large to fetch via the API, but you can use the Git Data API to request blobs up to 100 MB in size.',
    errors: [{ resource: 'Blob', field: 'data', code: 'too_large' }],
    documentation_url: DOCS_GET,
  });
}

const BASE64_RE = /^[A-Za-z0-9+/\r\n]*={0,2}[\r\n]*$/;

async function putContents(ctx: RequestContext): Promise<StandinResponse> {
  const s = ctx.standin;
  const body = requireObject(ctx.body);
  const filePath = normalisePath(ctx.params.path ?? '');
  if (filePath === null || filePath === '') throw notFound(DOCS_PUT);
  const message = str(body, 'message');
  if (message === undefined) throw missingParam('message');
  const content = str(body, 'content');
  if (content === undefined) throw missingParam('content');
  if (!BASE64_RE.test(content)) throw unprocessable('content is not valid Base64', DOCS_PUT);
  const sha = str(body, 'sha');
  const branch = str(body, 'branch') || s.options.defaultBranch;
  const author = person(body, 'author');
  const committer = person(body, 'committer');
  const fullRef = `refs/heads/${branch}`;

  const empty = await s.git.isEmpty();
  const head = empty ? null : ((await s.git.readRef(fullRef))?.sha ?? null);
  if (!empty && head === null) throw basicError(404, `Branch ${branch} not found`, DOCS_PUT);
  const rule = isProtected(s, fullRef);
  if (rule) throw protectedBranchError(409, rule, rule.kind === 'protected' ? 'Could not update file: ' : '');

  const existing = head ? await s.git.entryAt(head, filePath) : null;
  if (existing?.type === 'tree') throw unprocessable(`${filePath} is a directory`, DOCS_PUT);
  if (existing && sha === undefined) throw missingParam('sha');
  if (sha !== undefined && existing?.sha !== sha) throw basicError(409, `${filePath} does not match ${sha}`, DOCS_PUT);

  const blob = await s.git.writeBlob(Buffer.from(content, 'base64'));
  const baseTree = head ? await s.git.peel(head, 'tree') : null;
  const tree = await s.git.buildTree(baseTree, [{ path: filePath, entry: { mode: existing?.mode ?? '100644', type: 'blob', sha: blob } }]);
  const commit = await writeCommit(s, { tree, parents: head ? [head] : [], message, author, committer });
  const cas = await s.git.casRefSettled(fullRef, commit.sha, head);
  if (!cas.ok) throw basicError(409, `is at ${cas.current ?? 'nothing'} but expected ${head ?? 'nothing'}`, DOCS_PUT);

  const l = links(s, filePath, blob, branch, 'file');
  const result: FileCommit = {
    content: {
      name: filePath.slice(filePath.lastIndexOf('/') + 1),
      path: filePath,
      sha: blob,
      size: Buffer.from(content, 'base64').length,
      url: l.self,
      html_url: l.html,
      git_url: l.git,
      download_url: l.download ?? '',
      type: 'file',
      _links: { self: l.self, git: l.git, html: l.html },
    },
    commit: gitCommitJson(s, commit),
  };
  return json(existing ? 200 : 201, result);
}

async function deleteContents(ctx: RequestContext): Promise<StandinResponse> {
  const s = ctx.standin;
  const body = requireObject(ctx.body);
  const filePath = normalisePath(ctx.params.path ?? '');
  if (filePath === null || filePath === '') throw notFound(DOCS_PUT);
  const message = str(body, 'message');
  if (message === undefined) throw missingParam('message');
  const sha = str(body, 'sha');
  if (sha === undefined) throw missingParam('sha');
  const branch = str(body, 'branch') || s.options.defaultBranch;
  const fullRef = `refs/heads/${branch}`;
  const head = (await s.git.readRef(fullRef))?.sha ?? null;
  if (head === null) throw basicError(404, `Branch ${branch} not found`, DOCS_PUT);
  const rule = isProtected(s, fullRef);
  if (rule) throw protectedBranchError(409, rule, rule.kind === 'protected' ? 'Could not delete file: ' : '');
  const existing = await s.git.entryAt(head, filePath);
  if (!existing) throw notFound(DOCS_PUT);
  if (existing.sha !== sha) throw basicError(409, `${filePath} does not match ${sha}`, DOCS_PUT);
  const baseTree = await s.git.peel(head, 'tree');
  const tree = await s.git.buildTree(baseTree, [{ path: filePath, entry: null }]);
  const commit = await writeCommit(s, { tree, parents: [head], message, author: person(body, 'author'), committer: person(body, 'committer') });
  const cas = await s.git.casRefSettled(fullRef, commit.sha, head);
  if (!cas.ok) throw basicError(409, `is at ${cas.current ?? 'nothing'} but expected ${head}`, DOCS_PUT);
  const result: FileCommit = { content: null, commit: gitCommitJson(s, commit) };
  return json(200, result);
}

export const contentsRoutes: Route[] = [
  { method: 'GET', template: '/repos/{owner}/{repo}/contents', handler: getContents },
  { method: 'GET', template: '/repos/{owner}/{repo}/contents/{path+}', handler: getContents },
  { method: 'PUT', template: '/repos/{owner}/{repo}/contents/{path+}', handler: putContents },
  { method: 'DELETE', template: '/repos/{owner}/{repo}/contents/{path+}', handler: deleteContents },
];
