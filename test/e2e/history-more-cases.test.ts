/**
 * Further real-world histories for issue 9 (test/support/history/more-cases.ts), run exactly as
 * history-cases.test.ts runs its table: each history built once, then find-last-good-commit and auto-revert
 * (the bundles) for method api (the stand-in over a bare repository) and method git (a workspace clone).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASES } from '../support/history/cases.js';
import { MORE_CASES } from '../support/history/more-cases.js';
import { HistoryRepo } from '../support/history/repo.js';
import { runCase } from '../support/history/run.js';
import type { Built, Method } from '../support/history/types.js';

const METHODS: Method[] = ['api', 'git'];

it('the further cases have unique names (also against the first table) and a stated expectation each', () => {
  const names = [...CASES, ...MORE_CASES].map((c) => c.name);
  expect(new Set(names).size).toBe(names.length);
  for (const c of MORE_CASES) expect(c.expect.length, c.name).toBeGreaterThan(10);
});

for (const c of MORE_CASES) {
  describe(c.name, () => {
    let h: HistoryRepo;
    let built: Built;
    beforeAll(async () => {
      h = await HistoryRepo.create();
      built = await c.build(h);
    }, 120_000);
    afterAll(async () => {
      await h?.cleanup();
    });

    for (const method of METHODS) {
      const why = c.notFor?.[method];
      if (why) {
        it.skip(`method ${method}: does not apply — ${why}`, () => undefined);
        continue;
      }
      it(`method ${method}: ${c.expect}`, async () => {
        await runCase(c, h, built, method);
      }, 240_000);
    }
  });
}
