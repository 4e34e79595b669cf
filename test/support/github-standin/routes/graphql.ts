/**
 * POST /graphql, for the one mutation greenline sends: `updateRefs` (the only compare-and-swap ref update
 * GitHub offers: each RefUpdate's `beforeOid` must be the ref's value, 40 zeros meaning "must not exist";
 * all updates apply atomically or none does). Errors come back as GitHub sends GraphQL errors: HTTP 200 with
 * an `errors` array. Any other operation answers with GraphQL's "doesn't exist" error.
 */
import { json, type StandinResponse } from '../http.js';
import type { RequestContext, Route } from '../shapes.js';
import { isProtected } from './common.js';

const ZERO = '0'.repeat(40);

interface RefUpdate {
  name?: unknown;
  beforeOid?: unknown;
  afterOid?: unknown;
  force?: unknown;
}

function gqlError(message: string, type = 'UNPROCESSABLE'): StandinResponse {
  return json(200, { data: { updateRefs: null }, errors: [{ type, path: ['updateRefs'], locations: [{ line: 1, column: 40 }], message }] });
}

async function graphql(ctx: RequestContext): Promise<StandinResponse> {
  const s = ctx.standin;
  const body = (ctx.body ?? {}) as { query?: unknown; variables?: { input?: { repositoryId?: unknown; refUpdates?: RefUpdate[] } } };
  const query = typeof body.query === 'string' ? body.query : '';
  if (!/\bupdateRefs\s*\(/.test(query)) {
    const field = /\{\s*(\w+)/.exec(query.replace(/^[^{]*/, ''))?.[1] ?? '?';
    return json(200, { errors: [{ extensions: { code: 'undefinedField' }, message: `Field '${field}' doesn't exist on type 'Mutation'` }] });
  }
  const input = body.variables?.input;
  if (input?.repositoryId !== 'R_kgDOstandin') return gqlError(`Could not resolve to a node with the global id of '${String(input?.repositoryId)}'`, 'NOT_FOUND');
  const updates = Array.isArray(input.refUpdates) ? input.refUpdates : [];
  // Check every update first (atomic: one refusal changes nothing), then apply with the backend's CAS.
  for (const u of updates) {
    const name = String(u.name ?? '');
    const before = String(u.beforeOid ?? '');
    const after = String(u.afterOid ?? '');
    if (!name.startsWith('refs/') || !(await s.git.isValidRefName(name))) return gqlError(`${name} is not a valid ref name`);
    if (isProtected(s, name)) return gqlError(`Cannot update protected ref ${name}`);
    const current = (await s.git.readRef(name))?.sha ?? ZERO;
    if (u.beforeOid !== undefined && before !== current) return gqlError(`A ref was updated in the meantime: ${name} is not at ${before}`);
    if (after !== ZERO && !(await s.git.objectType(after))) return gqlError(`Object ${after} does not exist`);
    if (current !== ZERO && after !== ZERO && u.force !== true && !(await s.git.isAncestor(current, after))) return gqlError(`Update of ${name} is not a fast forward`);
  }
  for (const u of updates) {
    const name = String(u.name);
    const after = String(u.afterOid);
    const before = (await s.git.readRef(name))?.sha ?? null;
    if (u.beforeOid !== undefined && (before ?? ZERO) !== String(u.beforeOid)) return gqlError(`A ref was updated in the meantime: ${name} is not at ${String(u.beforeOid)}`);
    const ok = after === ZERO ? before !== null && (await s.git.deleteRef(name, before)) : (await s.git.casRefSettled(name, after, before)).ok;
    if (!ok) return gqlError(`A ref was updated in the meantime: ${name}`);
  }
  return json(200, { data: { updateRefs: { clientMutationId: null } } });
}

export const graphqlRoutes: Route[] = [{ method: 'POST', template: '/graphql', handler: graphql }];
