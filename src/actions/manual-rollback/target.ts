import { ConfigurationError } from '../../core/action/errors.js';
import type { LedgerEntry } from '../../core/ledger/types.js';

export type What = 'image' | 'main' | 'both';

/** What `to` names, decided before any request is made. */
export type Target =
  | { kind: 'previous' }
  | { kind: 'sha'; sha: string }
  | { kind: 'short-sha'; prefix: string }
  | { kind: 'digest'; digest: string }
  | { kind: 'version'; version: string };

/** `to` as a person types it: previous, a full or short commit sha, sha256:<64 hex>, or a version. */
export function parseTarget(to: string): Target {
  const t = to.trim();
  if (t === '' || t === 'previous') return { kind: 'previous' };
  const lower = t.toLowerCase();
  if (lower.startsWith('sha256:')) {
    if (!/^sha256:[0-9a-f]{64}$/.test(lower)) throw new ConfigurationError(`Input "to": ${JSON.stringify(t)} is not an image digest (sha256: followed by 64 hex characters)`);
    return { kind: 'digest', digest: lower };
  }
  if (/^[0-9a-f]{40}$/.test(lower)) return { kind: 'sha', sha: lower };
  if (/^[0-9a-f]{7,39}$/.test(lower)) return { kind: 'short-sha', prefix: lower };
  if (/^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/.test(t)) return { kind: 'version', version: t };
  throw new ConfigurationError(`Input "to": ${JSON.stringify(t.length > 80 ? `${t.slice(0, 80)}…` : t)} must be previous, a version, a commit sha (7 to 40 hex) or sha256:<64 hex>`);
}

/**
 * The ledger names the build (promote-to-stable's ledger: source, as a dry run): always for the image, and for
 * main unless `to` is previous (auto-revert finds the last good commit itself) or a full sha (that commit).
 */
export function ledgerSource(what: What, target: Target): string | undefined {
  if (what === 'main' && (target.kind === 'previous' || target.kind === 'sha')) return undefined;
  switch (target.kind) {
    case 'previous':
      return 'ledger:previous';
    case 'sha':
      return `ledger:${target.sha}`;
    case 'short-sha':
      return `ledger:${target.prefix}`;
    case 'digest':
      return `ledger:${target.digest}`;
    case 'version':
      return `ledger:${target.version}`;
  }
}

/**
 * A short sha is the start of one commit: when the ledger's entries for the image (or without an image) hold
 * two commits that start with it, taking the newest would be a guess, so the request is refused.
 */
export function checkUnambiguous(target: Target, entries: readonly LedgerEntry[], image: string): void {
  if (target.kind !== 'short-sha') return;
  const commits = new Set(entries.filter((e) => (!e.image || e.image === image) && e.commit.startsWith(target.prefix)).map((e) => e.commit));
  if (commits.size > 1) {
    const list = [...commits].slice(0, 3).map((c) => c.slice(0, target.prefix.length + 4)).join(', ');
    throw new ConfigurationError(`Input "to": ${target.prefix} is ambiguous: the ledger has ${commits.size} commits starting with it (${list}); give more characters`);
  }
}
