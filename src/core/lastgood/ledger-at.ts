import { posix } from 'node:path';
import type { HistoryPort } from './types.js';

/** The ledger as a commit has it. */
export interface LedgerAt {
  text: string;
  /** The file that holds the entries: the ledger path, or where its symbolic link points. */
  realPath: string;
  /** Every path that must be kept for the ledger to stay whole: the link(s) and the real file. */
  paths: string[];
}

const MAX_LINKS = 5;

/**
 * The ledger at `commit`, following symbolic links inside the repository (a link out of it, a loop or a
 * dangling link is no ledger). A revert keeps every path in `paths` as the ledger's commit has it, so a
 * symlinked ledger's real file is never rewound.
 */
export async function ledgerAt(history: Pick<HistoryPort, 'pathAt'>, commit: string, path: string): Promise<LedgerAt | undefined> {
  const paths: string[] = [];
  let current = posix.normalize(path.replace(/^\/+/, ''));
  for (let hop = 0; hop <= MAX_LINKS; hop++) {
    if (current.startsWith('../') || current === '..' || posix.isAbsolute(current) || paths.includes(current)) return undefined;
    paths.push(current);
    const at = await history.pathAt(commit, current);
    if (!at) return undefined;
    if ('file' in at) return { text: at.file, realPath: current, paths };
    current = posix.normalize(posix.join(posix.dirname(current), at.link));
  }
  return undefined;
}
