/**
 * find-last-good-commit on hostile input, one input at a time over a valid run (a broken main, the GitHub
 * stand-in on its bare repository, no checkout: ledger and history through the API): found or not found
 * (exit 0), or one error line naming the input; no crash, no hang, no shell, nothing written.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { ROOT } from '../support/action-yml.js';
import { brokenMain, runOnFailure, type Scenario } from '../support/revert/scenario.js';
import { RUN_TIMEOUT_MS, fuzzInputs, injectionSweep, shellCanary, type Canary, type FuzzWorld } from './support.js';

const ACTION = 'find-last-good-commit';
const present = existsSync(join(ROOT, 'dist', ACTION, 'index.js'));

describe.skipIf(!present)(`${ACTION}: fuzzed inputs`, () => {
  let s: Scenario;
  let canary: Canary;
  let fuzz: FuzzWorld;

  beforeAll(async () => {
    canary = shellCanary();
    s = await brokenMain();
    fuzz = {
      action: ACTION,
      // A bad token has its own tests (token-inputs.test.ts): it costs ~14 s of retries per case today.
      exclude: ['token'],
      run: (inputs) => runOnFailure(ACTION, s, s.fail, { inputs, timeoutMs: RUN_TIMEOUT_MS }),
      async snapshot() {
        return { refs: await s.f.refs(), apiWrites: s.api.requests.filter((r) => r.method !== 'GET').length, issues: s.api.state.issues.size };
      },
    };
    const ok = await fuzz.run({});
    if (ok.code !== 0 || ok.outputs.found !== 'true') throw new Error(`the base run does not find the good commit: ${ok.stdout}`);
  });
  afterAll(async () => {
    await s?.stop();
    canary?.cleanup();
  });

  it('no input reaches a shell: every payload in every input at once', async () => {
    await injectionSweep(fuzz, canary);
  });

  it('arbitrary strings, one input at a time: success or one line naming the input; nothing changed', async () => {
    await fuzzInputs(fuzz, canary);
  }, 170_000);
});
