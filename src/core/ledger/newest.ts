import type { LedgerEntry } from './types.js';

/** Two SHAs as written name the same commit when one is a prefix of the other (short vs full). */
export function sameCommit(a: string, b: string): boolean {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x.length <= y.length ? y.startsWith(x) : x.startsWith(y);
}

/**
 * The commits rolled back so far by a scan that goes from the newest entry to the oldest. A rolled-back
 * marker is written after the passed entry it cancels, so by the time a backwards scan reaches a passed
 * entry it has seen every later marker. A pass written after a marker (a deliberate re-promotion) counts.
 */
export class RolledBackSet {
  private readonly commits: string[] = [];

  /** Feed entries newest first. */
  see(entry: LedgerEntry): void {
    if (entry.status === 'rolled-back') this.commits.push(entry.commit);
  }

  has(commit: string): boolean {
    return this.commits.some((c) => sameCommit(c, commit));
  }
}

export interface NewestOptions {
  /** Skip an entry for a reason of the caller's (not an ancestor of the head, …). */
  skip?: (entry: LedgerEntry) => boolean;
  /** Skip passed entries whose commit a later `⛔ Rolled back` entry names. Default false. */
  skipRolledBack?: boolean;
}

/**
 * The newest `passed` entry (newest = last in the file). Without options it is what the seed's grep
 * one-liner finds; with `skipRolledBack` it is what find-last-good-commit means by "last good".
 */
export function newestPassed(entries: readonly LedgerEntry[], options: NewestOptions = {}): LedgerEntry | undefined {
  const rolledBack = new RolledBackSet();
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i];
    if (!e) continue;
    rolledBack.see(e);
    if (e.status !== 'passed') continue;
    if (options.skipRolledBack && rolledBack.has(e.commit)) continue;
    if (options.skip?.(e)) continue;
    return e;
  }
  return undefined;
}

/** newestPassed skipping rolled-back commits: the last good build. */
export function newestGood(entries: readonly LedgerEntry[], skip?: (entry: LedgerEntry) => boolean): LedgerEntry | undefined {
  return newestPassed(entries, { skipRolledBack: true, ...(skip ? { skip } : {}) });
}

/**
 * A skip function for `newestPassed(entries, { skip })` that drops every passed entry followed later in
 * `entries` by a rolled-back entry for the same commit (entries are matched by identity).
 */
export function rolledBackLater(entries: readonly LedgerEntry[]): (entry: LedgerEntry) => boolean {
  const cancelled = new Set<LedgerEntry>();
  const seen = new RolledBackSet();
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i];
    if (!e) continue;
    seen.see(e);
    if (e.status === 'passed' && seen.has(e.commit)) cancelled.add(e);
  }
  return (entry) => cancelled.has(entry);
}
