import { ConfigurationError } from '../../core/action/errors.js';
import { eligibleNewestFirst, previousBuild, type TagHistory } from '../../core/ledger/tag-history.js';
import type { LedgerEntry } from '../../core/ledger/types.js';
import type { SourceSpec } from './plan.js';

export interface LedgerPick {
  /** The entry whose build is restored (its commit, metrics and version are the restore's). */
  entry: LedgerEntry & { digest: string };
  /** Why this one, for the summary. */
  why: string;
  /** Set when this run completes a rollback an earlier attempt of the same run started. */
  resumed?: LedgerEntry;
}

/**
 * Picks the build a ledger source restores, from the history of the promoted image on the first tag.
 *
 * `ledger:previous`: the build below the one the tag serves by the ledger, on the stack of builds the tag went
 * through (see tag-history.ts): a rollback pops, so rolling back again goes one further down, never back up to
 * a build rolled away from; builds whose commit's newest word is ⛔/❌ are skipped. A re-run of the run that
 * wrote the newest ⏪ entry (same run id, a later attempt) completes that rollback instead of going further.
 *
 * `ledger:<key>`: the newest good entry of the image (any tag) whose version, commit (prefix) or digest is
 * <key>, unless its commit is marked ⛔/❌ after its last pass.
 */
export function pickFromLedger(history: TagHistory, source: SourceSpec, rerun?: { runUrl: string; attempt: number }): LedgerPick {
  const { image, tag } = history.scope;
  if (source.kind === 'ledger-previous') {
    const newest = history.good.at(-1);
    if (rerun && rerun.attempt > 1 && rerun.runUrl && newest?.status === 'restored' && newest.run === rerun.runUrl && newest.digest) {
      return { entry: { ...stackEntryFor(history, newest.digest), digest: newest.digest }, why: `completes the rollback attempt ${rerun.attempt - 1} of this run recorded`, resumed: newest };
    }
    const pick = previousBuild(history);
    if (!pick) {
      const current = history.stack.at(-1);
      const where = current ? `below ${current.digest.slice(0, 19)}… (${current.entry.commit.slice(0, 7)}), which ${tag} serves by the ledger` : `for ${tag} (the ledger has no good entry with a digest for it)`;
      throw new ConfigurationError(`Input "source": ledger:previous found no earlier good build of ${image} ${where}`);
    }
    return { entry: { ...pick.entry, digest: pick.digest }, why: `the build below ${history.stack.at(-1)?.entry.commit.slice(0, 7) ?? '?'} on ${tag}'s history` };
  }
  if (source.kind !== 'ledger') throw new Error('pickFromLedger needs a ledger source');
  const key = source.key.toLowerCase();
  const isMatch = (e: LedgerEntry) =>
    e.version?.toLowerCase() === key || e.digest === key || (key.length >= 7 && /^[0-9a-f]+$/.test(key) && (e.commit.startsWith(key) || key.startsWith(e.commit)));
  const pick = eligibleNewestFirst(history).find(isMatch);
  if (!pick?.digest) {
    const marked = history.imageGood.filter(isMatch).map((e) => history.bad.get(e.commit)).find(Boolean);
    const why = marked === 'rolled-back' ? 'it is marked ⛔ Rolled back' : marked ? 'its newest entry is ❌ failed' : `no good entry of ${image} with an image digest has that version, commit or digest`;
    throw new ConfigurationError(`Input "source": ledger:${source.key}: ${why}`);
  }
  return { entry: { ...pick, digest: pick.digest }, why: `the newest good entry of ${image} matching ${source.key}` };
}

/** The entry that first promoted `digest` on the tag (its commit and metrics), else the newest good entry with it. */
function stackEntryFor(history: TagHistory, digest: string): LedgerEntry {
  const stacked = history.stack.find((b) => b.digest === digest);
  return stacked?.entry ?? [...history.good].reverse().find((e) => e.digest === digest)!;
}
