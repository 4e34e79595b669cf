import type { GitHub } from './client.js';
import { httpStatus } from './http-error.js';

/**
 * Points a lightweight git tag at a commit through the refs API: create it, or move it (tags are not
 * fast-forwarded, so the update is forced; branches are never updated this way).
 */
export async function moveTagViaApi(
  github: GitHub,
  repo: { owner: string; repo: string },
  tag: string,
  sha: string,
): Promise<'created' | 'moved' | 'unchanged'> {
  let current: string | undefined;
  try {
    const { data } = await github.rest.git.getRef({ ...repo, ref: `tags/${tag}` });
    current = data.object.sha;
  } catch (error) {
    if (httpStatus(error) !== 404) throw error;
  }
  if (current === sha) return 'unchanged';
  if (current === undefined) {
    try {
      await github.rest.git.createRef({ ...repo, ref: `refs/tags/${tag}`, sha });
      return 'created';
    } catch (error) {
      // Created by a concurrent run between our read and our write: fall through and move it.
      if (httpStatus(error) !== 422) throw error;
    }
  }
  await github.rest.git.updateRef({ ...repo, ref: `tags/${tag}`, sha, force: true });
  return 'moved';
}
