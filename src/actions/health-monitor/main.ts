import type { RunContext } from '../../core/action/context.js';
import { describeError } from '../../core/action/errors.js';
import type { Logger } from '../../core/action/log.js';
import type { ActionResult } from '../../core/action/runner.js';
import type { IncidentApi } from '../../core/incident/api.js';
import { defaultFingerprint } from '../../core/incident/fingerprint.js';
import { openIncident } from '../../core/incident/lookup.js';
import type { IncidentState } from '../../core/incident/state.js';
import { markRolledBack, reaffirmation, type RevertResult } from '../../core/lastgood/revert.js';
import { parseLedger } from '../../core/ledger/parse.js';
import { stableLine, stableOutputs, tagServes } from '../../core/ledger/stable-serves.js';
import { currentBuild, previousBuild, tagHistory, type StackedBuild } from '../../core/ledger/tag-history.js';
import type { LedgerEntry } from '../../core/ledger/types.js';
import type { SendDeps } from '../../core/notify/send.js';
import type { WebhookSettings } from '../../core/notify/settings.js';
import { cell, shortSha } from '../../core/util/text.js';
import type { HealthGateResult } from '../health-gate/main.js';
import type { IncidentInputs } from '../open-incident-issue/inputs.js';
import { main as incidentMain } from '../open-incident-issue/main.js';
import type { LedgerPort, PromoteResult } from '../promote-to-stable/main.js';
import { renderSummary as promoteSummary } from '../promote-to-stable/summary.js';

/** What this run did, the `action-taken` output. */
export type ActionTaken = 'none' | 'rolled-back' | 'incident-updated' | 'resolved';

export interface MonitorConfig {
  /** The image repository :stable belongs to (registry/repository, lowercase). */
  image: string;
  /** The tags a rollback moves; the first is the one the ledger is read for (`stable`). */
  tags: string[];
  ledgerPath: string;
  /** The branch reverted when its head is the bad build (the ledger's branch too). */
  branch: string;
  /**
   * open-incident-issue's inputs for the incident (mode and kind aside), without the parts the outcome
   * decides: failing-sha, restored-sha, health-report, details.
   */
  incident: IncidentInputs;
  /** The `details` input, appended to what greenline writes about the run. */
  details: string;
  context: RunContext;
  dryRun: boolean;
  now: Date;
}

export interface MonitorDeps {
  /** health-gate, in-process, on inputs already checked. */
  gate(): Promise<HealthGateResult>;
  /** The ledger on the branch: read, and the compare-and-swap append promote-to-stable uses. */
  ledger: LedgerPort;
  /**
   * auto-revert in-process (failed-in: production) for the bad build: the branch is reverted only when its
   * head is that build (greenline's ledger commits above it aside), never forced, [skip ci] and trailers.
   */
  revert(build: string, reason: string): Promise<{ result: RevertResult; summary: string }>;
  /** promote-to-stable in-process with `source: ledger:previous`, `rollback: true`: the ⏪ Restored entry. */
  restore(): Promise<PromoteResult>;
  issues: IncidentApi;
  log: Logger;
  now: () => number;
  webhook?: { settings: WebhookSettings; send: SendDeps };
}

export interface MonitorOutcome extends ActionResult {
  actionTaken: ActionTaken;
}

/** What the run found about :stable before acting. */
interface Found {
  gate: HealthGateResult;
  entries: LedgerEntry[];
  top?: StackedBuild;
  previous?: StackedBuild;
  incident?: { number: number; state: IncidentState };
}

/** What a rollback did, step by step, for the incident, the summary and the outputs. */
interface Rollback {
  bad: StackedBuild;
  revert?: RevertResult;
  revertSummary?: string;
  revertCrash?: string;
  /** The ⛔ appended to the ledger when the branch was not reverted ('' when none was needed or written). */
  marked: string;
  restore?: PromoteResult;
  restoreCrash?: string;
}

/**
 * The one-step health monitor: gate the live service; unhealthy and :stable serving a promoted build → mark it
 * ⛔, revert the branch when its head is that build, roll :stable back to the previous good build, and open or
 * update one incident saying what was done; unhealthy and already rolled back → the incident only (never a
 * second step back on its own); healthy → resolve the incident. Everything in this process, on the suite's
 * core: the ledger is read with its parser, whatever style it is written in.
 */
