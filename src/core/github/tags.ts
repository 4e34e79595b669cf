import type { GitHub } from './client.js';
import { httpStatus } from './http-error.js';


/**
 * Points a lightweight git tag at a commit through the API, compare-and-swap on the value just read:
 * - absent: REST create, which GitHub refuses (422) when the tag exists by then → `raced`;
 * - present: GraphQL `updateRefs` with `beforeOid` (the REST update has no lease: it overwrites whatever a
 *   concurrent run wrote) → a refused update whose tag no longer holds the value read is `raced`.
 * Tags are not fast-forwarded, so the update is forced; branches are never updated this way. A server without
 * `updateRefs` (GitHub Enterprise Server before 3.16) gets the REST update right after a re-read, with a
 * warning that the lease is only as good as that re-read.
 */
export async function moveTagViaApi(
  github: GitHub,
  repo: { owner: string; repo: string },
  tag: string,
  sha: string,
  warn: (message: string) => void = () => {},
): Promise<'created' | 'moved' | 'unchanged' | 'raced'> {
  const current = await readTag(github, repo, tag);
  if (current === sha) return 'unchanged';
  if (current === undefined) {
    try {
      await github.rest.git.createRef({ ...repo, ref: `refs/tags/${tag}`, sha });
      return 'created';
    } catch (error) {
      // Created by a concurrent run between our read and our write: its value stands.
      if (httpStatus(error) === 422 && (await readTag(github, repo, tag)) !== undefined) return 'raced';
      throw error;
    }
  }
  let repositoryId: string;
  try {
    const { data } = await github.rest.repos.get(repo);
    repositoryId = data.node_id;
    await github.graphql(
      `mutation($input: UpdateRefsInput!) { updateRefs(input: $input) { clientMutationId } }`,
      { input: { repositoryId, refUpdates: [{ name: `refs/tags/${tag}`, beforeOid: current, afterOid: sha, force: true }] } },
    );
    return 'moved';
  } catch (error) {
    const message = (error as Error).message ?? '';
    if (/updateRefs|UpdateRefsInput/.test(message) && /doesn't exist|not defined|undefined/i.test(message)) {
      warn(`The GitHub server has no updateRefs mutation: git tag ${tag} moved with a plain update after a re-read (no lease)`);
      if ((await readTag(github, repo, tag)) !== current) return 'raced';
      await github.rest.git.updateRef({ ...repo, ref: `tags/${tag}`, sha, force: true });
      return 'moved';
    }
    // Refused: if the tag no longer holds what we read, another run moved it (the lease worked).
    const now = await readTag(github, repo, tag);
    if (now !== current) return now === sha ? 'unchanged' : 'raced';
    throw error;
  }
}

async function readTag(github: GitHub, repo: { owner: string; repo: string }, tag: string): Promise<string | undefined> {
  try {
    const { data } = await github.rest.git.getRef({ ...repo, ref: `tags/${tag}` });
    return data.object.sha;
  } catch (error) {
    if (httpStatus(error) !== 404) throw error;
    return undefined;
  }
}

/** Why `tag` must not name a git tag: a branch of that name exists (`git-tag: main`). Undefined when free. */
export async function tagNameConflictViaApi(github: GitHub, repo: { owner: string; repo: string }, tag: string): Promise<string | undefined> {
  try {
    const { data } = await github.rest.git.getRef({ ...repo, ref: `heads/${tag}` });
    if (data.ref !== `refs/heads/${tag}`) return undefined;
  } catch (error) {
    if (httpStatus(error) === 404) return undefined;
    throw error;
  }
  return `${JSON.stringify(tag)} is the name of a branch; a tag of the same name would make "${tag}" ambiguous for git (choose another name, e.g. stable)`;
}

