export type { LedgerEntry, LedgerStatus, LedgerWarning, ParsedLedger } from './types.js';
export { ledgerEntrySchema, validateEntry, type NewLedgerEntry } from './schema.js';
export { STATUS_EMOJI, STATUS_TEXT, classifyStatus } from './status.js';
export { LEDGER_HEADER, LEDGER_TITLE, neutraliseValue, renderEntry, renderedStatusText } from './render.js';
export { parseLedger } from './parse.js';
export { CommitSet, RolledBackSet, newestGood, newestPassed, rolledBackLater, sameCommit, type NewestOptions } from './newest.js';
export {
  passedPredicate,
  readNewest,
  readNewestFromFile,
  readNewestPassed,
  type ChunkReader,
  type TailContext,
  type TailOptions,
  type TailPredicate,
  type TailResult,
} from './tail.js';
export { appendEntry, appendToLedger, ledgerCommitMessage, withSkipCi, type AppendOptions, type LedgerStore } from './append.js';
export { ApiLedgerStore, isContentsConflict, type ApiLedgerStoreOptions, type ContentsOctokit } from './api-store.js';
export { GitLedgerStore, type GitLedgerStoreOptions } from './git-store.js';
