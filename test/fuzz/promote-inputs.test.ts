/**
 * promote-to-stable on hostile input, one input at a time over a valid dry run (real registry behind a
 * counting proxy, the GitHub stand-in on a real bare repository holding a ledger): success or one error line
 * naming the input, no crash, no hang, no shell, and nothing changed — no registry PUT, no tag, no ref, no
 * ledger write, no write request to the API.
 */
import { appendToLedger } from '../../src/core/ledger/append.js';
import { startFaultProxy } from '../support/fault-proxy.js';
import { startPromoteWorld, LEDGER } from '../support/promote-world.js';
import { describeInputFuzz } from './describe-input-fuzz.js';
import { RUN_TIMEOUT_MS, keepsDryRun, type FuzzWorld } from './support.js';

describeInputFuzz('promote-to-stable', async () => {
  const promote = await startPromoteWorld();
  const proxy = await startFaultProxy(promote.registry.url);
  const image = `${proxy.host}/${promote.repository}`;
  // A previous build in the ledger (ledger:previous has something to find) and the candidate of the head.
  const before = await promote.remote.commit({ 'app.py': 'print(1)\n' }, 'earlier build');
  const previous = await promote.candidate('oci-index', before);
  const ledger = appendToLedger(undefined, { status: 'passed', commit: before, image, digest: previous.digest, tags: ['stable', 'latest'], metrics: { accuracy: 0.9 } });
  const head = await promote.remote.commit({ 'app.py': 'print(2)\n', [LEDGER]: ledger }, 'feature [skip ci]');
  await promote.candidate('docker-list', head);
  const fuzz: FuzzWorld = {
    action: 'promote-to-stable',
    // A bad token has its own tests (token-inputs.test.ts, api-refused-inputs.test.ts).
    exclude: ['token'],
    run: (inputs) => promote.promote({ image, 'dry-run': 'true', ...inputs }, { sha: head, timeoutMs: RUN_TIMEOUT_MS }),
    filter: keepsDryRun,
    async snapshot() {
      return {
        refs: await promote.remote.refs(),
        ledger: await promote.ledger(),
        stable: await promote.tagDigest('stable'),
        latest: await promote.tagDigest('latest'),
        registryWrites: proxy.requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD').length,
        apiWrites: promote.standin.requests.filter((r) => r.method !== 'GET').length,
      };
    },
  };
  return {
    world: fuzz,
    stop: async () => {
      await proxy.stop();
      await promote.stop();
    },
  };
});
