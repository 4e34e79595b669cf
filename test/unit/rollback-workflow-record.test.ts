/**
 * examples/workflows/rollback.yml, job `record`: the incident's `restored-sha` names what was really restored.
 * main's new tree only when auto-revert reverted main (its target-sha output is also set when it stopped at
 * max-per-day or opened a pull request, and then nothing was restored yet), else the build :stable now serves.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from '../support/action-yml.js';
import { interpolateString } from '../support/workflow/expressions.js';

interface Step { uses?: string; with?: Record<string, string> }
const wf = parse(readFileSync(join(ROOT, 'examples', 'workflows', 'rollback.yml'), 'utf8')) as { jobs: Record<string, { steps: Step[] }> };
const incidentStep = wf.jobs.record!.steps.find((s) => s.uses?.includes('/actions/open-incident-issue@'))!;

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);

function restored(needs: Record<string, { result: string; outputs: Record<string, string> }>): string {
  return interpolateString(incidentStep.with!['restored-sha'], 'step', { contexts: { needs } }, 'rollback.yml record');
}

const skipped = { result: 'skipped', outputs: {} };
describe('rollback.yml record: restored-sha', () => {
  it.each([
    ['what=main, reverted', { main: { result: 'success', outputs: { reverted: 'true', 'target-sha': A } }, stable: skipped, resolve: skipped }, A],
    ['what=main, stopped at max-per-day (target named, nothing restored)', { main: { result: 'success', outputs: { reverted: 'false', 'target-sha': A } }, stable: skipped, resolve: { result: 'success', outputs: { commit: A } } }, ''],
    ['what=main, protected: a pull request waits', { main: { result: 'success', outputs: { reverted: 'false', 'target-sha': A, 'pull-request-url': 'https://x/pull/1' } }, stable: skipped, resolve: skipped }, ''],
    ['what=image, :stable restored', { main: skipped, stable: { result: 'success', outputs: { commit: B } }, resolve: { result: 'success', outputs: { commit: B } } }, B],
    ['what=image, the restore failed', { main: skipped, stable: { result: 'failure', outputs: {} }, resolve: { result: 'success', outputs: { commit: B } } }, ''],
    ['what=both, main capped, :stable restored', { main: { result: 'success', outputs: { reverted: 'false', 'target-sha': C } }, stable: { result: 'success', outputs: { commit: B } }, resolve: { result: 'success', outputs: { commit: B } } }, B],
  ])('%s', (_name, needs, expected) => {
    expect(restored(needs)).toBe(expected);
  });
});
