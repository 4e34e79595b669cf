/**
 * Every bundle in dist/ that has no fuzzer of its own (today: the one-step rollback, root action.yml) gets the
 * same treatment on a broken main behind the GitHub stand-in: a dry run when the action has `dry-run`, one
 * hostile input at a time; success or one error line naming the input; no crash, no hang, no shell, no ref
 * moved, no issue, no write request.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, actionYmlPath, readActionYml } from '../support/action-yml.js';
import { describeInputFuzz } from './describe-input-fuzz.js';
import { revertWorld } from './revert-world.js';

const OWN_FUZZER = new Set(['promote-to-stable', 'find-last-good-commit', 'auto-revert', 'health-gate', 'health-monitor', 'open-incident-issue']);
const others = readdirSync(join(ROOT, 'dist'))
  .filter((n) => !OWN_FUZZER.has(n) && existsSync(join(ROOT, 'dist', n, 'index.js')) && existsSync(actionYmlPath(n)))
  .sort();

/** What an action needs before it does anything (the manual rollback: a person's request, main to the last good build). */
const BASE: Record<string, Record<string, string>> = { 'manual-rollback': { what: 'main', to: 'previous', reason: 'fuzzed request' } };

for (const action of others) {
  describeInputFuzz(action, () => revertWorld(action, { dryRun: 'dry-run' in (readActionYml(action).inputs ?? {}), base: BASE[action] ?? {} }));
}
