/**
 * The manual rollback (actions/manual-rollback, what rollback.yml runs): the incident's `restored-sha` names
 * what was really restored. main's new tree only when main was reverted (auto-revert's target is also known
 * when it stopped at max-per-day or opened a pull request, and then nothing was restored yet), else the build
 * :stable now serves.
 */
import { describe, expect, it } from 'vitest';
import { restoredBuild } from '../../src/actions/manual-rollback/main.js';
import type { LedgerEntry } from '../../src/core/ledger/types.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);
const entry = (commit: string) => ({ entry: { commit, status: 'restored' } as LedgerEntry });

describe('manual rollback: restored-sha', () => {
  it.each([
    ['what=main, reverted', { reverted: true, targetSha: A }, undefined, A],
    ['what=main, stopped at max-per-day (target named, nothing restored)', { reverted: false, targetSha: A }, undefined, ''],
    ['what=main, protected: a pull request waits', { reverted: false, targetSha: A }, undefined, ''],
    ['what=image, :stable restored', undefined, entry(B), B],
    ['what=image, the restore failed half-way', undefined, { ...entry(B), failure: 'latest not moved' }, ''],
    ['what=image, the restore threw', undefined, undefined, ''],
    ['what=both, main capped, :stable restored', { reverted: false, targetSha: C }, entry(B), B],
    ['what=both, both moved: main’s tree', { reverted: true, targetSha: B }, entry(B), B],
  ] as const)('%s', (_name, revert, restored, expected) => {
    expect(restoredBuild(revert, restored)).toBe(expected);
  });
});
