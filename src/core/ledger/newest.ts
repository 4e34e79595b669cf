import type { LedgerEntry } from './types.js';

/** Two SHAs as written name the same commit when one is a prefix of the other (short vs full). */
export function sameCommit(a: string, b: string): boolean {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x.length <= y.length ? y.startsWith(x) : x.startsWith(y);
}

/**
 * A set of commits as ledgers write them (full or abbreviated), where `has` matches abbreviations both ways
 * (sameCommit). Indexed by the first 7 characters (a ledger SHA has at least 7), so a lookup costs the same
 * however many commits it holds: a scan over 100,000 entries stays linear.
 */
export class CommitSet<T = true> {
  private readonly byPrefix = new Map<string, { commit: string; value: T }[]>();
  /** Values shorter than the prefix (never produced by the parser): looked at on every lookup. */
  private readonly short: { commit: string; value: T }[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Adds `commit` (keeps the first value given for an identical commit). */
  add(commit: string, value: T = true as T): void {
    const c = commit.toLowerCase();
    this.count++;
    if (c.length < PREFIX) {
      this.short.push({ commit: c, value });
      return;
    }
    const key = c.slice(0, PREFIX);
    const list = this.byPrefix.get(key);
    if (list) list.push({ commit: c, value });
    else this.byPrefix.set(key, [{ commit: c, value }]);
  }

  /** The value of the first added commit naming the same commit as `commit`, if any. */
  get(commit: string): T | undefined {
    const c = commit.toLowerCase();
    for (const s of this.short) if (sameCommit(s.commit, c)) return s.value;
    if (c.length < PREFIX) {
      // A short query matches any longer commit it prefixes: rare (the parser never yields one), so linear.
      for (const list of this.byPrefix.values()) for (const e of list) if (sameCommit(e.commit, c)) return e.value;
      return undefined;
    }
    for (const e of this.byPrefix.get(c.slice(0, PREFIX)) ?? []) if (sameCommit(e.commit, c)) return e.value;
    return undefined;
  }

  has(commit: string): boolean {
    return this.get(commit) !== undefined;
  }
}

const PREFIX = 7;

/**
 * The commits rolled back so far by a scan that goes from the newest entry to the oldest. A rolled-back
 * marker is written after the passed entry it cancels, so by the time a backwards scan reaches a passed
 * entry it has seen every later marker. A pass written after a marker (a deliberate re-promotion) counts.
 */
export class RolledBackSet {
  private readonly commits = new CommitSet();

  /** Feed entries newest first. */
  see(entry: LedgerEntry): void {
    if (entry.status === 'rolled-back') this.commits.add(entry.commit);
  }

  has(commit: string): boolean {
    return this.commits.has(commit);
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
