import { ConfigurationError } from '../../core/action/errors.js';
import type { Logger } from '../../core/action/log.js';
import type { LedgerEntry } from '../../core/ledger/types.js';
import { parseLedger } from '../../core/ledger/parse.js';
import { checkRegressions, type RegressionLimit, type RegressionVerdict } from './metrics.js';
import type { SourceSpec } from './plan.js';
import { pickFromLedger } from './ledger-source.js';
import { getSourceByTag } from './source-tag.js';

import type { Manifest, TagResult } from '../../core/registry/index.js';

/** The registry as promote needs it (src/core/registry implements it). */
export interface PromoteRegistry {
  getManifest(reference: string): Promise<Manifest>;
  resolveDigest(reference: string): Promise<string | undefined>;
  retag(manifest: Manifest, tags: string[]): Promise<TagResult[]>;
}

export interface LedgerPort {
  /** Where entries go, for messages. */
  describe: string;
  read(): Promise<string | undefined>;
  append(entry: LedgerEntry): Promise<{ attempts: number; text: string }>;
}

export interface GitTagPort {
  /** `raced`: another run moved the tag between our read and our write (nothing was overwritten). */
  move(tag: string, sha: string): Promise<'created' | 'moved' | 'unchanged' | 'raced'>;
}

export interface PromoteConfig {
  image: string;
  source: SourceSpec;
  sourceText: string;
  expectedDigest?: string;
  tags: string[];
  metrics: Record<string, number>;
  maxRegression: RegressionLimit[];
  gitTag?: string;
  commit: string;
  runUrl: string;
  dryRun: boolean;
  now: Date;
}

export interface PromoteDeps {
  registry: PromoteRegistry;
  /** Read access to the ledger (always when a token or workspace is there); writes go through `append`. */
  ledger?: LedgerPort;
  writeLedger: boolean;
  gitTag?: GitTagPort;
  log: Logger;
}

export interface PromoteResult {
  digest: string;
  previousDigest: string;
  tags: string[];
  /**
   * The tags that now serve `digest` because of this run (the `tags` output): all of them on success, those
   * that would move in a dry run, only the ones that did after a partial failure, none when refused.
   */
  moved: string[];
  entry: LedgerEntry;
  restored: boolean;
  dryRun: boolean;
  regressions: RegressionVerdict[];
  /** What was done (or, in a dry run, would be done), in order, for the summary. */
  steps: string[];
  /** Set when the step must fail: a regression, or a partial promotion, reported after outputs are written. */
  failure?: string;
  tagResults: TagResult[];
}

