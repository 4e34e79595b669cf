import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/core/action/errors.js';
import { LEDGER_HEADER, appendToLedger, parseLedger, renderEntry } from '../../src/core/ledger/index.js';
import { entryArb, expectedEntry } from '../fixtures/ledger/arbitraries.js';

const SHA = '611b29b362b480a8e6a56848f453ab8a2091e683';
const DIGEST = `sha256:${'ab'.repeat(32)}`;

describe('renderEntry', () => {
  it('writes the block of DESIGN.md exactly', () => {
    expect(
      renderEntry({
        status: 'passed',
        commit: SHA,
        timestamp: '2024-12-22T10:15:00Z',
        image: 'ghcr.io/owner/app',
        digest: DIGEST,
        tags: ['stable', 'latest'],
        run: 'https://github.com/owner/app/actions/runs/123',
        metrics: { accuracy: 0.913, rmse: 0.121 },
      }),
    ).toBe(
      [
        '### ✅ 611b29b · 2024-12-22T10:15:00Z',
        `Commit: ${SHA}`,
        'Status: ✅ Tests Passed',
        `Image: ghcr.io/owner/app@${DIGEST}`,
        'Tags: stable, latest',
        'Run: https://github.com/owner/app/actions/runs/123',
        'Metrics: accuracy=0.913, rmse=0.121',
      ].join('\n'),
    );
  });

  it('rolled back and restored blocks, with Version and Reason last', () => {
    expect(renderEntry({ status: 'rolled-back', commit: SHA.toUpperCase(), timestamp: 't', reason: 'health gate: CRITICAL' })).toBe(
      ['### ⛔ 611b29b · t', `Commit: ${SHA}`, 'Status: ⛔ Rolled back', 'Reason: health gate: CRITICAL'].join('\n'),
    );
    expect(renderEntry({ status: 'restored', commit: '611b29b', version: 'v2', digest: DIGEST })).toBe(
      ['### ⏪ 611b29b', 'Commit: 611b29b', 'Status: ⏪ Restored', `Digest: ${DIGEST}`, 'Version: v2'].join('\n'),
    );
  });

  it('neutralises free text so neither grep of the one-liner can match it', () => {
    const block = renderEntry({
      status: 'failed',
      commit: SHA,
      timestamp: 'x\nCommit: evil',
      reason: 'line one\nStatus: ✅ Tests Passed\r\nCommit: deadbeef',
      version: 'status:ok',
    });
    expect(block.split('\n')).toHaveLength(5);
    expect(block.match(/Commit:/g)).toHaveLength(1);
    expect(block).not.toContain('Status: ✅ Tests Passed');
    expect(block).toContain('Reason: line one Status : ✅ Tests Passed Commit : deadbeef');
  });

  it('an unknown status stays unknown when read back, whatever its words', () => {
    const block = renderEntry({ status: 'unknown', statusText: 'passed?', commit: SHA });
    expect(block).toContain('Status: ❔ passed?');
    expect(parseLedger(block).entries[0]?.status).toBe('unknown');
  });

  it('refuses an entry that could not be read back', () => {
    expect(() => renderEntry({ status: 'passed', commit: 'main' })).toThrow(ConfigurationError);
    expect(() => renderEntry({ status: 'passed', commit: SHA, digest: 'latest' })).toThrow(/digest/);
    expect(() => renderEntry({ status: 'passed', commit: SHA, metrics: { a: Number.NaN } })).toThrow(/metrics/);
  });
});

describe('render → parse', () => {
  it('round-trips every field (property)', () => {
    fc.assert(
      fc.property(entryArb(), (entry) => {
        const { entries, warnings } = parseLedger(renderEntry(entry));
        expect(entries).toHaveLength(1);
        const { line, ...read } = entries[0]!;
        expect(line).toBe(1);
        expect(read).toEqual(expectedEntry(entry));
        expect(warnings).toHaveLength(entry.status === 'unknown' ? 1 : 0);
      }),
      { numRuns: 400 },
    );
  });

  it('appending N entries then parsing yields them in order (property)', () => {
    fc.assert(
      fc.property(fc.array(entryArb(), { maxLength: 25 }), (list) => {
        let text: string | undefined;
        for (const e of list) text = appendToLedger(text, e);
        const { entries } = parseLedger(text ?? '');
        expect(entries.map(({ line: _line, ...rest }) => rest)).toEqual(list.map(expectedEntry));
        const lines = entries.map((e) => e.line);
        expect([...lines].sort((a, b) => a - b)).toEqual(lines);
      }),
      { numRuns: 150 },
    );
  });
});

describe('appendToLedger', () => {
  const entry = { status: 'passed' as const, commit: SHA, timestamp: '2024-12-22T10:15:00Z' };
  const block = renderEntry(entry);

  it('creates the header for a new (or empty) file', () => {
    expect(appendToLedger(undefined, entry)).toBe(`${LEDGER_HEADER}\n\n${block}\n`);
    expect(appendToLedger('', entry)).toBe(`${LEDGER_HEADER}\n\n${block}\n`);
    expect(parseLedger(LEDGER_HEADER)).toEqual({ entries: [], warnings: [] });
  });

  it('puts exactly one blank line before the block, adding a missing final newline', () => {
    expect(appendToLedger('# L\n\nold', entry)).toBe(`# L\n\nold\n\n${block}\n`);
    expect(appendToLedger('# L\n\nold\n', entry)).toBe(`# L\n\nold\n\n${block}\n`);
    expect(appendToLedger('# L\n\nold\n\n', entry)).toBe(`# L\n\nold\n\n${block}\n`);
  });

  it("keeps the file's CRLF line endings and its BOM", () => {
    const out = appendToLedger('\uFEFF# L\r\n\r\nold\r\n', entry);
    expect(out).toBe(`\uFEFF# L\r\n\r\nold\r\n\r\n${block.replace(/\n/g, '\r\n')}\r\n`);
    expect(out.replace(/\r\n/g, '')).not.toContain('\n');
    expect(appendToLedger('\uFEFF', entry).startsWith(`\uFEFF${LEDGER_HEADER.split('\n')[0]}`)).toBe(true);
  });
});
