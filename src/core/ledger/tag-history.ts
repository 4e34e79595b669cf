import { CommitSet } from './newest.js';
import type { LedgerEntry } from './types.js';

/**
 * What one image tag went through, read from a ledger that may hold several images (model-a, model-b) and
 * several tags (stable, canary): every reading promote-to-stable makes (what the tag serves, the build
 * before it, the metrics baseline, previous-digest) comes from here, so another image's or another tag's
 * entries never leak into it.
 *
 * Attribution of an entry to (image, tag):
 * - Image: an entry whose Image line names the image (compared without tag, case-insensitively, with
 *   docker.io's spellings made one) belongs to it. An entry without an Image line (hand-written) belongs to
 *   the image only while the ledger names no other image; once two images are written, such an entry cannot
 *   be told apart and is left out of both.
 * - Tag: an entry belongs to the tags its Tags line names; an entry without a Tags line (hand-written, or
 *   the seed's) belongs to `stable` and `latest`, greenline's default tags and what such ledgers tracked:
 *   counted for `prod-eu` it would claim that tag served builds it never did.
 * - `⛔ Rolled back` and `❌` markers speak of a commit, not a tag: they count for every tag of their image
 *   (and for every image when they name none).
 */
export interface TagScope {
  /** Image repository without tag or digest, e.g. `ghcr.io/acme/model-a`. */
  image: string;
  tag: string;
}

/** One build on the tag's stack: the entry that first put it there, and the newest entry that did. */
export interface StackedBuild {
  digest: string;
  /** The entry that promoted this build to the tag (its commit, metrics and version). */
  entry: LedgerEntry;
  /** The newest entry that put the tag on this build (a later re-promotion or a restore). */
  newest: LedgerEntry;
}

export interface TagHistory {
  scope: TagScope;
  /** Good entries (passed or restored, with a digest) for the scope, oldest first. */
  good: LedgerEntry[];
  /** Good entries with a digest for the image, whatever their tags, oldest first (`ledger:<key>` looks here). */
  imageGood: LedgerEntry[];
  /**
   * The builds the tag went through, oldest first, after the rollbacks: a rollback pops the builds above its
   * target, so the last item is what the tag serves now by the ledger, and the ones below are where
   * `ledger:previous` goes, in order.
   */
  stack: StackedBuild[];
  /** Digests a rollback moved the tag away from and that nothing promoted again since. */
  rolledAway: Set<string>;
  /** Commits whose newest word in the ledger (for this image) is ⛔ or ❌ (the value says which): never a rollback target. */
  bad: CommitSet<'rolled-back' | 'failed'>;
  /** How many good entries without an Image line were left out because the ledger names several images. */
  ambiguous: number;
}

const GOOD = new Set(['passed', 'restored']);
/** The tags an entry without a Tags line stands for. */
export const UNTAGGED: readonly string[] = ['stable', 'latest'];

