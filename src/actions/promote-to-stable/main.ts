import { ConfigurationError } from '../../core/action/errors.js';
import type { Logger } from '../../core/action/log.js';
import type { NewLedgerEntry } from '../../core/ledger/schema.js';
import type { LedgerEntry } from '../../core/ledger/types.js';
import { parseLedger } from '../../core/ledger/parse.js';
import { currentBuild, tagHistory, type StackedBuild, type TagHistory } from '../../core/ledger/tag-history.js';
import { promotedCommit } from './build-commit.js';
import { checkRegressions, type OnMissing, type RegressionLimit, type RegressionVerdict } from './metrics.js';
import type { SourceSpec } from './plan.js';
import { pickFromLedger, type LedgerPick } from './ledger-source.js';
import { getSourceByTag } from './source-tag.js';

import { RegistryAccessError, type Manifest, type TagResult } from '../../core/registry/index.js';
import { describeOutcome } from '../../core/deploy/deploy.js';
import { DeployRaceError, type DeployOutcome, type DeployWhat } from '../../core/deploy/plan.js';

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
  append(entry: NewLedgerEntry): Promise<{ attempts: number; text: string }>;
}

export interface GitTagPort {
  /**
   * Compare-and-swap: points the tag at `sha` only if it still holds the value just read. `raced`: another
   * run moved it between our read and our write (nothing was overwritten).
   */
  move(tag: string, sha: string): Promise<'created' | 'moved' | 'unchanged' | 'raced'>;
  /** Why `tag` must not be used as a git tag name (a branch of that name exists), or undefined. */
  conflict?(tag: string): Promise<string | undefined>;
}

/** The deploy branch (and its optional second remote) as promote needs it (src/core/deploy implements it). */
export interface DeployPort {
  branch: string;
  /** Where the branch is written, for messages. */
  describe: string;
  /** Why the branch name cannot be used (a tag of that name exists), or undefined. */
  conflict?(): Promise<string | undefined>;
  /** Makes the branch hold the tree of `commit`, never forced (DeployRaceError when it moved under us). */
  update(commit: string, what: Omit<DeployWhat, 'branch'>): Promise<DeployOutcome>;
  /** The second remote (deploy-remote), pushed after the branch. */
  remote?: { describe: string; sync(deployCommit: string, what: Omit<DeployWhat, 'branch'>): Promise<DeployOutcome> };
}

export interface PromoteConfig {
  image: string;
  source: SourceSpec;
  sourceText: string;
  expectedDigest?: string;
  tags: string[];
  metrics: Record<string, number>;
  maxRegression: RegressionLimit[];
  /** What the gate does with a gated metric the baseline entry lacks (default fail). */
  onMissing?: OnMissing;
  /** An explicit rollback (the `rollback` input): a tag or digest source written as ⏪ Restored. */
  rollback?: boolean;
  gitTag?: string;
  /** The event's commit: the promoted build's commit when nothing more precise names it. */
  commit: string;
  runUrl: string;
  /** GITHUB_RUN_ATTEMPT: a re-run (> 1) of the run that wrote the newest ⏪ entry completes that rollback. */
  runAttempt?: number;
  dryRun: boolean;
  now: Date;
}

export interface PromoteDeps {
  registry: PromoteRegistry;
  /** Read access to the ledger (always when a token or workspace is there); writes go through `append`. */
  ledger?: LedgerPort;
  writeLedger: boolean;
  gitTag?: GitTagPort;
  deploy?: DeployPort;
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
  /** The ledger entry the metrics gate compared with, and why that one. */
  baseline?: { entry: LedgerEntry; why: string };
  /** Where the entry's commit comes from (source tag, ledger entry, revision annotation, event). */
  commitFrom: string;
  /** What was done (or, in a dry run, would be done), in order, for the summary. */
  steps: string[];
  /** Set when the step must fail: a regression, or a partial promotion, reported after outputs are written. */
  failure?: string;
  tagResults: TagResult[];
  /** The deploy branch after this run (undefined: not asked, not reached, or a dry run). */
  deploy?: DeployOutcome;
  /** Set when the deploy branch was to be updated and was not. */
  deployFailed?: string;
  /** The second remote after this run. */
  remoteDeploy?: DeployOutcome;
}

