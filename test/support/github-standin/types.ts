/**
 * Response shapes of the GitHub REST API, straight from GitHub's OpenAPI description
 * (`@octokit/openapi-types`). Every body the stand-in builds is typed with one of these, so a shape
 * mistake is a compile error rather than a test that passes against a GitHub that does not exist.
 */
import type { components, operations } from '@octokit/openapi-types';

type S = components['schemas'];
type Json200<O extends keyof operations> = operations[O] extends { responses: { 200: { content: { 'application/json': infer T } } } }
  ? T
  : never;

export type SimpleUser = S['simple-user'];
export type Repository = S['repository'];
export type BranchWithProtection = S['branch-with-protection'];
export type ShortBranch = S['short-branch'];
export type FullRepository = S['full-repository'];
export type MinimalRepository = S['minimal-repository'];
export type ContentFile = S['content-file'];
export type ContentDirectory = S['content-directory'];
export type ContentDirectoryEntry = ContentDirectory[number];
export type FileCommit = S['file-commit'];
export type GitRef = S['git-ref'];
export type GitCommit = S['git-commit'];
export type GitTree = S['git-tree'];
export type GitTreeEntry = GitTree['tree'][number];
export type ShortBlob = S['short-blob'];
export type Blob = S['blob'];
export type GitTag = S['git-tag'];
export type Commit = S['commit'];
export type CommitComparison = S['commit-comparison'];
export type DiffEntry = S['diff-entry'];
export type Verification = S['verification'];
export type CheckRun = S['check-run'];
export type CheckRunList = Json200<'checks/list-for-ref'>;
export type CombinedCommitStatus = S['combined-commit-status'];
export type SimpleCommitStatus = S['simple-commit-status'];
export type CommitStatus = S['status'];
export type Integration = NonNullable<S['nullable-integration']>;
export type PullRequest = S['pull-request'];
export type WorkflowRun = S['workflow-run'];
export type PullRequestSimple = S['pull-request-simple'];
export type Issue = S['issue'];
export type IssueComment = S['issue-comment'];
export type Label = S['label'];
export type BasicError = S['basic-error'];
export type ValidationError = S['validation-error'];
export type ValidationErrorItem = NonNullable<ValidationError['errors']>[number];