export async function promote(config: PromoteConfig, deps: PromoteDeps): Promise<PromoteResult> {
  const { registry, log } = deps;
  const steps: string[] = [];
  const needLedger = config.source.kind === 'ledger' || config.source.kind === 'ledger-previous' || config.maxRegression.length > 0;
  // When the ledger will be written it must be readable now, before any tag moves: a token that cannot read
  // it will not write it either, and a half-done promotion is worse than none.
  const ledgerText = deps.ledger ? await readLedgerSafely(deps.ledger, needLedger || deps.writeLedger, log) : undefined;
  const parsed = ledgerText === undefined ? undefined : parseLedger(ledgerText);
  for (const w of parsed?.warnings ?? []) log.warning(`Ledger line ${w.line}: ${w.message}`);
  const entries = parsed?.entries ?? [];

  const firstTag = config.tags[0]!;
  // What the first tag serves now (previous-digest). A tag or digest source takes it from the ledger's newest
  // good entry for the tag, which greenline wrote when it last moved the tag: the promotion is then exactly
  // 1 GET + 1 PUT per tag. When the ledger does not name the tag (or is not read), and for a ledger source
  // (ledger:previous picks relative to what is served), the registry is asked: one HEAD, sent alongside the
  // source GET (a ledger source needs it first).
  const known = config.source.kind === 'tag' || config.source.kind === 'digest' ? newestGoodFor(entries, firstTag)?.digest : undefined;
  const currentDigest = known ? Promise.resolve(known) : registry.resolveDigest(firstTag).then((d) => d ?? '');
  let fromLedger: LedgerEntry | undefined;
  let manifestPromise: Promise<Manifest>;
  switch (config.source.kind) {
    case 'tag':
      manifestPromise = getSourceByTag(registry, config.source.tag, log);
      break;
    case 'digest':
      manifestPromise = registry.getManifest(config.source.digest);
      break;
    default: {
      if (!parsed) throw new ConfigurationError(`Input "source": ${config.sourceText} needs the ledger, and it could not be read`);
      fromLedger = pickFromLedger(entries, config.source, await currentDigest);
      manifestPromise = registry.getManifest(fromLedger.digest!);
    }
  }
  const [previousDigest, manifest] = await Promise.all([currentDigest, manifestPromise]);
  if (config.expectedDigest && manifest.digest !== config.expectedDigest) {
    throw new ConfigurationError(
      `Input "expected-digest": ${config.sourceText} now resolves to ${manifest.digest}, not ${config.expectedDigest}; nothing was promoted`,
    );
  }
  if (!fromLedger && config.source.kind === 'digest') {
    fromLedger = [...entries].reverse().find((e) => e.digest === manifest.digest && e.status === 'passed' && e.commit !== config.commit);
  }
  const restored = fromLedger !== undefined;
  const commit = fromLedger?.commit ?? config.commit;

  const baseline = currentStableEntry(entries, previousDigest);
  const regressions = checkRegressions(config.maxRegression, config.metrics, baseline?.metrics);
  const worse = regressions.filter((r) => !r.ok);

  const entry: LedgerEntry = {
    status: restored ? 'restored' : 'passed',
    statusText: restored ? '⏪ Restored' : '✅ Tests Passed',
    commit,
    timestamp: config.now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    image: config.image,
    digest: manifest.digest,
    tags: config.tags,
    run: config.runUrl || undefined,
    metrics: restored && Object.keys(config.metrics).length === 0 ? { ...(fromLedger?.metrics ?? {}) } : config.metrics,
    version: restored ? fromLedger?.version : undefined,
    reason: restored ? `rolled back ${config.tags.join(', ')} from ${previousDigest || 'nothing'}` : undefined,
    line: 0,
  };
  const base: Omit<PromoteResult, 'steps' | 'tagResults'> = {
    digest: manifest.digest,
    previousDigest,
    tags: config.tags,
    moved: config.tags,
    entry,
    restored,
    dryRun: config.dryRun,
    regressions,
  };

  if (worse.length > 0) {
    const what = worse.map((r) => `${r.metric} ${r.baseline} → ${r.candidate} (${(r.worsening * 100).toFixed(2)} % worse, limit ${(r.limit * 100).toFixed(2)} %)`).join('; ');
    return { ...base, moved: [], steps: [`Refused: metrics regressed against the current stable build: ${what}`], tagResults: [], failure: `Not promoted: ${what}` };
  }

  const verb = config.dryRun ? 'Would move' : 'Moved';
  if (config.dryRun) {
    steps.push(`${verb} ${config.tags.join(', ')} to ${manifest.digest} (${manifest.mediaType})`);
    if (deps.writeLedger && deps.ledger) steps.push(`Would append a ${entry.statusText} entry to ${deps.ledger.describe}`);
    if (config.gitTag && deps.gitTag) steps.push(`Would move git tag ${config.gitTag} to ${commit}`);
    return { ...base, steps, tagResults: [] };
  }

  const tagResults = await registry.retag(manifest, config.tags);
  const moved = tagResults.filter((r) => r.ok).map((r) => r.tag);
  const failed = tagResults.filter((r) => !r.ok);
  if (moved.length) steps.push(`${verb} ${moved.join(', ')} to ${manifest.digest}`);
  if (failed.length) {
    const detail = failed.map((r) => `${r.tag}: ${r.error?.message ?? 'failed'}`).join('; ');
    const state = moved.length ? `${moved.join(', ')} moved to ${manifest.digest}, ${failed.map((r) => r.tag).join(', ')} NOT moved` : 'no tag moved';
    return { ...base, moved, steps, tagResults, failure: `Partial promotion: ${state} (${detail}); re-run to complete it. The ledger was not written.` };
  }

  // The tags have moved: from here on a failure is reported as exactly that partial state, never thrown away.
  let written: string | undefined;
  try {
    if (deps.writeLedger && deps.ledger) {
      const { attempts, text } = await deps.ledger.append(entry);
      written = text;
      steps.push(`Appended a ${entry.statusText} entry to ${deps.ledger.describe}${attempts > 1 ? ` (after ${attempts - 1} concurrent update(s))` : ''}`);
    }
  } catch (error) {
    const failure = `${config.tags.join(', ')} moved to ${manifest.digest}, but the ledger entry was not written: ${(error as Error).message}. Re-run to record it (moving the tags again is harmless).`;
    return { ...base, steps, tagResults, failure };
  }
  // A promotion and a rollback racing: the tags end where the last PUT left them, the ledger says what the
  // last append wrote. They can only disagree when another run wrote an entry for this tag between our first
  // read of the ledger (before our PUT) and our append: then, and only then, check what every tag serves
  // and put the ledger's newest entry back if needed. The final state is one of the two, and the ledger says
  // which; an uncontended promotion costs no extra request.
  if (written !== undefined && deps.ledger && entriesFor(parseLedger(written).entries, firstTag) - 1 !== entriesFor(entries, firstTag)) {
    try {
      const fixed = await converge(config, deps, manifest);
      if (fixed) steps.push(fixed);
    } catch (error) {
      log.warning(`Could not check ${firstTag} against the ledger after writing: ${(error as Error).message}`);
    }
  }
  try {
    if (config.gitTag && deps.gitTag) {
      if (/^[0-9a-f]{40}$/.test(commit)) {
        const { how, target } = await moveGitTag(config, deps, commit);
        steps.push(`Git tag ${config.gitTag} ${how === 'unchanged' ? 'already at' : how === 'created' ? 'created at' : 'moved to'} ${target}`);
      } else {
        log.warning(`Git tag ${config.gitTag} not moved: the ledger has only the short commit ${commit}`);
      }
    }
  } catch (error) {
    const failure = `${config.tags.join(', ')} moved and the ledger written, but git tag ${config.gitTag} was not moved to ${commit}: ${(error as Error).message}`;
    return { ...base, steps, tagResults, failure };
  }
  return { ...base, steps, tagResults };
}

