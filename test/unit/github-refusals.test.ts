import { RequestError } from '@octokit/request-error';
import { describe, expect, it } from 'vitest';
import { githubErrorText, isBranchRuleRefusal, isDuplicatePullRequest, isExistingRef, isRateLimited } from '../../src/core/github/refusals.js';

/** An Octokit RequestError carrying GitHub's answer, as the client throws it. */
function refusal(status: number, data: unknown): RequestError {
  return new RequestError(typeof data === 'object' && data && 'message' in data ? String((data as { message: unknown }).message) : 'x', status, {
    request: { method: 'PATCH', url: 'https://api.github.com/repos/o/r/git/refs/heads%2Fmain', headers: {} },
    response: { status, url: '', headers: {}, data },
  });
}

const DOCS = 'https://docs.github.com/rest';

describe("GitHub's refusals, as greenline reads them", () => {
  it.each([
    ['classic protection', 'Changes must be made through a pull request.', true],
    ['a ruleset', 'Repository rule violations found\n\nChanges must be made through a pull request.\n\n', true],
    ['required checks', 'Required status check "ci" is expected.', true],
    ['required checks (contents API)', 'Could not update file: 2 of 2 required status checks are expected. Changes must be made through a pull request.', true],
    ['reviews', 'At least 1 approving review is required by reviewers with write access.', true],
    ['git push, classic', 'GH006: Protected branch update failed for refs/heads/main.', true],
    ['git push, ruleset', 'GH013: Repository rule violations found for refs/heads/main.', true],
    ['not a fast forward', 'Update is not a fast forward', false],
    ['a missing permission', 'Resource not accessible by integration', false],
    ['a stale sha', 'docs/LEDGER.md does not match 0123abc', false],
  ])('%s: protected = %s', (_what, text, expected) => {
    expect(isBranchRuleRefusal(text)).toBe(expected);
  });

  it('reads the reason of a 422 "Validation Failed" from errors[].message: the duplicate pull request', () => {
    const error = refusal(422, {
      message: 'Validation Failed',
      errors: [{ resource: 'PullRequest', code: 'custom', message: 'A pull request already exists for acme:greenline/revert-abc1234.' }],
      documentation_url: `${DOCS}/pulls/pulls#create-a-pull-request`,
      status: '422',
    });
    expect(githubErrorText(error)).toBe('Validation Failed: A pull request already exists for acme:greenline/revert-abc1234.');
    expect(isDuplicatePullRequest(error)).toBe(true);
    expect(isDuplicatePullRequest(refusal(422, { message: 'Validation Failed', errors: [{ resource: 'PullRequest', code: 'custom', message: 'No commits between main and x' }] }))).toBe(false);
    // An item without a message says what it is from its resource, field and code.
    expect(githubErrorText(refusal(422, { message: 'Validation Failed', errors: [{ resource: 'PullRequest', field: 'head', code: 'invalid' }] }))).toBe('Validation Failed: PullRequest head invalid');
  });

  it('knows "Reference already exists" and rate limits (403 with the words, any 429)', () => {
    expect(isExistingRef(refusal(422, { message: 'Reference already exists', documentation_url: DOCS }))).toBe(true);
    expect(isExistingRef(refusal(422, { message: 'Update is not a fast forward' }))).toBe(false);
    expect(isRateLimited(refusal(403, { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' }))).toBe(true);
    expect(isRateLimited(refusal(429, { message: 'Too many requests' }))).toBe(true);
    expect(isRateLimited(refusal(403, { message: 'Resource not accessible by integration' }))).toBe(false);
  });

  it('falls back to the error message when there is no body', () => {
    expect(githubErrorText(new Error('socket hang up'))).toBe('socket hang up');
  });
});