export async function main(config: MonitorConfig, deps: MonitorDeps): Promise<MonitorOutcome> {
  const { log } = deps;
  const gate = await deps.gate();
  const tag = config.tags[0]!;
  const text = (await deps.ledger.read()) ?? '';
  const parsed = parseLedger(text);
  for (const w of parsed.warnings) log.warning(`Ledger line ${w.line}: ${w.message}`);
  const history = tagHistory(parsed.entries, { image: config.image, tag });
  const found: Found = { gate, entries: parsed.entries, top: currentBuild(history), previous: previousBuild(history) };

  let actionTaken: ActionTaken = 'none';
  let rollback: Rollback | undefined;
  let incident: ActionResult | undefined;
  let why: string;
  if (gate.rollback) {
    found.incident = await openIncident(deps.issues, incidentFingerprint(config));
    const already = alreadyRolledBack(found);
    if (found.top && !already && found.previous) {
      rollback = await rollBack(found.top, config, deps, gate);
      why = rollback.restore && !rollback.restoreCrash && !rollback.restore.failure ? `:${tag} rolled back to the previous good build` : `rolling :${tag} back failed`;
      if (rollback.restore && !rollback.restoreCrash && rollback.restore.moved.length) actionTaken = 'rolled-back';
    } else {
      why = already ?? (found.top ? `no earlier good build of ${config.image} below ${shortSha(found.top.entry.commit)} in the ledger: nothing to roll back to` : `${config.ledgerPath} records no build promoted to :${tag}: nothing to roll back`);
    }
    incident = await tellIncident(config, deps, found, rollback, why);
    if (actionTaken === 'none') actionTaken = 'incident-updated';
  } else if (gate.healthy) {
    incident = await incidentMain({ ...config.incident, mode: 'resolve', 'health-report': gate.report, details: '' }, config.context, incidentDeps(deps));
    actionTaken = incident.outputs.operation === 'closed' ? 'resolved' : 'none';
    why = actionTaken === 'resolved' ? 'healthy: the incident is resolved' : 'healthy: no incident open';
  } else {
    why = `${gate.status}: not bad enough to roll back (rollback-on), not healthy enough to resolve an incident`;
  }
  log.info(`health-monitor: ${gate.status} → ${actionTaken} (${why})`);

  // What :stable serves now, by the ledger (re-read after a rollback: the ⏪ entry is the answer).
  const after = rollback?.restore && !rollback.restoreCrash ? parseLedger((await deps.ledger.read().catch(() => text)) ?? text).entries : found.entries;
  const serves = tagServes(after, { image: config.image, tag });
  const failures = [
    rollback?.revertCrash && `Reverting ${config.branch} failed: ${rollback.revertCrash}`,
    rollback?.revert?.failure,
    rollback?.restoreCrash && `Rolling :${tag} back failed: ${rollback.restoreCrash}`,
    rollback?.restore?.failure,
    incident?.failure,
    gate.failure,
  ].filter((f): f is string => !!f);
  const outputs: Record<string, string> = {
    healthy: String(gate.healthy),
    status: gate.status,
    score: String(gate.score),
    report: gate.report,
    'action-taken': actionTaken,
    reason: why,
    ...stableOutputs(serves),
    'rolled-back-from': rollback?.restore && rollback.restore.moved.length ? rollback.bad.digest : '',
    'revert-sha': rollback?.revert?.revertSha ?? '',
    'issue-number': String(incident?.outputs['issue-number'] ?? ''),
    'issue-url': String(incident?.outputs['issue-url'] ?? ''),
    operation: String(incident?.outputs.operation ?? 'none'),
  };
  const summary = [
    gate.summary.trimEnd(),
    '',
    `### ${actionTaken === 'rolled-back' ? '⏪' : actionTaken === 'resolved' ? '✅' : actionTaken === 'incident-updated' ? '🔴' : '⚪'} Health monitor: ${actionTaken}`,
    '',
    `**Why:** ${cell(why, 1000)}`,
    '',
    stableLine(serves, config.ledgerPath),
    ...(rollback?.revertSummary ? ['', rollback.revertSummary.trimEnd()] : []),
    ...(rollback?.restore ? ['', promoteSummary(rollback.restore).trimEnd()] : []),
    ...(incident?.summary ? ['', incident.summary.trimEnd()] : []),
    '',
  ].join('\n');
  return { outputs, summary, ...(failures.length ? { failure: failures.join('; ') } : {}), actionTaken };
}

