/**
 * Further real-world histories for issue 9 (test/support/history/more-cases.ts), run exactly as
 * history-cases.test.ts runs its table: each history built once, then find-last-good-commit and auto-revert
 * (the bundles) for method api (the stand-in over a bare repository) and method git (a workspace clone).
 */
import { expect, it } from 'vitest';
import { CASES } from '../support/history/cases.js';
import { MORE_CASES } from '../support/history/more-cases.js';
import { describeCases } from '../support/history/run.js';

it('the further cases have unique names (also against the first table) and a stated expectation each', () => {
  const names = [...CASES, ...MORE_CASES].map((c) => c.name);
  expect(new Set(names).size).toBe(names.length);
  for (const c of MORE_CASES) expect(c.expect.length, c.name).toBeGreaterThan(10);
});

describeCases(MORE_CASES);
