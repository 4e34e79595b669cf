import { it } from 'vitest';
import { runAction } from '../support/harness.js';
import { brokenMain, runOnFailure } from '../support/revert/scenario.js';
import { OWNER, REPO, startIncidentStandin } from '../support/incident/standin.js';
it('probe', async () => {
  const s = await brokenMain();
  const inc = await startIncidentStandin();
  for (const token of ['wrong-token', 'a\nb', 'ꬍ', '']) {
    for (const action of ['find-last-good-commit', 'auto-revert']) {
      const t = Date.now();
      const r = await runOnFailure(action, s, s.fail, { inputs: { token, ...(action === 'auto-revert' ? { 'dry-run': 'true' } : {}) } });
      console.log('PROBE', action, JSON.stringify(token), Date.now() - t, 'ms', r.code, JSON.stringify(r.errors).slice(0, 200));
    }
    const t = Date.now();
    const r = await runAction('open-incident-issue', { inputs: { token, 'dry-run': 'true' }, env: { GITHUB_API_URL: inc.url, GITHUB_REPOSITORY: `${OWNER}/${REPO}` } });
    console.log('PROBE incident', JSON.stringify(token), Date.now() - t, 'ms', r.code, JSON.stringify(r.errors).slice(0, 200));
  }
  await s.stop(); await inc.stop();
}, 300000);
