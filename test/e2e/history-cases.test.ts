/**
 * Issue 9's "Done when": real-world histories, each run against the bundles for method api (the stand-in over
 * a bare repository, no checkout) and method git (a workspace clone whose origin is the bare remote), with
 * what a careful release engineer expects. The table is test/support/history/cases.ts; each history is built
 * once and copied for each method, so a failure names the case and the method.
 */
import { describe, expect, it } from 'vitest';
import { CASES } from '../support/history/cases.js';
import { HistoryRepo } from '../support/history/repo.js';
import { describeCases, runCase } from '../support/history/run.js';

it('the table has at least 36 cases with unique names and a stated expectation each', () => {
  expect(CASES.length).toBeGreaterThanOrEqual(36);
  expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  for (const c of CASES) expect(c.expect.length, c.name).toBeGreaterThan(10);
});

describeCases(CASES);

/**
 * The one-step rollback (root action.yml) runs the same find and revert: the same outcome for the same
 * histories (a few representative ones, method api, to keep the suite fast).
 */
const ROLLBACK_CASES = [
  'linear history',
  'greenline revert, then an empty "retrigger CI" commit fails',
  "promote-to-stable's [skip ci] ledger-only commits land on top of the failing commit",
  "someone else's commit on top of the failing commit",
  'daily cap: 3 greenline reverts in 24 h, then a commit with a 40-day-old committer date',
  'develop (with its own ✅ builds) merged --no-ff into main, the merge fails',
];

describe('one-step rollback, same histories', () => {
  for (const name of ROLLBACK_CASES) {
    const c = CASES.find((x) => x.name === name);
    it(`${name}: outcome ${c?.outcome}`, async () => {
      expect(c, name).toBeDefined();
      const h = await HistoryRepo.create();
      try {
        await runCase(c!, h, await c!.build(h), 'api', 'rollback');
      } finally {
        await h.cleanup();
      }
    }, 240_000);
  }
});

