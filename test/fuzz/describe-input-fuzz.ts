import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { ROOT } from '../support/action-yml.js';
import type { RunResult } from '../support/harness.js';
import { fuzzInputs, injectionSweep, shellCanary, type Canary, type FuzzWorld } from './support.js';

export interface FuzzSetup {
  /** The world every case runs in; `run({})` must be a valid base run. */
  world: FuzzWorld;
  stop(): Promise<void>;
}

/**
 * The two fuzz properties every action gets: no input reaches a shell, and any single hostile input ends in
 * a clean verdict with nothing changed. `start` builds the action's world; `baseOk` says whether the base run
 * (no fuzzed input) is what the cases start from.
 */
export function describeInputFuzz(
  action: string,
  start: () => Promise<FuzzSetup>,
  baseOk: (r: RunResult) => boolean = (r) => r.code === 0,
): void {
  const present = existsSync(join(ROOT, 'dist', action, 'index.js'));
  describe.skipIf(!present)(`${action}: fuzzed inputs`, () => {
    let setup: FuzzSetup | undefined;
    let canary: Canary;

    beforeAll(async () => {
      canary = shellCanary();
      setup = await start();
      const ok = await setup.world.run({});
      if (!baseOk(ok)) throw new Error(`the base run of ${action} is not a valid starting point: ${ok.stdout}`);
    });
    afterAll(async () => {
      await setup?.stop();
      canary?.cleanup();
    });

    it('no input reaches a shell: every payload in every input at once', async () => {
      await injectionSweep(setup!.world, canary);
    }, 120_000);

    it('arbitrary strings, one input at a time: success or one line naming the input; nothing changed', async () => {
      await fuzzInputs(setup!.world, canary);
    }, 170_000);
  });
}
