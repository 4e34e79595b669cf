import { cell, shortSha } from '../util/text.js';
import { currentBuild, ledgerImages, normaliseImage, previousBuild, tagHistory } from './tag-history.js';
import type { LedgerEntry } from './types.js';

/** The tag the "what :stable serves" line speaks of: promote-to-stable's first default tag. */
export const STABLE_TAG = 'stable';

/** What a tag serves by the ledger: the top of its stack (tag-history.ts), since when, and the build below. */
export interface TagServes {
  tag: string;
  /** The image repository as the ledger names it ('' when its entries name none). */
  image: string;
  commit: string;
  digest: string;
  /** When the tag was last put on this build (the newest entry that did), as written in the ledger. */
  since: string;
  /** The build below it on the tag's history (`commit` unknown when only the registry said what it was). */
  previous?: { commit?: string; digest: string };
}

/**
 * What `tag` serves according to the ledger's entries, for `image` (the image the answer is about); without one,
 * for the only image the ledger names. Undefined when the ledger never put the tag on a build, or when it names
 * several images and none was chosen (`ambiguous`).
 */
export function tagServes(entries: readonly LedgerEntry[], options: { image?: string; tag?: string } = {}): TagServes | { ambiguous: string[] } | undefined {
  const tag = options.tag ?? STABLE_TAG;
  const images = [...ledgerImages(entries)];
  let image = options.image;
  if (!image) {
    if (images.length > 1) return { ambiguous: images.sort() };
    image = images[0] ?? '';
  }
  const history = tagHistory(entries, { image, tag });
  const top = currentBuild(history);
  if (!top) return undefined;
  const below = previousBuild(history);
  return {
    tag,
    image: top.entry.image ?? (image === '' ? '' : normaliseImage(image)),
    commit: top.entry.commit,
    digest: top.digest,
    since: top.newest.timestamp ?? '',
    ...(below ? { previous: { commit: below.entry.commit, digest: below.digest } } : {}),
  };
}

/** The action outputs: `stable-commit`, `stable-digest`, `stable-since` (empty when unknown). */
export function stableOutputs(serves: ReturnType<typeof tagServes>): Record<'stable-commit' | 'stable-digest' | 'stable-since', string> {
  const known = serves && !('ambiguous' in serves) ? serves : undefined;
  return { 'stable-commit': known?.commit ?? '', 'stable-digest': known?.digest ?? '', 'stable-since': known?.since ?? '' };
}

function shortDigest(digest: string): string {
  return digest.replace(/^(sha256:[0-9a-f]{12})[0-9a-f]+$/, '$1…');
}

/** The job summary's one line: "what :stable serves", or why it is not known. */
export function stableLine(serves: ReturnType<typeof tagServes>, ledgerPath: string): string {
  if (serves === undefined) return `**What :${STABLE_TAG} serves:** not known: ${cell(ledgerPath)} records no build promoted to :${STABLE_TAG}.`;
  return servesLine(serves, ledgerPath);
}

/** One line for a tag: the build, the image and digest, since when, and the build below it. */
export function servesLine(serves: TagServes | { ambiguous: string[] }, ledgerPath: string): string {
  if ('ambiguous' in serves) return `**What :${STABLE_TAG} serves:** ${cell(ledgerPath)} names several images (${cell(serves.ambiguous.join(', '), 500)}): none is picked.`;
  const image = serves.image ? `${cell(serves.image)}@` : '';
  const since = serves.since ? ` since ${cell(serves.since, 40)}` : '';
  const previous = serves.previous
    ? `; previous build ${serves.previous.commit ? `\`${shortSha(serves.previous.commit)}\` (\`${shortDigest(serves.previous.digest)}\`)` : `\`${shortDigest(serves.previous.digest)}\``}`
    : '; no previous build';
  return `**What :${serves.tag} serves:** build \`${shortSha(serves.commit)}\`, ${image}\`${shortDigest(serves.digest)}\`${since}${previous}.`;
}
