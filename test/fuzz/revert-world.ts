import { brokenMain, runOnFailure } from '../support/revert/scenario.js';
import type { FuzzSetup } from './describe-input-fuzz.js';
import { RUN_TIMEOUT_MS, keepsDryRun } from './support.js';

/**
 * A broken main on the GitHub stand-in, for the actions that work on it (find-last-good-commit,
 * auto-revert, the one-step rollbacks). With `dryRun`, every case keeps `dry-run: true`; `base` holds the
 * inputs an action needs to do anything at all (each case may still replace one of them).
 */
export async function revertWorld(action: string, options: { dryRun: boolean; base?: Record<string, string> }): Promise<FuzzSetup> {
  const s = await brokenMain();
  return {
    world: {
      action,
      // A bad token has its own tests (token-inputs.test.ts, api-refused-inputs.test.ts).
      exclude: ['token'],
      ...(options.dryRun ? { filter: keepsDryRun } : {}),
      run: (inputs) => runOnFailure(action, s, s.fail, { inputs: { ...(options.dryRun ? { 'dry-run': 'true' } : {}), ...options.base, ...inputs }, timeoutMs: RUN_TIMEOUT_MS }),
      async snapshot() {
        return { refs: await s.f.refs(), apiWrites: s.api.requests.filter((r) => r.method !== 'GET').length, issues: s.api.state.issues.size };
      },
    },
    stop: () => s.stop(),
  };
}