export async function promote(config: PromoteConfig, deps: PromoteDeps): Promise<PromoteResult> {
  const { registry, log } = deps;
  const steps: string[] = [];
  const isLedgerSource = config.source.kind === 'ledger' || config.source.kind === 'ledger-previous';
  const restored = isLedgerSource || config.rollback === true;
  const needLedger = isLedgerSource || config.rollback === true || config.maxRegression.length > 0;
  // A git tag named like a branch (`git-tag: main`) would make `main` ambiguous for every git command and
  // checkout: refused before anything changes.
  const conflict = config.gitTag && deps.gitTag?.conflict ? deps.gitTag.conflict(config.gitTag) : Promise.resolve(undefined);
  // When the ledger will be written it must be readable now, before any tag moves: a token that cannot read
  // it will not write it either, and a half-done promotion is worse than none.
  const deployConflict = deps.deploy?.conflict ? deps.deploy.conflict() : Promise.resolve(undefined);
  const [ledgerText, refConflict, branchConflict] = await Promise.all([
    deps.ledger ? readLedgerSafely(deps.ledger, needLedger || deps.writeLedger, log) : Promise.resolve(undefined),
    conflict,
    deployConflict,
  ]);
  if (refConflict) throw new ConfigurationError(`Input "git-tag": ${refConflict}`);
  if (branchConflict) throw new ConfigurationError(`Input "deploy-branch": ${branchConflict}`);
  const parsed = ledgerText === undefined ? undefined : parseLedger(ledgerText);
  for (const w of parsed?.warnings ?? []) log.warning(`Ledger line ${w.line}: ${w.message}`);
  const entries = parsed?.entries ?? [];

  const firstTag = config.tags[0]!;
  // Every reading is for this image on this tag: other images' and other tags' entries never count.
  const history = tagHistory(entries, { image: config.image, tag: firstTag });
  if (history.ambiguous) {
    log.warning(`Ledger: ${history.ambiguous} entr${history.ambiguous === 1 ? 'y' : 'ies'} without an Image line not counted for ${config.image}: the ledger names several images, so they cannot be attributed (add an Image line)`);
  }
  const ledgerCurrent = currentBuild(history);
  // What the first tag serves now (previous-digest). A promotion by tag or digest takes it from the ledger's
  // newest good entry for this image and tag, which greenline wrote when it last moved the tag: the promotion
  // is then exactly 1 GET + 1 PUT per tag. When the ledger does not name it (or is not read), and for a
  // rollback, the registry is asked: one HEAD, sent alongside the source GET.
  const known = !restored ? ledgerCurrent?.digest : undefined;
  const currentDigest = known ? Promise.resolve(known) : registry.resolveDigest(firstTag).then((d) => d ?? '');
  currentDigest.catch(() => {}); // awaited below; never an unhandled rejection while the source is fetched
  let pick: LedgerPick | undefined;
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
      pick = pickFromLedger(history, config.source, { runUrl: config.runUrl, attempt: config.runAttempt ?? 1 });
      manifestPromise = registry.getManifest(pick.entry.digest);
    }
  }
  const [previousDigest, manifest] = await Promise.all([currentDigest, manifestPromise]);
  if (config.expectedDigest && manifest.digest !== config.expectedDigest) {
    throw new ConfigurationError(
      `Input "expected-digest": ${config.sourceText} now resolves to ${manifest.digest}, not ${config.expectedDigest}; nothing was promoted`,
    );
  }
  // An explicit rollback to a tag or digest: the ledger's newest good entry of this image for that digest
  // says which build it is. A digest that merely matches an older entry (a reproducible build) is NOT a
  // rollback: promotion and rollback are told apart by intent, never by the digest.
  let fromLedger: LedgerEntry | undefined = pick?.entry;
  if (!fromLedger && restored) fromLedger = [...history.imageGood].reverse().find((e) => e.digest === manifest.digest);
  const { commit, from: commitFrom } = fromLedger
    ? { commit: fromLedger.commit, from: `ledger line ${fromLedger.line}` }
    : await promotedCommit(config.source, manifest, config.commit, registry, log);
  // The build rolled away from: what the tag serves by the ledger (a partial rollback re-run still names the
  // build it started from), else by the registry.
  const away = pick?.resumed ? pick.resumed.replaced : (ledgerCurrent?.digest ?? (previousDigest || undefined));
  const replaced = restored && away && away !== manifest.digest ? away : undefined;

  // Rollbacks restore a build that passed before: the gate is for new builds.
  const baseline = restored ? undefined : baselineFor(history, previousDigest);
  const regressions = restored ? [] : checkRegressions(config.maxRegression, config.metrics, baseline && metricsOf(baseline.build), config.onMissing);
  const worse = regressions.filter((r) => !r.ok);
  for (const r of regressions) if (r.missing === 'warn') log.warning(`max-regression: ${r.metric} is not in the baseline entry (${describeEntry(baseline!.build.newest)}): not judged (on-missing: warn)`);
  if (restored && config.maxRegression.length) steps.push('Regression gate not applied: a rollback restores a build that passed before');

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
    reason: restored ? `rolled back ${config.tags.join(', ')} from ${replaced ?? (previousDigest || 'nothing')}` : undefined,
    replaced,
    line: 0,
  };
  if (!entry.reason) delete entry.reason;
  if (!entry.replaced) delete entry.replaced;
  const base: Omit<PromoteResult, 'steps' | 'tagResults'> & Pick<PromoteResult, 'deploy' | 'deployFailed' | 'remoteDeploy'> = {
    digest: manifest.digest,
    previousDigest,
    tags: config.tags,
    moved: config.tags,
    entry,
    restored,
    dryRun: config.dryRun,
    regressions,
    commitFrom,
    ...(baseline ? { baseline: { entry: baseline.build.newest, why: baseline.why } } : {}),
  };
  if (pick) steps.push(`Restoring ${pick.entry.commit.slice(0, 12)} (${pick.entry.digest}): ${pick.why}`);

  if (worse.length > 0) {
    const what = worse.map(describeVerdict).join('; ');
    return { ...base, moved: [], steps: [`Refused: metrics regressed against the build ${firstTag} serves: ${what}`], tagResults: [], failure: `Not promoted: ${what}` };
  }

  const verb = config.dryRun ? 'Would move' : 'Moved';
  if (config.dryRun) {
    steps.push(`${verb} ${config.tags.join(', ')} to ${manifest.digest} (${manifest.mediaType})`);
    if (deps.writeLedger && deps.ledger && !pick?.resumed) steps.push(`Would append a ${entry.statusText} entry to ${deps.ledger.describe}`);
    if (config.gitTag && deps.gitTag) steps.push(`Would move git tag ${config.gitTag} to ${commit}`);
    if (deps.deploy) steps.push(`Would set deploy branch ${deps.deploy.branch} (${deps.deploy.describe}) to the tree of ${commit}, without force`);
    if (deps.deploy?.remote) steps.push(`Would push it to ${deps.deploy.remote.describe}, without force`);
    return { ...base, steps, tagResults: [] };
  }

  const tagResults = await registry.retag(manifest, config.tags);
  const moved = tagResults.filter((r) => r.ok).map((r) => r.tag);
  const failed = tagResults.filter((r) => !r.ok);
  if (failed.length && moved.length === 0 && failed.every((r) => isAuthRefusal(r.error))) {
    // The registry let us read but not write: the credentials lack push rights. Nothing moved.
    throw failed[0]!.error!;
  }
  if (moved.length) steps.push(`${verb} ${moved.join(', ')} to ${manifest.digest}`);
  if (failed.length) {
    const detail = failed.map((r) => `${r.tag}: ${isAuthRefusal(r.error) ? 'Input "password": ' : ''}${r.error?.message ?? 'failed'}`).join('; ');
    const state = moved.length ? `${moved.join(', ')} moved to ${manifest.digest}, ${failed.map((r) => r.tag).join(', ')} NOT moved` : 'no tag moved';
    return { ...base, moved, steps, tagResults, failure: `Partial ${restored ? 'rollback' : 'promotion'}: ${state} (${detail}); re-run to complete it. The ledger was not written.` };
  }

  // The tags have moved: from here on a failure is reported as exactly that partial state, never thrown away.
  // The deploy branch goes first so the ledger entry can name its commit; when it cannot be updated (someone
  // pushed to it, the token may not write it) the entry is written without a Deploy line: it records what
  // :stable serves, which is true, and says nothing of the branch.
  const what = { restored, digest: manifest.digest, ...(entry.version ? { version: entry.version } : {}) };
  if (deps.deploy) {
    try {
      if (!/^[0-9a-f]{40}$/.test(commit)) throw new Error(`the ledger has only the short commit ${commit}`);
      base.deploy = await deps.deploy.update(commit, what);
      entry.deploy = { branch: deps.deploy.branch, commit: base.deploy.commit };
      steps.push(describeOutcome(base.deploy, deps.deploy.describe));
    } catch (error) {
      if (error instanceof ConfigurationError) base.deployFailed = error.message;
      else base.deployFailed = `deploy branch ${deps.deploy.branch} NOT updated: ${(error as Error).message}`;
      steps.push(base.deployFailed);
      if (!(error instanceof DeployRaceError)) log.warning(base.deployFailed);
    }
  }
  const partialDeploy = (done: string) =>
    `${done}, but ${base.deployFailed}. The ledger entry has no Deploy line; re-run to update the branch.`;
  let written = false;
  let intervened = false;
  try {
    if (deps.writeLedger && deps.ledger && pick?.resumed) {
      steps.push(`The ledger already records this rollback (line ${pick.resumed.line}, an earlier attempt of this run): not written again`);
      written = true;
    } else if (deps.writeLedger && deps.ledger) {
      const { attempts, text } = await deps.ledger.append(entry);
      written = true;
      // Another run wrote an entry for this tag between our first read (before our PUTs) and our append.
      intervened = tagHistory(parseLedger(text).entries, history.scope).good.length - 1 !== history.good.length;
      steps.push(`Appended a ${entry.statusText} entry to ${deps.ledger.describe}${attempts > 1 ? ` (after ${attempts - 1} concurrent update(s))` : ''}`);
    }
  } catch (error) {
    const failure = `${config.tags.join(', ')} moved to ${manifest.digest}, but the ledger entry was not written: ${(error as Error).message}. Re-run to record it (moving the tags again is harmless).`;
    return { ...base, steps, tagResults, failure };
  }
  try {
    if (config.gitTag && deps.gitTag) {
      if (/^[0-9a-f]{40}$/.test(commit)) {
        const how = await deps.gitTag.move(config.gitTag, commit);
        if (how === 'raced') steps.push(`Git tag ${config.gitTag} was moved by a concurrent run: following the ledger`);
        else steps.push(`Git tag ${config.gitTag} ${how === 'unchanged' ? 'already at' : how === 'created' ? 'created at' : 'moved to'} ${commit}`);
        if (how === 'raced') intervened = true;
      } else {
        log.warning(`Git tag ${config.gitTag} not moved: the ledger has only the short commit ${commit}`);
      }
    }
  } catch (error) {
    const failure = `${config.tags.join(', ')} moved and the ledger written, but git tag ${config.gitTag} was not moved to ${commit}: ${(error as Error).message}. Re-run to complete it.`;
    return { ...base, steps, tagResults, failure };
  }
  // A promotion and a rollback racing: each ref ends where the last write left it, the ledger says what the
  // last append wrote. Before it ends, every run puts the refs it moved on the ledger's newest entry for the
  // tag; the run that appended last has the final word, and any run that moved a ref after it follows it.
  if (written && deps.ledger) {
    try {
      const fixed = await reconcile(config, deps, manifest, entry, intervened);
      steps.push(...fixed);
    } catch (error) {
      const failure = `${config.tags.join(', ')} moved and the ledger written, but checking them against the ledger's newest entry failed: ${(error as Error).message}. Re-run to complete it.`;
      return { ...base, steps, tagResults, failure };
    }
  }
  const done = `${config.tags.join(', ')} moved to ${manifest.digest}${written ? ' and the ledger written' : ''}`;
  if (base.deployFailed) return { ...base, steps, tagResults, failure: partialDeploy(done) };
  if (deps.deploy?.remote && base.deploy) {
    try {
      base.remoteDeploy = await deps.deploy.remote.sync(base.deploy.commit, what);
      steps.push(describeOutcome(base.remoteDeploy, deps.deploy.remote.describe).replace(/^Deploy branch/, 'Remote branch'));
    } catch (error) {
      const failure = `${done}, deploy branch ${base.deploy.branch} at ${base.deploy.commit}, but the push to ${deps.deploy.remote.describe} failed: ${(error as Error).message}`;
      return { ...base, steps, tagResults, failure };
    }
  }
  return { ...base, steps, tagResults };
}

