import { describe, expect, it } from 'vitest';
import { classifyStatus, parseLedger } from '../../src/core/ledger/index.js';
import { statusVerdict } from '../../src/core/ledger/status.js';

// Status words and commit cells as people write them in a hand-kept ledger: a wrong "passed" would make
// find-last-good-commit answer a broken build, so negations and zero counts are read for what they say.
describe('hand-written status words', () => {
  it.each([
    ['did not pass', 'failed'],
    ['Tests did not pass', 'failed'],
    ["didn't pass", 'failed'],
    ['Didn’t pass', 'failed'],
    ['Not OK', 'failed'],
    ['not ok 3 - model loads', 'failed'],
    ['Not passing', 'failed'],
    ['never passed', 'failed'],
    ['has not yet passed', 'failed'],
    ['Passed: no', 'failed'],
    ['Tests Passed: false', 'failed'],
    ['passed=false', 'failed'],
    ['0 failed, 120 passed', 'passed'],
    ['Tests: 120 passed, 0 failed', 'passed'],
    ['passed (no failures)', 'passed'],
    ['no failures', 'unknown'],
    ['3 failed, 117 passed', 'failed'],
    ['✅ Passed (after retry)', 'passed'],
    ['Passed ✅', 'passed'],
    ['OK', 'passed'],
    ['Pending', 'unknown'],
    // Any negative marker makes a status not a pass, wherever it stands (issue: hand-edited statuses).
    ['~~✅ Tests Passed~~ ⛔ Rolled back', 'rolled-back'],
    ['~~✅ Tests Passed~~', 'failed'],
    ['<del>✅ Tests Passed</del>', 'failed'],
    ['✅ Tests Passed (later rolled back)', 'rolled-back'],
    ['✅ Tests Passed — reverted', 'rolled-back'],
    ['118 passing, 2 failing', 'failed'],
    ['120 passing, 0 failing', 'passed'],
    ['✅ build ❌ tests', 'failed'],
    ['✅ Passed, lint errors', 'failed'],
    ['failures: 0, passed', 'passed'],
    ['UNSTABLE', 'failed'],
    ['Stable', 'passed'],
    ['Cancelled', 'unknown'],
  ] as const)('%s → %s', (text, status) => {
    expect(classifyStatus(text)).toBe(status);
  });
});

describe('hand-written commit cells', () => {
  const full = '611b29b362b480a8e6a56848f453ab8a2091e683';
  it.each([
    [`Commit: https://github.com/acme/app/commit/${full}`, full],
    [`Commit: <https://github.com/acme/app/commit/${full}>`, full],
    [`**Commit:** https://gitlab.com/acme/app/-/commit/${full.slice(0, 12)}`, full.slice(0, 12)],
    ['Commit: 611b29b…', '611b29b'],
    ['Commit: 611b29b...', '611b29b'],
  ])('%s', (line, sha) => {
    const { entries, warnings } = parseLedger(`${line}\nStatus: ✅ Passed\n`);
    expect(warnings).toEqual([]);
    expect(entries.map((e) => e.commit)).toEqual([sha]);
  });

  it('a URL that names no commit is still a warning, never a guess', () => {
    const { entries, warnings } = parseLedger('Commit: https://github.com/acme/app/pull/12\nStatus: ✅ Passed\n');
    expect(entries).toEqual([]);
    expect(warnings).toEqual([{ line: 1, message: expect.stringMatching(/is not a commit SHA/) }]);
  });

  it('"Test result:" is a status line', () => {
    expect(parseLedger('Commit: 611b29b\nTest result: passed\n').entries).toMatchObject([{ commit: '611b29b', status: 'passed' }]);
  });
});

describe('a build written as a heading alone', () => {
  it('is not an entry, but a warning on its line says how to write it', () => {
    const text = ['# Builds', '', '## 611b29b ✅ Passed', '', '## Notes for 2024', 'some prose', '', '## 5d3c2e1a Tests failed', ''].join('\n');
    const parsed = parseLedger(text);
    expect(parsed.entries).toEqual([]);
    expect(parsed.warnings.map((w) => w.line)).toEqual([3, 8]);
    expect(parsed.warnings[0]!.message).toMatch(/^heading "611b29b ✅ Passed" names commit 611b29b but the block has no Commit and Status lines: .*"Commit: 611b29b"/);
    expect(parsed.warnings[1]!.message).toMatch(/^heading "5d3c2e1a Tests failed" names commit 5d3c2e1 /);
  });

  it('greenline\'s own headings, which have their fields, warn about nothing', () => {
    const sha = '611b29b362b480a8e6a56848f453ab8a2091e683';
    const text = [`### ✅ 611b29b · 2024-12-22T10:15:00Z`, `Commit: ${sha}`, 'Status: ✅ Tests Passed', ''].join('\n');
    expect(parseLedger(text)).toMatchObject({ warnings: [], entries: [{ commit: sha, status: 'passed' }] });
  });
});

describe('the marker that decided a status', () => {
  it.each([
    ['118 passing, 2 failing', 'failed', 'failing'],
    ['~~✅ Tests Passed~~ ⛔ Rolled back', 'rolled-back', '⛔'],
    ['~~✅ Tests Passed~~', 'failed', 'strike-through'],
    ['✅ Tests Passed (later rolled back)', 'rolled-back', 'rolled back'],
    ['✅ build ❌ tests', 'failed', '❌'],
    ['✅ Tests Passed', 'passed', '✅'],
  ] as const)('%s → %s by %s', (text, status, word) => {
    expect(statusVerdict(text)).toEqual({ status, word });
  });
});