/** `ghcr.io/Acme/App:v1` → `ghcr.io/acme/app`; docker.io's spellings made one. */
export function normaliseImage(image: string): string {
  let s = image.trim().toLowerCase();
  const at = s.indexOf('@');
  if (at >= 0) s = s.slice(0, at);
  const slash = s.lastIndexOf('/');
  const colon = s.lastIndexOf(':');
  if (colon > slash && slash >= 0) s = s.slice(0, colon);
  s = s.replace(/^(?:https?:\/\/)/, '').replace(/^(?:index\.)?docker\.io\/|^registry-1\.docker\.io\//, 'docker.io/');
  if (s.startsWith('docker.io/') && s.split('/').length === 2) s = `docker.io/library/${s.slice('docker.io/'.length)}`;
  return s;
}

/** The distinct images the ledger's entries name. */
export function ledgerImages(entries: readonly LedgerEntry[]): Set<string> {
  const out = new Set<string>();
  for (const e of entries) if (e.image) out.add(normaliseImage(e.image));
  return out;
}

/** The digest a `⏪ Restored` entry rolled away from: its Replaced line, else the reason greenline wrote before it. */
export function replacedDigest(entry: LedgerEntry): string | undefined {
  if (entry.replaced) return entry.replaced;
  if (entry.status !== 'restored' || !entry.reason) return undefined;
  return /\bfrom (sha256:[0-9a-f]{64})\b/.exec(entry.reason)?.[1];
}

/** Reads what (image, tag) went through; see the attribution rules above. */
export function tagHistory(entries: readonly LedgerEntry[], scope: TagScope): TagHistory {
  const image = normaliseImage(scope.image);
  const images = ledgerImages(entries);
  const unnamedCount = images.size === 0 || (images.size === 1 && images.has(image));
  let ambiguous = 0;
  const ofImage = (e: LedgerEntry): boolean => {
    if (e.image) return normaliseImage(e.image) === image;
    if (!unnamedCount && GOOD.has(e.status)) ambiguous++;
    return unnamedCount;
  };
  const ofTag = (e: LedgerEntry) => (e.tags.length === 0 ? UNTAGGED.includes(scope.tag) : e.tags.includes(scope.tag));

  const good: LedgerEntry[] = [];
  const imageGood: LedgerEntry[] = [];
  const stack: StackedBuild[] = [];
  const rolledAway = new Set<string>();
  // Newest word per commit: good (passed/restored of this image) or bad (⛔/❌ of this image or of none).
  const lastWord = new Map<string, { commit: string; bad: 'rolled-back' | 'failed' | undefined }>();
  const word = (commit: string, bad: 'rolled-back' | 'failed' | undefined) => {
    // A short and a full SHA of one commit are one key: the newest word wins.
    for (const key of [...lastWord.keys()]) if (key.startsWith(commit) || commit.startsWith(key)) lastWord.delete(key);
    lastWord.set(commit, { commit, bad });
  };
  for (const e of entries) {
    if (e.status === 'rolled-back' || e.status === 'failed') {
      if (!e.image || normaliseImage(e.image) === image) word(e.commit, e.status);
      continue;
    }
    if (!GOOD.has(e.status) || !ofImage(e)) continue;
    word(e.commit, undefined);
    // auto-revert's re-record of the last good build after a ⛔ (for the seed's one-liner) moved no tag: it
    // makes the build good again, but it is not a promotion on the stack.
    if (e.status === 'passed' && REAFFIRMED.test(e.reason ?? '')) continue;
    if (!e.digest) continue;
    imageGood.push(e);
    if (!ofTag(e)) continue;
    good.push(e);
    const top = stack.at(-1);
    if (e.status === 'passed') {
      rolledAway.delete(e.digest);
      if (top?.digest === e.digest) top.newest = e;
      else stack.push({ digest: e.digest, entry: e, newest: e });
      continue;
    }
    // A rollback: the build it left is rolled away; the stack goes back down to its target, or, when the
    // target is not below (a restore of a build this tag never served, or a roll forward), gets it on top.
    const away = replacedDigest(e) ?? (top && top.digest !== e.digest ? top.digest : undefined);
    if (away && away !== e.digest) rolledAway.add(away);
    if (away && top?.digest === away) stack.pop();
    rolledAway.delete(e.digest);
    let i = stack.length - 1;
    while (i >= 0 && stack[i]!.digest !== e.digest) i--;
    if (i >= 0) {
      for (const popped of stack.splice(i + 1)) if (popped.digest !== e.digest) rolledAway.add(popped.digest);
      stack[i]!.newest = e;
    } else {
      stack.push({ digest: e.digest, entry: e, newest: e });
    }
  }
  const bad = new CommitSet<'rolled-back' | 'failed'>();
  for (const w of lastWord.values()) if (w.bad) bad.add(w.commit, w.bad);
  return { scope, good, imageGood, stack, rolledAway, bad, ambiguous };
}

/** The reason auto-revert writes on the ✅ entry it records again after a ⛔ (lastgood/revert.ts reaffirmation). */
const REAFFIRMED = /^recorded again as the last good build\b/;

/** The build the tag serves by the ledger (the top of the stack). */
export function currentBuild(history: TagHistory): StackedBuild | undefined {
  return history.stack.at(-1);
}

/**
 * Where `ledger:previous` goes: walking down the stack from what the tag serves now by the ledger, the first
 * build that is not the one served, was not rolled away from, and whose commit is not marked ⛔/❌ after its
 * last pass.
 */
export function previousBuild(history: TagHistory): StackedBuild | undefined {
  const { stack } = history;
  const current = stack.at(-1)?.digest;
  for (let i = stack.length - 2; i >= 0; i--) {
    const b = stack[i]!;
    if (b.digest === current || history.rolledAway.has(b.digest) || history.bad.has(b.entry.commit)) continue;
    return b;
  }
  return undefined;
}

/** Good entries of the image (any tag), newest first, that a `ledger:<key>` source may name. */
export function eligibleNewestFirst(history: TagHistory): LedgerEntry[] {
  return [...history.imageGood].reverse().filter((e) => !history.bad.has(e.commit));
}
