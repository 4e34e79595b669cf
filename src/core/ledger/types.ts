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
   * 1-based line of the block's first line. Negative when counted from the end of the file (-1 = the last
   * line), which is what a tail read that did not reach the start of a file can know.
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
