// Promotion to 2 tags of a 3-manifest OCI index (2 platforms + attestation) through a proxy adding 40 ms per
// request — a registry across the internet — against `skopeo copy --all --preserve-digests` doing the same.
// Both clocks run from process start to process exit (the harness resolves on the child's 'close'): a socket
// left open that keeps the process alive after the work is done is counted, as the runner waits for it too.
import { startFaultProxy } from '../test/support/fault-proxy.js';
import { runAction } from '../test/support/harness.js';
import { startPromoteWorld } from '../test/support/promote-world.js';
import { pushFixture, startRegistry } from '../test/support/registry.js';
import type { Bench } from './types.js';
import { median, ms, runCommand } from './support/timing.js';

const bench: Bench = async ({ quick }) => {
  const registry = await startRegistry();
  const proxy = await startFaultProxy(registry.url, { latencyMs: quick ? 5 : 40 });
  try {
    const repository = 'bench/app';
    const fixture = await pushFixture(registry, 'oci-index', { repository, tag: 'candidate' });
    const image = `${proxy.host}/${repository}`;
    const runs = quick ? 1 : 5;

    let requests = 0;
    const greenline = await median(runs, async () => {
      const before = proxy.requests.length;
      const r = await runAction('promote-to-stable', {
        inputs: { image, source: fixture.digest, tags: 'stable,latest', 'ledger-write': 'none', 'git-tag': '', password: '' },
      });
      if (r.code !== 0) throw new Error(`promote failed: ${r.errors.join('; ')}`);
      requests = proxy.requests.slice(before).filter((q) => q.path.includes('/manifests/')).length;
    });

    let skopeoRequests = 0;
    const skopeo = await median(runs, async () => {
      const before = proxy.requests.length;
      for (const tag of ['stable-skopeo', 'latest-skopeo']) {
        await runCommand('skopeo', ['copy', '--all', '--preserve-digests', '--src-tls-verify=false', '--dest-tls-verify=false', '--quiet', `docker://${image}@${fixture.digest}`, `docker://${image}:${tag}`]);
      }
      skopeoRequests = proxy.requests.length - before;
    });

    const withLedger = await requestsWithLedger();
    return [
      { bench: 'promote', metric: 'process start → exit, 2 tags, 3-manifest index, +40 ms/request', value: ms(greenline), peer: `skopeo copy --all: ${ms(skopeo)}`, ratio: skopeo / greenline, goal: '≥ 6× faster', met: skopeo / greenline >= 6 },
      { bench: 'promote', metric: 'registry manifest requests per promotion, 2 tags (the ledger written, as by default)', value: String(withLedger), peer: `skopeo: ${skopeoRequests} requests`, goal: '1 + tags', met: withLedger <= 1 + 2 },
      { bench: 'promote', metric: '(informative) the same with ledger-write: none (previous-digest then needs one HEAD)', value: String(requests), peer: `skopeo: ${skopeoRequests} requests`, goal: 'informative' },
    ];
  } finally {
    await proxy.stop();
    await registry.stop();
  }
};
export default bench;

/**
 * Manifest requests of a promotion as it runs by default: a tag source, the ledger read and written through
 * the GitHub stand-in. The second promotion is counted (the first has no ledger entry for stable yet).
 */
async function requestsWithLedger(): Promise<number> {
  const world = await startPromoteWorld({ checkSchema: false }); // greenline's timings, not the schema checks'
  try {
    let count = 0;
    for (const label of ['first', 'second']) {
      const sha = await world.remote.commit({ [`${label}.txt`]: label }, label);
      await world.candidate('oci-index', sha);
      const before = (await world.registry.accessLog()).length;
      const r = await world.promote({ 'git-tag': '' }, { sha });
      if (r.code !== 0) throw new Error(`promote failed: ${r.errors.join('; ')}`);
      count = (await world.registry.accessLog()).slice(before).filter((e) => e.path.includes('/manifests/')).length;
    }
    return count;
  } finally {
    await world.stop();
  }
}
