/**
 * open-incident-issue on hostile input, one input at a time over a valid dry run against the GitHub stand-in
 * holding one open incident (so the update path is read too): success or one error line naming the input; no
 * crash, no hang, no shell, and nothing changed — no issue, comment or label created, no write request.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { ROOT } from '../support/action-yml.js';
import { runAction } from '../support/harness.js';
import { OWNER, REPO, TOKEN, startIncidentStandin, type IncidentStandin } from '../support/incident/standin.js';
import { RUN_TIMEOUT_MS, fuzzInputs, injectionSweep, keepsDryRun, shellCanary, type Canary, type FuzzWorld } from './support.js';

const ACTION = 'open-incident-issue';
const present = existsSync(join(ROOT, 'dist', ACTION, 'index.js'));

describe.skipIf(!present)(`${ACTION}: fuzzed inputs`, () => {
  let s: IncidentStandin;
  let canary: Canary;
  let fuzz: FuzzWorld;

  beforeAll(async () => {
    canary = shellCanary();
    s = await startIncidentStandin();
    const run = (inputs: Record<string, string>) =>
      runAction(ACTION, {
        inputs,
        env: { GITHUB_API_URL: s.url, GITHUB_REPOSITORY: `${OWNER}/${REPO}`, GITHUB_RUN_ID: '77' },
        github: { token: TOKEN, sha: 'a'.repeat(40) },
        timeoutMs: RUN_TIMEOUT_MS,
      });
    const opened = await run({});
    if (opened.outputs.operation !== 'created') throw new Error(`could not open the incident: ${opened.stdout}`);
    fuzz = {
      action: ACTION,
      // A bad token has its own tests (token-inputs.test.ts): it costs ~14 s of retries per case today.
      exclude: ['token'],
      filter: keepsDryRun,
      run: (inputs) => run({ 'dry-run': 'true', ...inputs }),
      async snapshot() {
        const st = s.standin.state;
        return {
          issues: JSON.stringify([...st.issues.values()]),
          comments: st.comments.length,
          labels: [...st.labels.keys()].sort(),
          writes: s.standin.requests.filter((r) => r.method !== 'GET').length,
        };
      },
    };
    const ok = await fuzz.run({});
    if (ok.code !== 0) throw new Error(`the base dry run fails: ${ok.stdout}`);
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
