import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyStatus, newestGood, newestPassed, parseLedger } from '../../src/core/ledger/index.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../fixtures/ledger', name), 'utf8');
const brief = (text: string) => parseLedger(text).entries.map((e) => [e.line, e.status, e.commit]);

describe('parseLedger: greenline format', () => {
  const parsed = parseLedger(fixture('greenline.md'));

  it('reads every block in file order with all fields', () => {
    expect(parsed.warnings).toEqual([]);
    expect(brief(fixture('greenline.md'))).toEqual([
      [6, 'passed', '3f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39'],
      [14, 'passed', '611b29b362b480a8e6a56848f453ab8a2091e683'],
      [23, 'passed', 'dad549a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6'],
      [31, 'rolled-back', 'dad549a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6'],
      [38, 'restored', '611b29b362b480a8e6a56848f453ab8a2091e683'],
    ]);
    expect(parsed.entries[1]).toEqual({
      status: 'passed',
      statusText: '✅ Tests Passed',
      commit: '611b29b362b480a8e6a56848f453ab8a2091e683',
      timestamp: '2024-12-22T10:15:00Z',
      image: 'ghcr.io/bilalahmadsheikh/purchasing_power_ml',
      digest: `sha256:${'2'.repeat(64)}`,
      tags: ['stable', 'latest'],
      run: 'https://github.com/bilalahmadsheikh/purchasing_power_ml/actions/runs/12400123',
      metrics: { accuracy: 0.913, rmse: 0.121 },
      version: 'v1.4.0',
      line: 14,
    });
    expect(parsed.entries[3]?.reason).toBe('health-gate UNHEALTHY: p95 latency 2.4s > 1s on /predict');
  });

  it('newest passed is dad549a; skipping rolled-back commits it is 611b29b', () => {
    expect(newestPassed(parsed.entries)?.commit).toBe('dad549a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6');
    expect(newestGood(parsed.entries)?.commit).toBe('611b29b362b480a8e6a56848f453ab8a2091e683');
  });
});

