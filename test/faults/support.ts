/** Shared checks of the fault suites: what a failure must look like, and what a run must have retried. */
import { expect } from 'vitest';
import type { RunResult } from '../support/harness.js';

const STACK_FRAME = /^\s+at (?:.+ \()?(?:file:\/\/|node:|\/|<anonymous>).*:\d+(?::\d+)?\)?$/m;

/** Exit 0, no error line. */
export function expectSuccess(r: RunResult, what: string): void {
  expect(r.code, `${what}: exit ${r.code}: ${r.errors.join(' | ')}\n${r.stdout.slice(0, 3000)}\n${r.stderr.slice(0, 2000)}`).toBe(0);
  expect(r.errors).toEqual([]);
}

/** Exit 1 with exactly one error line, on one line, matching `says`; no stack trace anywhere. */
export function expectOneLineFailure(r: RunResult, says: RegExp, what: string): string {
  expect(r.code, `${what}: expected exit 1\n${r.stdout.slice(0, 3000)}`).toBe(1);
  expect(r.errors, `${what}: expected exactly one error line`).toHaveLength(1);
  const line = r.errors[0]!;
  expect(line.includes('\n')).toBe(false);
  expect(STACK_FRAME.test(r.stdout) || STACK_FRAME.test(r.stderr), `${what}: stack trace in the log`).toBe(false);
  expect(line).toMatch(says);
  return line;
}

/** How many `### ` blocks of the ledger name this commit with this status text. */
export function entriesFor(ledger: string | undefined, commit: string, status = '✅ Tests Passed'): number {
  if (!ledger) return 0;
  const blocks = ledger.split(/\n(?=### )/);
  return blocks.filter((b) => b.includes(`Commit: ${commit}`) && b.includes(`Status: ${status}`)).length;
}
