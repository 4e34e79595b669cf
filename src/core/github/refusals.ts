/**
 * How GitHub says no, read from its real answers (the REST docs list only the status codes; the texts come
 * from GitHub's own error bodies as clients report them, see /work/shared/REFERENCE.md):
 *   PATCH git/refs on a protected branch     422 "Changes must be made through a pull request."
 *   … under a ruleset                        422 "Repository rule violations found\n\n<rules>\n\n"
 *   … with required checks / reviews         422 "Required status check \"ci\" is expected." / "… approving review …"
 *   a ref update that is not a fast forward  422 "Update is not a fast forward"
 *   POST git/refs for an existing ref        422 "Reference already exists"
 *   a second pull request for head → base    422 "Validation Failed", errors[0].message "A pull request already exists for owner:branch."
 *   a secondary rate limit                   403 or 429 "You have exceeded a secondary rate limit …"
 */
import { httpStatus } from './http-error.js';

interface ErrorBody {
  message?: unknown;
  errors?: unknown;
}

/**
 * The whole of GitHub's refusal: the body's `message`, followed by each `errors[].message` (or code and field)
 * of a 422 "Validation Failed", where the actual reason lives.
 */
export function githubErrorText(error: unknown): string {
  const e = error as { message?: unknown; response?: { data?: unknown } } | undefined;
  const data = e?.response?.data;
  if (data && typeof data === 'object') {
    const body = data as ErrorBody;
    const reasons = Array.isArray(body.errors)
      ? body.errors.map((item: unknown) => {
          if (typeof item === 'string') return item;
          const i = (item ?? {}) as { message?: unknown; code?: unknown; field?: unknown; resource?: unknown };
          if (typeof i.message === 'string' && i.message) return i.message;
          return [i.resource, i.field, i.code].filter((x) => typeof x === 'string' && x).join(' ');
        })
      : [];
    const message = typeof body.message === 'string' ? body.message.trim() : '';
    const parts = [message, ...reasons.filter(Boolean)].filter(Boolean);
    if (parts.length) return parts.join(': ');
  }
  if (typeof data === 'string' && data.trim()) return data.trim();
  return typeof e?.message === 'string' ? e.message : String(error);
}

/** Branch protection or a ruleset refusing a direct update (API texts and git's GH006 / GH013). */
const BRANCH_RULE =
  /changes must be made through a pull request|protected branch|repository rule violation|GH006|GH013|required status checks? .*(expected|failing|pending)|status checks? .* (is|are) expected|approving reviews?|review is required|cannot force-push|must have verified signatures|linear history|merge queue/i;

export function isBranchRuleRefusal(text: string): boolean {
  return BRANCH_RULE.test(text);
}

/** A primary or secondary rate limit answer (403 or 429) that the throttling plugin gave up on. */
export function isRateLimited(error: unknown, text = githubErrorText(error)): boolean {
  const status = httpStatus(error);
  return status === 429 || (status === 403 && /rate limit/i.test(text));
}

/** GitHub's 422 for a second open pull request with the same head and base. */
export function isDuplicatePullRequest(error: unknown): boolean {
  return httpStatus(error) === 422 && /a pull request already exists for/i.test(githubErrorText(error));
}

/** GitHub's 422 for creating a ref that is already there. */
export function isExistingRef(error: unknown): boolean {
  return httpStatus(error) === 422 && /reference already exists/i.test(githubErrorText(error));
}