describe('parseLedger: hand-written variants', () => {
  it("seed 000's format (Commit/Branch/Status lines, --- separators, a fenced example)", () => {
    const { entries, warnings } = parseLedger(fixture('seed-000.md'));
    expect(warnings).toEqual([]);
    expect(entries.map((e) => [e.line, e.status, e.commit, e.timestamp])).toEqual([
      [11, 'passed', '9c41e0d2f7a3b5c6d8e9f0a1b2c3d4e5f6a7b8c9', '2024-12-21 18:02:11 UTC'],
      [20, 'passed', '611b29b362b480a8e6a56848f453ab8a2091e683', '2024-12-22 10:15:00 UTC'],
      [30, 'failed', 'dad549a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6', '2024-12-22 13:47:52 UTC'],
    ]);
    expect(entries[1]?.metrics).toEqual({ accuracy: 0.913, rmse: 0.121 });
    expect(entries[2]?.reason).toMatch(/^Integration tests failed/);
  });

  it('**Commit:** / **Commit**: with blank lines, links, backticks, uppercase SHAs', () => {
    const { entries, warnings } = parseLedger(fixture('bold.md'));
    expect(warnings).toEqual([]);
    expect(entries.map((e) => [e.line, e.status, e.commit, e.statusText])).toEqual([
      [5, 'passed', 'a1b2c3d', '✅ Passed'],
      [15, 'passed', 'b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1', 'PASSED'],
      [22, 'rolled-back', 'c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2', 'Rolled back — drifted predictions in prod'],
    ]);
    expect(entries[0]).toMatchObject({ timestamp: '2024-11-30', metrics: { accuracy: 0.874 }, reason: 'baseline random forest' });
    expect(entries[1]).toMatchObject({ image: 'ghcr.io/acme/forecast:b2c3d4e5', metrics: { accuracy: 0.889 } });
  });

  // The first block starts at the page title: a heading starts a block, and list items follow it.
  it('- Commit: / * **Status**: / numbered lists; a repeated key starts the next block', () => {
    const { entries, warnings } = parseLedger(fixture('list.md'));
    expect(warnings).toEqual([]);
    expect(entries.map((e) => [e.line, e.status, e.commit, e.timestamp])).toEqual([
      [1, 'passed', '0a1b2c3d4e5f', '2024-10-01'],
      [8, 'failed', '1b2c3d4e5f6a', '2024-10-03'],
      [12, 'passed', '2c3d4e5f6a7b', undefined],
      [16, 'restored', '3d4e5f6a7b8c', undefined],
    ]);
    expect(entries[0]?.metrics).toEqual({ f1: 0.71, auc: 0.8 });
    expect(entries[2]?.version).toBe('2.0.0-rc1');
    expect(entries[3]?.reason).toBe('moved :stable back to 0a1b2c3');
  });

  it('tables: any column order, extra columns as metrics, links, tables without outer pipes', () => {
    const { entries, warnings } = parseLedger(fixture('table.md'));
    expect(warnings).toEqual([]);
    expect(entries.map((e) => [e.line, e.status, e.commit])).toEqual([
      [7, 'passed', '5e6f7a8'],
      [8, 'failed', '6f7a8b9c'],
      [9, 'passed', '7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b'],
      [15, 'passed', '8b9c0d1e2f3a'],
    ]);
    expect(entries[0]).toMatchObject({ timestamp: '2024-09-01', metrics: { accuracy: 0.81 }, image: 'ghcr.io/acme/model:5e6f7a8' });
    expect(entries[2]).toMatchObject({ image: 'ghcr.io/acme/model', digest: `sha256:${'4'.repeat(64)}` });
    expect(entries[3]?.reason).toBe('first model');
  });

  it('CRLF line endings and a BOM; a short SHA rolls back the full one', () => {
    const text = fixture('crlf-bom.md');
    expect(text.startsWith('\uFEFF')).toBe(true);
    expect(text).toContain('\r\n');
    const { entries, warnings } = parseLedger(text);
    expect(warnings).toEqual([]);
    expect(entries.map((e) => [e.line, e.status, e.commit, e.statusText])).toEqual([
      [3, 'passed', '9f8e7d6c5b4a39281706f5e4d3c2b1a098f7e6d5', '✅ Tests Passed'],
      [8, 'rolled-back', '9f8e7d6', '⛔ Rolled back'],
    ]);
    expect(entries[0]?.tags).toEqual(['stable']);
    expect(newestPassed(entries)?.commit).toBe('9f8e7d6c5b4a39281706f5e4d3c2b1a098f7e6d5');
    expect(newestGood(entries)).toBeUndefined();
  });
});

describe('parseLedger: unreadable blocks are warnings with line numbers', () => {
  it('reports each one where it is and keeps reading', () => {
    const { entries, warnings } = parseLedger(fixture('broken.md'));
    expect(entries.map((e) => [e.line, e.status, e.commit])).toEqual([
      [3, 'passed', 'aaaaaaa1111111'],
      [18, 'unknown', 'ccccccc3333333'],
      [30, 'passed', 'ddddddd4444444'],
    ]);
    expect(warnings.map((w) => w.line)).toEqual([8, 12, 16, 20, 23, 26]);
    expect(warnings[0]?.message).toMatch(/no Commit line/);
    expect(warnings[1]?.message).toMatch(/"not-a-sha" is not a commit SHA/);
    expect(warnings[2]?.message).toMatch(/bbbbbbb2222222 has no Status line/);
    expect(warnings[3]?.message).toMatch(/not recognised/);
    expect(warnings[4]?.message).toMatch(/Commit line has no value/);
    expect(warnings[5]?.message).toMatch(/Status column but no Commit column: its 1 row/);
  });

  it('a truncated last block is a warning, not an entry', () => {
    const text = '### ✅ abc1234 · t\nCommit: abc1234abc1234\n';
    expect(parseLedger(text)).toEqual({ entries: [], warnings: [{ line: 2, message: 'Commit abc1234abc1234 has no Status line: block ignored' }] });
  });

  it('a SHA longer than 40 or shorter than 7 hex digits is not a commit', () => {
    const w = parseLedger(`Commit: ${'a'.repeat(41)}\nStatus: passed\n\nCommit: abc12\nStatus: passed\n`).warnings;
    expect(w.map((x) => x.line)).toEqual([1, 4]);
  });

  it('a table with a Commit column but no Status column is reported', () => {
    const text = '| Commit | Accuracy |\n|---|---|\n| abc1234 | 0.9 |\n| def5678 | 0.8 |\n';
    expect(parseLedger(text)).toEqual({ entries: [], warnings: [{ line: 1, message: expect.stringMatching(/Commit column but no Status column: its 2 row/) }] });
  });

  it('prose and unrelated tables are neither entries nor warnings', () => {
    const text = '# Notes\n\nThe commit: we shipped it.\n\n| Metric | Value |\n|---|---|\n| accuracy | 0.9 |\n';
    expect(parseLedger(text)).toEqual({ entries: [], warnings: [] });
  });
});

