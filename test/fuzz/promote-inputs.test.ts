/**
 * promote-to-stable on hostile input, one input at a time over a valid dry run (real registry behind a
 * counting proxy, the GitHub stand-in on a real bare repository holding a ledger): success or one error line
 * naming the input, no crash, no hang, no shell, and nothing changed — no registry PUT, no tag, no ref, no
 * ledger write, no write request to the API.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { appendToLedger } from '../../src/core/ledger/append.js';
import { ROOT } from '../support/action-yml.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { startPromoteWorld, LEDGER, type PromoteWorld } from '../support/promote-world.js';
import { RUN_TIMEOUT_MS, fuzzInputs, injectionSweep, keepsDryRun, shellCanary, type Canary, type FuzzWorld } from './support.js';

const ACTION = 'promote-to-stable';
const present = existsSync(join(ROOT, 'dist', ACTION, 'index.js'));

describe.skipIf(!present)(`${ACTION}: fuzzed inputs`, () => {
  let world: PromoteWorld;
  let proxy: FaultProxy;
  let canary: Canary;
  let fuzz: FuzzWorld;

  beforeAll(async () => {
    canary = shellCanary();
    world = await startPromoteWorld();
    proxy = await startFaultProxy(world.registry.url);
    const image = `${proxy.host}/${world.repository}`;
    // A previous build in the ledger (ledger:previous has something to find) and the candidate of the head.
    const before = await world.remote.commit({ 'app.py': 'print(1)\n' }, 'earlier build');
    const previous = await world.candidate('oci-index', before);
    const ledger = appendToLedger(undefined, { status: 'passed', commit: before, image, digest: previous.digest, tags: ['stable', 'latest'], metrics: { accuracy: 0.9 } });
    const head = await world.remote.commit({ 'app.py': 'print(2)\n', [LEDGER]: ledger }, 'feature [skip ci]');
    await world.candidate('docker-list', head);
    fuzz = {
      action: ACTION,
      // A bad token has its own tests (token-inputs.test.ts): it costs ~14 s of retries per case today.
      exclude: ['token'],
      run: (inputs) => world.promote({ image, 'dry-run': 'true', ...inputs }, { sha: head, timeoutMs: RUN_TIMEOUT_MS }),
      filter: keepsDryRun,
      async snapshot() {
        return {
          refs: await world.remote.refs(),
          ledger: await world.ledger(),
          stable: await world.tagDigest('stable'),
          latest: await world.tagDigest('latest'),
          registryWrites: proxy.requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD').length,
          apiWrites: world.standin.requests.filter((r) => r.method !== 'GET').length,
        };
      },
    };
    // The base run is a valid dry run: the fuzzers below change one input at a time from here.
    const ok = await fuzz.run({});
    if (ok.code !== 0) throw new Error(`the base dry run fails: ${ok.stdout}`);
  });
  afterAll(async () => {
    await proxy?.stop();
    await world?.stop();
    canary?.cleanup();
  });

  it('no input reaches a shell: every payload in every input at once', async () => {
    await injectionSweep(fuzz, canary);
  });

  it('arbitrary strings, one input at a time: success or one line naming the input; nothing changed', async () => {
    await fuzzInputs(fuzz, canary);
  }, 170_000);
});
