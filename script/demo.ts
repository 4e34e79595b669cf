// The demo behind script/demo: a promotion, then a rollback of :stable, against real local parts.
import { runAction } from '../test/support/harness.js';
import { startPromoteWorld } from '../test/support/promote-world.js';

const line = (s = '') => console.log(s);
const world = await startPromoteWorld();
try {
  line('greenline demo — real registry, real git remote, GitHub API stand-in; bundles run as the runner runs them');
  line(`registry ${world.registry.url} · image ${world.image}`);
  line();
  const c1 = await world.remote.commit({ 'model.py': 'VERSION = 1\n' }, 'feat: model v1');
  const b1 = await world.candidate('oci-index', c1);
  line(`1. build ${c1.slice(0, 7)} pushed as ${world.image}:${c1.slice(0, 7)}… (OCI index: amd64 + arm64 + attestation)`);
  const p1 = await world.promote({ metrics: 'accuracy=0.913, rmse=0.121' }, { sha: c1 });
  if (p1.code !== 0) throw new Error(p1.errors.join('\n'));
  line(`2. tests passed → promote-to-stable: stable, latest → ${b1.digest.slice(0, 19)}…`);

  const c2 = await world.remote.commit({ 'model.py': 'VERSION = 2\n' }, 'feat: model v2');
  const b2 = await world.candidate('docker-manifest', c2);
  const p2 = await world.promote({ metrics: 'accuracy=0.921, rmse=0.118' }, { sha: c2 });
  if (p2.code !== 0) throw new Error(p2.errors.join('\n'));
  line(`3. build ${c2.slice(0, 7)} promoted: stable ${b1.digest.slice(7, 19)} → ${b2.digest.slice(7, 19)}`);

  const back = await runAction('promote-to-stable', {
    inputs: { image: world.image, source: 'ledger:previous' },
    github: { sha: c2, token: 'ghs_promoteWorldToken0123456789', repository: 'acme/app' },
    env: { GITHUB_API_URL: world.standin.url, GITHUB_REPOSITORY: 'acme/app', GITHUB_REF: 'refs/heads/main', GITHUB_RUN_ID: '7' },
  });
  if (back.code !== 0) throw new Error(back.errors.join('\n'));
  line(`4. production looks wrong → promote-to-stable source=ledger:previous: stable back to ${b1.digest.slice(7, 19)} (⏪ Restored)`);
  line();
  line('── job summary of step 2 ──');
  line(p1.summary.trim());
  line();
  line('── ledger (docs/ML_EXPERIMENT_RESULTS.md on main) ──');
  line(((await world.ledger()) ?? '').trim());
  line();
  line('── seed one-liner on that ledger ──');
  line(`grep -B 3 "Status: ✅ Tests Passed" … | tail -1 → ${await world.oneLiner()} (newest ✅ entry)`);
  line();
  line(`where to look: tags via ${world.registry.url}/v2/${world.repository}/tags/list · git tag stable → ${(await world.remote.refs())['refs/tags/stable']}`);
} finally {
  await world.stop();
}
