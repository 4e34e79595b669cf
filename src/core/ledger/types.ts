export type LedgerStatus = 'passed' | 'rolled-back' | 'restored' | 'failed' | 'unknown';

/** One event of the ledger: a build that passed, a rollback marker, a restore of `:stable`, … */
export interface LedgerEntry {
  status: LedgerStatus;
  /** The status as written in the file (`✅ Tests Passed`, `PASSED`, …). */
  statusText: string;
  /** Full or short SHA as written, lowercased. */
  commit: string;
  timestamp?: string;
  /** Repository of the image, without tag or digest (`ghcr.io/owner/app`), or as written when it has a tag. */
  image?: string;
  /** `sha256:…` */
  digest?: string;
  tags: string[];
  /** Link to the workflow run that wrote the entry. */
  run?: string;
  metrics: Record<string, number>;
  version?: string;
  reason?: string;
  /**
   * On a `⏪ Restored` entry: the digest the tags served before the rollback, the build rolled away from
   * (`Replaced:` line). Older entries without the line say it in their Reason (`… from sha256:…`).
   */
  replaced?: string;
  /** The deploy branch and the commit it was set to for this entry (`Deploy: stable@<sha>`), when one was updated. */
  deploy?: { branch: string; commit: string };
  /**
   * 1-based line of the block's first line. A tail read that did not reach the start of a file can only
   * count from the end: then it is negative, -(1 + newlines from the line's start to the end of the file),
   * and the absolute number is (newlines in the file) + 2 + line.
   */
  line: number;
}

/** An unreadable block or row, reported instead of silently ignored. `line` follows LedgerEntry.line. */
export interface LedgerWarning {
  line: number;
  message: string;
}

export interface ParsedLedger {
  /** File order: oldest first. */
  entries: LedgerEntry[];
  warnings: LedgerWarning[];
}
