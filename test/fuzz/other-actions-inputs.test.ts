/**
 * Every bundle in dist/ that has no fuzzer of its own (today: the one-step rollback, root action.yml) gets the
 * same treatment on a broken main behind the GitHub stand-in: a dry run when the action has `dry-run`, one
 * hostile input at a time; success or one error line naming the input; no crash, no hang, no shell, no ref
 * moved, no issue, no write request.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { ROOT, actionYmlPath, readActionYml } from '../support/action-yml.js';
import { brokenMain, runOnFailure, type Scenario } from '../support/revert/scenario.js';
import { NUM_RUNS, RUN_TIMEOUT_MS, fuzzInputs, injectionSweep, keepsDryRun, shellCanary, type Canary, type FuzzWorld } from './support.js';

const OWN_FUZZER = new Set(['promote-to-stable', 'find-last-good-commit', 'auto-revert', 'health-gate', 'open-incident-issue']);
const others = readdirSync(join(ROOT, 'dist'))
  .filter((n) => !OWN_FUZZER.has(n) && existsSync(join(ROOT, 'dist', n, 'index.js')) && existsSync(actionYmlPath(n)))
  .sort();

describe.skipIf(others.length === 0).each(others)('%s: fuzzed inputs', (action) => {
  let s: Scenario;
  let canary: Canary;
  let fuzz: FuzzWorld;

  beforeAll(async () => {
    canary = shellCanary();
    s = await brokenMain();
    const dryRun = 'dry-run' in (readActionYml(action).inputs ?? {});
    fuzz = {
      action,
      exclude: ['token'],
      filter: keepsDryRun,
      run: (inputs) => runOnFailure(action, s, s.fail, { inputs: { ...(dryRun ? { 'dry-run': 'true' } : {}), ...inputs }, timeoutMs: RUN_TIMEOUT_MS }),
      async snapshot() {
        return { refs: await s.f.refs(), apiWrites: s.api.requests.filter((r) => r.method !== 'GET').length, issues: s.api.state.issues.size };
      },
    };
    const ok = await fuzz.run({});
    if (ok.code !== 0) throw new Error(`the base run of ${action} fails: ${ok.stdout}`);
  });
  afterAll(async () => {
    await s?.stop();
    canary?.cleanup();
  });

  it('no input reaches a shell: every payload in every input at once', async () => {
    await injectionSweep(fuzz, canary);
  }, 120_000);

  it('arbitrary strings, one input at a time: success or one line naming the input; nothing changed', async () => {
    await fuzzInputs(fuzz, canary, NUM_RUNS);
  }, 170_000);
});