describe('classifyStatus', () => {
  it.each([
    ['✅ Tests Passed', 'passed'],
    ['Tests Passed', 'passed'],
    ['✅ Passed', 'passed'],
    ['PASSED', 'passed'],
    ['passed (0 failed)', 'passed'],
    ['Success', 'passed'],
    ['✔️ ok', 'passed'],
    ['⛔ Rolled back', 'rolled-back'],
    ['Rolled back', 'rolled-back'],
    ['ROLLBACK', 'rolled-back'],
    ['⏪ Restored', 'restored'],
    ['Restored', 'restored'],
    ['❌ Tests Failed', 'failed'],
    ['FAILED', 'failed'],
    ['not passed', 'failed'],
    ['❔ passed maybe', 'unknown'],
    ['🤷', 'unknown'],
    ['', 'unknown'],
  ] as const)('%j → %s', (text, status) => {
    expect(classifyStatus(text)).toBe(status);
  });
});

describe('parseLedger never throws', () => {
  it('on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (s) => {
        const r = parseLedger(s);
        for (const w of r.warnings) expect(Number.isInteger(w.line) && w.line >= 1).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('on ledger-like fragments glued at random', () => {
    const piece = fc.constantFrom(
      '### ✅ 611b29b · x', 'Commit: 611b29b', 'Commit: zz', 'Status: ✅ Tests Passed', 'Status: ?', '**Commit:**', '- Status:',
      '| Commit | Status |', '|---|---|', '| 611b29b | ok |', '|', '---', '', '\r', '\uFEFF', '# t', 'Metrics: a=1,b=x', 'Image: @', 'Tags:',
    );
    fc.assert(fc.property(fc.array(piece, { maxLength: 40 }), fc.constantFrom('\n', '\r\n'), (parts, eol) => void parseLedger(parts.join(eol))), { numRuns: 500 });
  });

  it('on random bytes decoded as UTF-8, huge lines and pathological runs, quickly', () => {
    const bytes = new Uint8Array(200_000).map((_, i) => (i * 2654435761) % 251);
    const inputs = [
      Buffer.from(bytes).toString('utf8'),
      'Commit: ' + 'a'.repeat(5_000_000),
      ' '.repeat(1_000_000) + '#',
      '#' + ' '.repeat(1_000_000) + 'x',
      'Metrics: ' + 'a'.repeat(100_000),
      '**Commit' + ' '.repeat(100_000) + 'x',
      '|'.repeat(100_000) + '\n' + '|-'.repeat(50_000),
      '- - - - '.repeat(100_000) + 'x',
      '`'.repeat(100_000),
      'Status: ✅\n'.repeat(50_000),
    ];
    for (const input of inputs) expect(() => parseLedger(input)).not.toThrow();
  });
});