function incidentFingerprint(config: MonitorConfig): string {
  return config.incident.fingerprint ?? defaultFingerprint(config.context.workflow, config.context.job);
}

/**
 * Why this run must not roll :stable back again, or undefined: :stable serves a ⏪ Restored build (the
 * monitor, or a person, already went back), or this fingerprint's incident is open and records a rollback
 * (a build promoted since is not rolled back while people are on it: the outage may not be the build's).
 */
function alreadyRolledBack(found: Found): string | undefined {
  if (found.top?.newest.status === 'restored') {
    return `:stable was already rolled back and the service is still unhealthy: not rolled back further (it serves the ⏪ restored build ${shortSha(found.top.entry.commit)}). A person is needed.`;
  }
  if (found.incident?.state.restored) {
    return `incident #${found.incident.number} is open and records a rollback (to ${shortSha(found.incident.state.restored)}): the service is still unhealthy, and :stable is not walked back further while it is open. A person is needed.`;
  }
  return undefined;
}

async function rollBack(bad: StackedBuild, config: MonitorConfig, deps: MonitorDeps, gate: HealthGateResult): Promise<Rollback> {
  const { log } = deps;
  const reason = `Health gate ${gate.status} (score ${gate.score})`;
  const out: Rollback = { bad, marked: '' };
  // 1. The branch, first: the restore's ledger commit would otherwise land on top of it; the revert keeps
  //    greenline's ledger commits above the build and writes the ⛔ entry into its own commit.
  if (/^[0-9a-f]{40}$/i.test(bad.entry.commit)) {
    try {
      const { result, summary } = await deps.revert(bad.entry.commit.toLowerCase(), reason);
      out.revert = result;
      out.revertSummary = summary;
      if (out.revert.warning) log.warning(out.revert.warning);
      else log.info(out.revert.reason);
    } catch (error) {
      log.debug(error instanceof Error ? (error.stack ?? error.message) : String(error));
      out.revertCrash = describeError(error);
      log.warning(`${config.branch} not reverted: ${out.revertCrash}`);
    }
  }
  // 2. The build is bad in production whatever happened to the branch: ⛔ in the ledger (and the last good
  //    build recorded again, for the seed's one-liner), unless the revert commit on the branch carries it (a
  //    revert waiting in a pull request does not: it may never be merged).
  if (!out.revert?.reverted && !config.dryRun) {
    try {
      out.marked = await markBad(bad, config, deps, out.revert, reason);
    } catch (error) {
      log.warning(`build ${shortSha(bad.entry.commit)} not marked ⛔: ${describeError(error)}`);
    }
  }
  // 3. The service: :stable (and the other tags) back to the previous good build, ⏪ Restored.
  try {
    out.restore = await deps.restore();
    for (const step of out.restore.steps) log.info(step);
  } catch (error) {
    log.debug(error instanceof Error ? (error.stack ?? error.message) : String(error));
    out.restoreCrash = describeError(error);
  }
  //    promote() moves the deploy branch (deploy-branch) with the tags: one commit of the restored build's tree.
  return out;
}

