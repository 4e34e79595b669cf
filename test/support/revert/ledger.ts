import { appendToLedger } from '../../../src/core/ledger/append.js';
import type { NewLedgerEntry } from '../../../src/core/ledger/schema.js';

export const LEDGER = 'docs/ML_EXPERIMENT_RESULTS.md';
export const DIGEST = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;

let counter = 0;

/** A ✅ entry as promote-to-stable writes it. */
export function passed(commit: string, extra: Partial<NewLedgerEntry> = {}): NewLedgerEntry {
  counter++;
  return {
    status: 'passed',
    commit,
    timestamp: new Date(Date.UTC(2024, 11, 22, 10, counter % 60)).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    image: 'ghcr.io/owner/app',
    digest: DIGEST(counter),
    tags: ['stable', 'latest'],
    run: `https://github.com/owner/app/actions/runs/${counter}`,
    metrics: { accuracy: 0.9 },
    ...extra,
  };
}

export function rolledBack(commit: string): NewLedgerEntry {
  return { status: 'rolled-back', commit, reason: 'failed in production' };
}

/** The ledger text with these entries appended in order (oldest first), starting from `text`. */
export function ledgerWith(entries: NewLedgerEntry[], text?: string): string {
  let out = text;
  for (const e of entries) out = appendToLedger(out, e);
  return out ?? '';
}
