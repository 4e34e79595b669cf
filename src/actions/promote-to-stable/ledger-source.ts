import { ConfigurationError } from '../../core/action/errors.js';
import type { LedgerEntry } from '../../core/ledger/types.js';
import type { SourceSpec } from './plan.js';

/**
 * Picks the ledger entry a rollback restores. `ledger:previous`: the newest good build whose digest differs
 * from what the first tag points at now. `ledger:<key>`: the newest good entry whose version, commit (prefix)
 * or digest is <key>. Builds later marked ⛔ Rolled back are never picked.
 */
export function pickFromLedger(entries: LedgerEntry[], source: SourceSpec, currentDigest: string): LedgerEntry & { digest: string } {
  const rolledBack = new Set(entries.filter((e) => e.status === 'rolled-back').map((e) => e.commit));
  const isRolledBack = (e: LedgerEntry) => [...rolledBack].some((c) => c.startsWith(e.commit) || e.commit.startsWith(c));
  const good = entries.filter((e): e is LedgerEntry & { digest: string } => (e.status === 'passed' || e.status === 'restored') && !!e.digest);
  const newestFirst = [...good].reverse();
  if (source.kind === 'ledger-previous') {
    const current = currentDigest || newestFirst[0]?.digest;
    const pick = newestFirst.find((e) => e.digest !== current && !isRolledBack(e));
    if (!pick) throw new ConfigurationError('Input "source": ledger:previous found no earlier good build with an image digest in the ledger');
    return pick;
  }
  if (source.kind !== 'ledger') throw new Error('pickFromLedger needs a ledger source');
  const key = source.key.toLowerCase();
  const matches = newestFirst.filter(
    (e) => e.version?.toLowerCase() === key || e.digest === key || (key.length >= 7 && /^[0-9a-f]+$/.test(key) && (e.commit.startsWith(key) || key.startsWith(e.commit))),
  );
  const pick = matches.find((e) => !isRolledBack(e));
  if (!pick) {
    const why = matches.length ? 'it is marked ⛔ Rolled back' : 'no good entry with an image digest has that version, commit or digest';
    throw new ConfigurationError(`Input "source": ledger:${source.key}: ${why}`);
  }
  return pick;
}
