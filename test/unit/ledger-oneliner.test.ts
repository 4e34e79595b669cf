/**
 * The seed's one-liner, run for real (bash, grep, awk) on ledgers greenline writes, must name the same
 * commit as the parser's newest passed entry. The one-liner knows nothing of rollbacks, so it is compared
 * with newestPassed without skipping; the rolled-back-aware answer is checked against a reference.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  appendToLedger,
  newestGood,
  newestPassed,
  parseLedger,
  readNewestPassed,
  sameCommit,
  type LedgerEntry,
} from '../../src/core/ledger/index.js';
import { entryArb, hex } from '../fixtures/ledger/arbitraries.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'greenline-oneliner-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The file is "$1", never interpolated into the script.
const ONE_LINER = `grep -B 3 "Status: ✅ Tests Passed" "$1" | grep "Commit:" | tail -1 | awk '{print $2}'`;

async function oneLiner(text: string): Promise<string> {
  const file = join(dir, 'ML_EXPERIMENT_RESULTS.md');
  writeFileSync(file, text);
  const { stdout } = await run('bash', ['-c', ONE_LINER, 'one-liner', file], { env: { ...process.env, LC_ALL: 'C.UTF-8' } });
  return stdout.trim();
}

/** Reference: the last passed entry that no later rolled-back entry names. */
function referenceGood(entries: readonly LedgerEntry[]): LedgerEntry | undefined {
  return entries.findLast((e, i) => e.status === 'passed' && !entries.slice(i + 1).some((l) => l.status === 'rolled-back' && sameCommit(l.commit, e.commit)));
}

// A few commits, written full or short, so that passes, rollbacks and restores of the same commit mix.
const pool = fc.constantFrom(
  ...['611b29b362b480a8e6a56848f453ab8a2091e683', 'dad549a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6', '3f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39'],
);
const commitArb = fc.oneof(pool, pool.map((c) => c.slice(0, 7)), hex(40, 40));
const ledgerArb = fc.array(entryArb(commitArb), { maxLength: 30 });

describe('the seed one-liner on ledgers greenline writes', () => {
  it('matches the fixture written in the greenline format', async () => {
    const text = readFileSync(join(import.meta.dirname, '../fixtures/ledger/greenline.md'), 'utf8');
    expect(await oneLiner(text)).toBe(newestPassed(parseLedger(text).entries)?.commit);
  });

  it('matches seed 000 as the seed wrote it', async () => {
    const text = readFileSync(join(import.meta.dirname, '../fixtures/ledger/seed-000.md'), 'utf8');
    expect(await oneLiner(text)).toBe('611b29b362b480a8e6a56848f453ab8a2091e683');
    expect(newestPassed(parseLedger(text).entries)?.commit).toBe('611b29b362b480a8e6a56848f453ab8a2091e683');
  });

  it('a rolled-back block right before a passed one does not leak its Commit into the grep window', async () => {
    let text = appendToLedger(undefined, { status: 'passed', commit: 'a'.repeat(40) });
    text = appendToLedger(text, { status: 'rolled-back', commit: 'b'.repeat(40) });
    text = appendToLedger(text, { status: 'passed', commit: 'c'.repeat(40) });
    text = appendToLedger(text, { status: 'rolled-back', commit: 'd'.repeat(40) });
    expect(await oneLiner(text)).toBe('c'.repeat(40));
  });

  it('equals newestPassed on random mixes of passed, rolled-back, restored, failed and unknown (property)', async () => {
    let sawRollbackSkip = false;
    await fc.assert(
      fc.asyncProperty(ledgerArb, async (list) => {
        let text = '';
        for (const e of list) text = appendToLedger(text, e);
        const { entries, warnings } = parseLedger(text);
        expect(entries).toHaveLength(list.length);
        expect(warnings.every((w) => /not recognised/.test(w.message))).toBe(true);
        const newest = newestPassed(entries);
        expect(await oneLiner(text)).toBe(newest?.commit ?? '');

        const good = newestGood(entries);
        expect(good).toBe(referenceGood(entries));
        if (good !== newest) sawRollbackSkip = true;
        expect((await readNewestPassed(text)).entry).toEqual(newest);
        expect((await readNewestPassed(text, { skipRolledBack: true, chunkSize: 1024 })).entry).toEqual(good);
      }),
      {
        numRuns: 120,
        // Always include a build passed then rolled back, so the rollback-skip branch is checked on every run
        // (whatever the seed), not only when the random lists happen to contain one.
        examples: [[[
          { status: 'passed', commit: 'a'.repeat(40) },
          { status: 'passed', commit: 'b'.repeat(40) },
          { status: 'rolled-back', commit: 'b'.repeat(40) },
        ] as Parameters<typeof appendToLedger>[1][]]],
      },
    );
    expect(sawRollbackSkip).toBe(true);
  });
});