function isAuthRefusal(error: Error | undefined): boolean {
  return error instanceof RegistryAccessError && (error.status === 401 || error.status === 403);
}

function sameEntry(a: LedgerEntry, b: LedgerEntry): boolean {
  return a.commit === b.commit && a.digest === b.digest && a.status === b.status && a.timestamp === b.timestamp && (a.run ?? '') === (b.run ?? '');
}

/**
 * Puts every image tag and the git tag on the ledger's newest entry for this image and first tag, re-reading
 * after each change until they agree. Costs one ledger read when nothing raced (then no registry request).
 */
async function reconcile(config: PromoteConfig, deps: PromoteDeps, ours: Manifest, entry: LedgerEntry, intervened: boolean): Promise<string[]> {
  const firstTag = config.tags[0]!;
  const tags = [...new Set(config.tags)];
  const said: string[] = [];
  let mustCheck = intervened;
  // After any change, read again: a run that read the ledger before another's append may have just put back
  // an older entry's build, and only a fresh read shows it the newer one.
  for (let round = 0; round < 10; round++) {
    const text = (await deps.ledger!.read()) ?? '';
    const newest = tagHistory(parseLedger(text).entries, { image: config.image, tag: firstTag }).good.at(-1);
    if (!newest?.digest) return said;
    if (!mustCheck && sameEntry(newest, entry)) return said;
    let changed = false;
    const served = await Promise.all(tags.map((t) => deps.registry.resolveDigest(t)));
    const stray = tags.filter((_, i) => served[i] !== newest.digest);
    if (stray.length) {
      const manifest = newest.digest === ours.digest ? ours : await deps.registry.getManifest(newest.digest);
      const results = await deps.registry.retag(manifest, stray);
      const failed = results.filter((r) => !r.ok);
      if (failed.length) throw new Error(failed.map((r) => `${r.tag}: ${r.error?.message}`).join('; '));
      said.push(`A concurrent run moved ${stray.join(', ')}; put back ${newest.digest} (the ledger's newest entry for ${firstTag}, ${newest.commit.slice(0, 7)})`);
      changed = true;
    }
    if (config.gitTag && deps.gitTag && /^[0-9a-f]{40}$/.test(newest.commit)) {
      const how = await deps.gitTag.move(config.gitTag, newest.commit);
      if (how === 'moved' || how === 'created') {
        said.push(`Git tag ${config.gitTag} put on ${newest.commit} (the ledger's newest entry for ${firstTag})`);
        changed = true;
      }
      if (how === 'raced') changed = true;
    }
    // The deploy branch follows the same entry (only when this run updated it: a failed update is reported as such).
    if (deps.deploy && entry.deploy && /^[0-9a-f]{40}$/.test(newest.commit)) {
      try {
        const o = await deps.deploy.update(newest.commit, { restored: newest.status === 'restored', digest: newest.digest, ...(newest.version ? { version: newest.version } : {}) });
        if (o.kind !== 'unchanged') {
          said.push(`${describeOutcome(o, deps.deploy.describe)} (the ledger's newest entry for ${firstTag})`);
          changed = true;
        }
      } catch (error) {
        if (!(error instanceof DeployRaceError)) throw error;
        changed = true;
      }
    }
    if (!changed) return said;
    mustCheck = true;
  }
  // Still moving: other runs are appending and reconciling right now. The one that appends last checks the
  // refs after its append and has the final word, so leaving here loses nothing.
  said.push(`Refs still moving under concurrent runs after 10 checks: the run that wrote the ledger's newest entry settles them`);
  return said;
}