/**
 * Moves the git tag to our commit; when a concurrent run moved it first, follows the ledger instead: the tag
 * ends on the commit of the ledger's newest entry for the first image tag, like the image tags themselves.
 */
async function moveGitTag(config: PromoteConfig, deps: PromoteDeps, commit: string): Promise<{ how: 'created' | 'moved' | 'unchanged'; target: string }> {
  let target = commit;
  for (let attempt = 0; attempt < 4; attempt++) {
    const how = await deps.gitTag!.move(config.gitTag!, target);
    if (how !== 'raced') return { how, target };
    const text = deps.ledger ? ((await deps.ledger.read()) ?? '') : '';
    const newest = [...parseLedger(text).entries]
      .reverse()
      .find((e) => (e.status === 'passed' || e.status === 'restored') && e.tags.includes(config.tags[0]!) && /^[0-9a-f]{40}$/.test(e.commit));
    target = newest?.commit ?? commit;
  }
  throw new Error(`git tag ${config.gitTag} kept moving under concurrent runs`);
}

/** The newest good entry (passed or restored) that moved this tag, with a digest. */
function newestGoodFor(entries: LedgerEntry[], tag: string): LedgerEntry | undefined {
  return [...entries].reverse().find((e) => (e.status === 'passed' || e.status === 'restored') && e.digest && e.tags.includes(tag));
}

/** How many good entries (passed or restored) name this tag. */
function entriesFor(entries: LedgerEntry[], tag: string): number {
  return entries.filter((e) => (e.status === 'passed' || e.status === 'restored') && e.tags.includes(tag)).length;
}

/**
 * Makes every tag serve the ledger's newest entry for the first tag; says what it changed, if anything.
 * Every tag is checked, not only the first: two runs' PUTs interleave per tag (ours on `stable`, theirs on
 * `latest`), so the first tag can agree with the ledger while another does not.
 */
async function converge(config: PromoteConfig, deps: PromoteDeps, ours: Manifest): Promise<string | undefined> {
  const firstTag = config.tags[0]!;
  const tags = [...new Set(config.tags)];
  const put: string[] = [];
  let target: LedgerEntry | undefined;
  for (let round = 0; round < 3; round++) {
    const text = (await deps.ledger!.read()) ?? '';
    target = [...parseLedger(text).entries]
      .reverse()
      .find((e) => (e.status === 'passed' || e.status === 'restored') && e.digest && e.tags.includes(firstTag));
    if (!target?.digest) return undefined;
    const served = await Promise.all(tags.map((t) => deps.registry.resolveDigest(t)));
    const stray = tags.filter((_, i) => served[i] !== target!.digest);
    if (stray.length === 0) break;
    const manifest = target.digest === ours.digest ? ours : await deps.registry.getManifest(target.digest);
    const results = await deps.registry.retag(manifest, stray);
    const failed = results.filter((r) => !r.ok);
    if (failed.length) throw new Error(failed.map((r) => `${r.tag}: ${r.error?.message}`).join('; '));
    put.push(...stray.filter((t) => !put.includes(t)));
  }
  if (put.length === 0 || !target?.digest) return undefined;
  return `A concurrent run moved ${put.join(', ')}; put back ${target.digest} (the ledger's newest entry for ${firstTag}, ${target.commit.slice(0, 7)})`;
}

async function readLedgerSafely(ledger: LedgerPort, required: boolean, log: Logger): Promise<string | undefined> {
  try {
    return (await ledger.read()) ?? '';
  } catch (error) {
    if (required) throw error;
    log.warning(`Could not read the ledger (${(error as Error).message}); metrics gate and restore detection skipped`);
    return undefined;
  }
}

/** The entry `:stable` stands on now: the newest passed/restored entry for that digest, else the newest of either. */
function currentStableEntry(entries: LedgerEntry[], digest: string): LedgerEntry | undefined {
  const rolledBack = new Set(entries.filter((e) => e.status === 'rolled-back').map((e) => e.commit));
  const good = entries.filter((e) => (e.status === 'passed' || e.status === 'restored') && !rolledBack.has(e.commit));
  const onDigest = [...good].reverse().find((e) => e.digest === digest);
  const pick = onDigest ?? good.at(-1);
  if (pick?.status === 'restored' && Object.keys(pick.metrics).length === 0) {
    return [...good].reverse().find((e) => e.status === 'passed' && e.commit === pick.commit) ?? pick;
  }
  return pick;
}