/** Appends ⛔ for the bad build (and its ✅ target again) when the branch's revert did not write it. */
async function markBad(bad: StackedBuild, config: MonitorConfig, deps: MonitorDeps, revert: RevertResult | undefined, reason: string): Promise<string> {
  const text = (await deps.ledger.read()) ?? '';
  const target = previousBuild(tagHistory(parseLedger(text).entries, { image: config.image, tag: config.tags[0]! }))?.entry.commit ?? '';
  const why = `${reason}; ${config.branch} not reverted${revert ? `: ${revert.reason}` : ''}`;
  const marked = markRolledBack(text, bad.entry.commit, target, { reason: why, now: config.now, runUrl: config.context.runUrl });
  if (marked === undefined || marked === 'not-utf8') return '';
  const { text: withMarker } = await deps.ledger.append(marked.entry);
  const again = target ? reaffirmation(parseLedger(withMarker).entries, bad.entry.commit, target, config.now, config.context.runUrl) : undefined;
  if (again) await deps.ledger.append(again);
  deps.log.info(`Marked ${shortSha(bad.entry.commit)} ⛔ Rolled back in ${config.ledgerPath}`);
  return bad.entry.commit;
}

function incidentDeps(deps: MonitorDeps) {
  return { api: deps.issues, log: deps.log, now: deps.now, ...(deps.webhook ? { webhook: deps.webhook } : {}) };
}

async function tellIncident(config: MonitorConfig, deps: MonitorDeps, found: Found, rollback: Rollback | undefined, why: string): Promise<ActionResult> {
  const restored = rollback?.restore && !rollback.restoreCrash && rollback.restore.moved.length ? rollback.restore.entry.commit : '';
  const failing = rollback?.revert?.failing?.sha ?? found.top?.entry.commit ?? '';
  const details = [...(rollback ? rollbackLines(config, rollback) : [`- ${why}`]), ...(config.details.trim() ? ['', config.details.trim()] : [])].join('\n');
  return incidentMain(
    {
      ...config.incident,
      mode: 'open',
      kind: 'health',
      'failing-sha': failing,
      'restored-sha': restored || undefined,
      'health-report': found.gate.report,
      details,
    },
    config.context,
    incidentDeps(deps),
  );
}

/** What a rollback did, one line a step, for the incident (neutralised there: reasons quote commit subjects). */
export function rollbackLines(config: MonitorConfig, r: Rollback): string[] {
  const tag = config.tags[0]!;
  const bad = shortSha(r.bad.entry.commit);
  const lines: string[] = [];
  if (r.restoreCrash) lines.push(`- Rolling :${tag} back FAILED (${r.restoreCrash}): it still serves build ${bad}. A person is needed.`);
  else if (r.restore?.dryRun) lines.push(`- Dry run: :${tag} would be rolled back from \`${r.bad.digest}\` to \`${r.restore.digest}\` (build ${shortSha(r.restore.entry.commit)}).`);
  else if (r.restore?.failure) lines.push(`- Rolling :${tag} back did not complete: ${r.restore.failure}`);
  else if (r.restore) lines.push(`- :${tag} rolled back from \`${r.bad.digest}\` (build ${bad}) to \`${r.restore.digest}\` (build ${shortSha(r.restore.entry.commit)}), ⏪ Restored in ${config.ledgerPath}.`);
  const v = r.revert;
  if (r.revertCrash) lines.push(`- Reverting ${config.branch} FAILED (${r.revertCrash}): check ${config.branch}.`);
  else if (!v) lines.push(`- ${config.branch} not checked: the ledger names only the short commit ${bad}.`);
  else if (v.reverted) lines.push(`- Build ${bad} marked ⛔; ${config.branch} reverted to the last good build ${shortSha(v.targetSha)}: new commit ${shortSha(v.revertSha)} ([skip ci]).`);
  else if (v.pullRequestUrl) lines.push(`- ${config.branch} is protected: its revert to ${shortSha(v.targetSha)} waits in a pull request, ${v.pullRequestUrl}.`);
  else if (v.outcome === 'dry-run') lines.push(`- Dry run: ${config.branch} would be reverted to ${shortSha(v.targetSha)} and build ${bad} marked ⛔.`);
  else if (v.outcome === 'branch-moved') lines.push(`- ${config.branch} has moved on since build ${bad} (${v.reason}): not reverted. Check ${config.branch}: the bad change may still be there.`);
  else lines.push(`- ${config.branch} not reverted: ${v.reason}.`);
  if (r.marked) lines.push(`- Build ${bad} marked ⛔ Rolled back in ${config.ledgerPath}: never restored or found as last good again.`);
  return lines;
}
