/**
 * open-incident-issue on hostile input, one input at a time over a valid dry run against the GitHub stand-in
 * holding one open incident (so the update path is read too): success or one error line naming the input; no
 * crash, no hang, no shell, and nothing changed — no issue, comment or label created, no write request.
 */
import { runAction } from '../support/harness.js';
import { OWNER, REPO, TOKEN, startIncidentStandin } from '../support/incident/standin.js';
import { describeInputFuzz } from './describe-input-fuzz.js';
import { RUN_TIMEOUT_MS, keepsDryRun } from './support.js';

const ACTION = 'open-incident-issue';

describeInputFuzz(ACTION, async () => {
  const s = await startIncidentStandin();
  const run = (inputs: Record<string, string>) =>
    runAction(ACTION, {
      inputs,
      env: { GITHUB_API_URL: s.url, GITHUB_REPOSITORY: `${OWNER}/${REPO}`, GITHUB_RUN_ID: '77' },
      github: { token: TOKEN, sha: 'a'.repeat(40) },
      timeoutMs: RUN_TIMEOUT_MS,
    });
  // An open incident first: the fuzzed dry runs then exercise the update path too.
  const opened = await run({});
  if (opened.outputs.operation !== 'created') throw new Error(`could not open the incident: ${opened.stdout}`);
  return {
    world: {
      action: ACTION,
      // A bad token has its own tests (token-inputs.test.ts, api-refused-inputs.test.ts).
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
    },
    stop: () => s.stop(),
  };
});