/**
 * The entry the metrics gate compares with: the build the first tag serves (the registry's answer when the
 * tag's history holds it, else the ledger's top), with the metrics of the entry that promoted it.
 */
function baselineFor(history: TagHistory, served: string): { build: StackedBuild; why: string } | undefined {
  const onServed = served ? [...history.stack].reverse().find((b) => b.digest === served) : undefined;
  if (onServed) return { build: onServed, why: `the build ${history.scope.tag} serves` };
  const top = currentBuild(history);
  return top ? { build: top, why: `the ledger's current build for ${history.scope.tag}` } : undefined;
}

function metricsOf(build: StackedBuild): Record<string, number> {
  return { ...build.entry.metrics, ...build.newest.metrics };
}

export function describeEntry(e: LedgerEntry): string {
  return `${e.commit.slice(0, 7)}, ledger line ${e.line}${e.digest ? `, ${e.digest.slice(0, 19)}…` : ''}`;
}

function describeVerdict(r: RegressionVerdict): string {
  if (r.missing) return `${r.metric} is not in the baseline entry (on-missing: fail; add the metric to the baseline or say on-missing: warn or skip in max-regression)`;
  return `${r.metric} ${r.baseline} → ${r.candidate} (${(r.worsening * 100).toFixed(2)} % worse, limit ${(r.limit * 100).toFixed(2)} %)`;
}

async function readLedgerSafely(ledger: LedgerPort, required: boolean, log: Logger): Promise<string | undefined> {
  try {
    return (await ledger.read()) ?? '';
  } catch (error) {
    if (required) throw error;
    log.warning(`Could not read the ledger (${(error as Error).message}); previous-digest asked from the registry`);
    return undefined;
  }
}

