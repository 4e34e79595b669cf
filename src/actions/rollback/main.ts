import type { RunContext } from '../../core/action/context.js';
import { ConfigurationError, describeError } from '../../core/action/errors.js';
import type { Logger } from '../../core/action/log.js';
import type { ActionResult } from '../../core/action/runner.js';
import type { IncidentApi } from '../../core/incident/api.js';
import { type IncidentResult, runIncident } from '../../core/incident/incident.js';
import type { IncidentKind } from '../../core/incident/state.js';
import type { NotifyOutcome } from '../../core/notify/notify.js';
import type { SendDeps } from '../../core/notify/send.js';
import type { WebhookSettings } from '../../core/notify/settings.js';
import { autoRevert, type RevertConfig, type RevertDeps, type RevertResult } from '../../core/lastgood/revert.js';
import { cell, shortSha } from '../../core/util/text.js';
import { stableOutputs } from '../../core/ledger/stable-serves.js';
import { culpritLines, culpritOutputs, revertSummary, stableOf, tellAuthor } from '../auto-revert/main.js';
import type { IncidentInputs } from '../open-incident-issue/inputs.js';
import { fileIncident } from '../open-incident-issue/file.js';
import { configure } from '../open-incident-issue/main.js';

/**
 * What the rollback came to, which decides whether people are told:
 * - `reverted`: the branch now has the last good tree (incident opened or updated, kind as configured);
 * - `would-revert`: dry run of a revert (the incident step runs as a dry run too);
 * - `pull-request`: the branch is protected, a revert pull request waits (incident, kind failure);
 * - `not-reverted`: the branch is still broken and greenline did not revert it: no good build, the failing
 *   commit is itself a revert, the daily cap, protected without fallback, or the rollback failed (incident,
 *   kind failure: a person is needed);
 * - `superseded`: the branch moved on since the failure: its new head gets its own verdict (no incident);
 * - `nothing-to-do`: the failing commit already has the good tree, or (confirm: rerun) the run passed (no incident);
 * - `confirming`: confirm: rerun asked GitHub to re-run the failed jobs; that attempt decides (no incident yet).
 */
export type Verdict = 'reverted' | 'would-revert' | 'pull-request' | 'not-reverted' | 'superseded' | 'nothing-to-do' | 'confirming';

export interface RollbackConfig {
  revert: RevertConfig;
  /**
   * open-incident-issue's inputs (mode open) for the incident, without the parts the outcome decides (kind,
   * failing-sha, restored-sha, details); undefined with `incident: false`.
   */
  incident?: IncidentInputs;
  /** The `details` input: appended to what greenline writes about the rollback. */
  details: string;
  context: RunContext;
}

export interface RollbackDeps {
  revert: RevertDeps;
  /** The issues port; required when `config.incident` is set. */
  issues?: IncidentApi;
  log: Logger;
  now: () => number;
  /** Chat notifications: set when `webhook-url` is (and `incident` is true: chat follows the incident). */
  webhook?: { settings: WebhookSettings; send: SendDeps };
}

export interface RollbackOutcome extends ActionResult {
  verdict: Verdict;
  revert?: RevertResult;
  incident?: IncidentResult;
}

/**
 * The one-step rollback: find the last good commit and restore its tree on top of the failing commit
 * (auto-revert, which runs find-last-good-commit's rules in-process), then open or update the incident issue
 * (open-incident-issue), all in this process on the same core. A mistake in the inputs or the repository
 * (ConfigurationError) stops before anything changes; any other failure is reported as the step's failure
 * after the outputs are written, and people are told through the incident when it can still be opened.
 */
export async function main(config: RollbackConfig, deps: RollbackDeps): Promise<RollbackOutcome> {
  const { log } = deps;
  let result: RevertResult | undefined;
  let verdict: Verdict;
  let crash: string | undefined;
  try {
    result = await autoRevert(config.revert, deps.revert);
    if (result.warning) log.warning(result.warning);
    else log.info(result.reason);
    await tellAuthor(result, config.revert, deps.revert);
    verdict = await classify(result, config, deps);
  } catch (error) {
    if (error instanceof ConfigurationError) throw error;
    log.debug(error instanceof Error ? (error.stack ?? error.message) : String(error));
    crash = describeError(error);
    verdict = 'not-reverted';
  }

  const reason = crash !== undefined ? `the rollback failed: ${crash}` : result!.reason;
  let incident: IncidentResult | undefined;
  let incidentSummary: string;
  let incidentFailure: string | undefined;
  let chat: NotifyOutcome | undefined;
  const tell = verdict !== 'superseded' && verdict !== 'nothing-to-do' && verdict !== 'confirming';
  if (config.incident && result?.flaky) {
    // A flaky failure opens no issue; an incident already open for this branch hears that the failure it is
    // about may not reproduce.
    const incidentConfig = configure({ ...config.incident, mode: 'open', 'failing-sha': config.revert.failingSha, details: flakyNote(config, result) }, { ...config.context, branch: config.revert.branch }, log);
    try {
      incident = await runIncident({ ...incidentConfig, mode: 'note' }, { api: deps.issues!, log, now: deps.now });
      incidentSummary = incident.operation === 'commented' ? `🟡 Flaky failure noted on the open incident #${incident.issueNumber}.` : '⚪ No incident issue: the failure did not reproduce on re-run (flaky); no incident is open to note it on.';
    } catch (error) {
      if (error instanceof ConfigurationError) throw error;
      incidentFailure = `the flaky failure could not be noted on the incident: ${describeError(error)}`;
      log.warning(incidentFailure);
      incidentSummary = `⚠️ ${cell(incidentFailure, 600)}`;
    }
  } else if (config.incident && tell) {
    const configured = configure(incidentInputs(config, config.incident, verdict, result, crash), { ...config.context, branch: config.revert.branch }, log);
    const undone = (verdict === 'reverted' || verdict === 'would-revert') && culpritUndone(result) ? result!.culprit!.commit!.sha : undefined;
    const incidentConfig = undone ? { ...configured, undoneSha: undone } : configured;
    const rolledBack = verdict === 'reverted' || verdict === 'would-revert' || verdict === 'pull-request';
    const extras = { what: chatLine(config, verdict, result, crash), ...(rolledBack && result ? { commits: result.undone } : {}) };
    const filed = await fileIncident(incidentConfig, extras, { api: deps.issues!, log, now: deps.now, ...(deps.webhook ? { webhook: deps.webhook } : {}) }, config.revert.dryRun);
    incident = filed.incident;
    chat = filed.chat;
    incidentFailure = filed.failure;
    incidentSummary = filed.summary;
  } else {
    const why = !config.incident
      ? 'incident: false'
      : verdict === 'superseded'
        ? `${config.revert.branch} moved on since the failure`
        : verdict === 'confirming'
          ? 'the failure is being confirmed by a re-run first'
          : 'nothing to roll back';
    incidentSummary = `⚪ No incident issue: ${cell(why)}.`;
    log.info(`No incident issue: ${why}`);
  }

  const entry = result?.find?.found && result.find.sha === result.targetSha ? result.find.entry : undefined;
  const outputs: Record<string, string> = {
    found: String(result !== undefined && result.targetSha !== ''),
    sha: result?.targetSha ?? '',
    'short-sha': result?.targetSha ? shortSha(result.targetSha) : '',
    image: entry?.image ?? '',
    digest: entry?.digest ?? '',
    entry: entry ? JSON.stringify(entry) : '',
    'target-sha': result?.targetSha ?? '',
    outcome: result?.outcome ?? 'failed',
    reverted: String(result?.reverted ?? false),
    'revert-sha': result?.revertSha ?? '',
    'pull-request-url': result?.pullRequestUrl ?? '',
    reason,
    'issue-number': incident?.issueNumber !== undefined ? String(incident.issueNumber) : '',
    'issue-url': incident?.issueUrl ?? '',
    operation: incident?.operation ?? 'none',
    ...stableOutputs(result ? stableOf(result) : undefined),
    ...culpritOutputs(result),
  };

  const parts: string[] = [];
  if (result) parts.push(revertSummary(result, config.revert).trimEnd());
  else parts.push(`### ❌ ${cell(config.revert.branch)} not rolled back`, '', `**Why:** ${cell(reason, 2000)}`);
  parts.push('', incidentSummary, '');

  const failures = [crash ? `Rolling back ${config.revert.branch} failed: ${crash}` : result?.failure, incidentFailure, chat?.failure].filter((f): f is string => !!f);
  return {
    outputs,
    summary: parts.join('\n'),
    ...(failures.length ? { failure: failures.join('; ') } : {}),
    verdict,
    ...(result ? { revert: result } : {}),
    ...(incident ? { incident } : {}),
  };
}

async function classify(result: RevertResult, config: RollbackConfig, deps: RollbackDeps): Promise<Verdict> {
  if (result.reverted) return 'reverted';
  if (result.outcome === 'confirming') return 'confirming';
  if (result.pullRequestUrl) return 'pull-request';
  if (result.failure) return 'not-reverted';
  if (result.outcome === 'branch-moved') return 'superseded';
  if (result.outcome === 'already-reverted' || result.outcome === 'nothing-to-undo' || result.outcome === 'not-branch-failure' || result.outcome === 'run-passed') return 'nothing-to-do';
  if (result.warning) {
    // Stopped with a warning: superseded when the branch no longer points at the failing commit (someone
    // pushed, or won the race), else the branch is still broken.
    let head: string | undefined;
    try {
      head = await deps.revert.backend.branchHead(config.revert.branch);
    } catch (error) {
      deps.log.debug(`could not re-read ${config.revert.branch}: ${(error as Error).message}`);
    }
    return result.failing && head !== undefined && head !== result.failing.sha ? 'superseded' : 'not-reverted';
  }
  if (result.dryRun && result.message !== undefined) return 'would-revert';
  return 'nothing-to-do';
}

function incidentInputs(config: RollbackConfig, base: IncidentInputs, verdict: Verdict, result: RevertResult | undefined, crash: string | undefined): IncidentInputs {
  const rolledBack = verdict === 'reverted' || verdict === 'would-revert';
  const kind: IncidentKind = rolledBack ? base.kind : 'failure';
  // undo: culprit put no older tree back: the incident names the commit undone instead of a restored one.
  const restored = rolledBack && result?.targetSha && !culpritUndone(result) ? result.targetSha : undefined;
  return {
    ...base,
    mode: 'open',
    kind,
    'failing-sha': result?.failing?.sha ?? config.revert.failingSha,
    'restored-sha': restored,
    details: incidentDetails(config, verdict, result, crash),
  };
}

/** What greenline did, for the incident's details section (neutralised there: commit subjects are untrusted). */
export function incidentDetails(config: RollbackConfig, verdict: Verdict, result: RevertResult | undefined, crash: string | undefined): string {
  const branch = config.revert.branch;
  const failing = shortSha(result?.failing?.sha ?? config.revert.failingSha);
  const target = result?.targetSha ? shortSha(result.targetSha) : '';
  const lines: string[] = [];
  if (crash) lines.push(`**${branch} was not rolled back**: the rollback failed (${crash}). Check ${branch} and the run.`);
  else if (verdict === 'reverted' && culpritUndone(result)) {
    lines.push(`**${branch} was rolled back**: greenline undid only the culprit ${shortSha(result!.culprit!.commit!.sha)} on top of ${failing}, keeping ${result!.culprit!.kept.length} commit(s): new commit ${shortSha(result!.revertSha)} ([skip ci]).`);
  } else if (verdict === 'reverted') lines.push(`**${branch} was rolled back** from ${failing} to the tree of the last good build ${target}: new commit ${shortSha(result!.revertSha)} ([skip ci]).`);
  else if (verdict === 'would-revert') lines.push(`**Dry run**: ${branch} would be rolled back from ${failing} to the tree of ${target}. Nothing was changed.`);
  else if (verdict === 'pull-request') lines.push(`**${branch} is protected**: the rollback to ${target} waits in a pull request, ${result!.pullRequestUrl}. Merge it to roll back.`);
  else if (result?.outcome === 'not-a-regression') {
    lines.push(`**${branch} was not rolled back**: the failure of ${failing} is not caused by a code change (its tree already passed: ${result.find?.headPassed?.why ?? 'see the reason'}). It is flaky or environmental: re-run the failed jobs, or look at what changed outside the code. No build was marked ⛔.`);
  } else lines.push(`**${branch} was not rolled back** and is still on ${failing}: ${result?.reason ?? ''}. A person is needed.`);
  if (result?.confirmed) lines.push('', `Confirmed by a re-run before reverting: ${result.confirmed}.`);
  if (result?.culprit && verdict !== 'not-reverted') lines.push('', ...culpritLines(result, (t) => t.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|')).filter((l, i, all) => l !== '' || i < all.length - 1));
  lines.push('', `Reason: ${config.revert.reason}`);
  if (result?.find?.found) lines.push('', `Last good build: ${result.find.reason}`);
  if (result?.ledgerEntry) {
    lines.push('', `Build ${shortSha(result.ledgerEntry.commit)} ${verdict === 'reverted' ? 'is' : 'would be'} marked ⛔ Rolled back in ${config.revert.ledgerPath}.`);
  }
  if (result && result.undoneTotal > 0 && verdict !== 'not-reverted') {
    lines.push('', `Commits ${verdict === 'reverted' ? 'undone' : 'to undo'} (${result.undoneTotal}):`);
    for (const c of result.undone.slice(0, 20)) lines.push(`- ${shortSha(c.sha)} ${c.subject}`);
    if (result.undoneTotal > Math.min(20, result.undone.length)) lines.push(`- … and ${result.undoneTotal - Math.min(20, result.undone.length)} more`);
  }
  if (result && result.kept.length > 0 && verdict !== 'not-reverted') {
    lines.push('', `greenline's ledger commits kept (${result.kept.length}, their entries stay in ${config.revert.ledgerPath}):`);
    for (const c of result.kept.slice(0, 20)) lines.push(`- ${shortSha(c.sha)} ${c.subject}`);
    if (result.kept.length > 20) lines.push(`- … and ${result.kept.length - 20} more`);
  }
  if (config.details.trim()) lines.push('', config.details.trim());
  return lines.join('\n');
}

/** The comment on an open incident when a re-run passed: which run, which commit, and that nothing moved. */
function flakyNote(config: RollbackConfig, result: RevertResult): string {
  return `Flaky failure: ${result.reason}. ${config.revert.branch} was left on ${shortSha(config.revert.failingSha)}.`;
}

function culpritUndone(result: RevertResult | undefined): boolean {
  return !!result?.culprit?.commit && !result.culprit.fallback;
}

/** What greenline did, one plain sentence for chat (escaped there by the format: the reason is untrusted). */
export function chatLine(config: RollbackConfig, verdict: Verdict, result: RevertResult | undefined, crash: string | undefined): string {
  const branch = config.revert.branch;
  const failing = shortSha(result?.failing?.sha ?? config.revert.failingSha);
  const target = result?.targetSha ? shortSha(result.targetSha) : '';
  const why = config.revert.reason;
  if (crash) return `${branch} was not rolled back: the rollback failed (${crash}). A person is needed.`;
  if (verdict === 'reverted' && culpritUndone(result)) return `${branch} was rolled back: greenline undid only the culprit ${shortSha(result!.culprit!.commit!.sha)}, keeping ${result!.culprit!.kept.length} commit(s) (new commit ${shortSha(result!.revertSha)}, [skip ci]). Reason: ${why}`;
  if (verdict === 'reverted') return `${branch} was rolled back from ${failing} to the last good build ${target} (new commit ${shortSha(result!.revertSha)}, [skip ci]). Reason: ${why}`;
  if (verdict === 'would-revert') return `Dry run: ${branch} would be rolled back from ${failing} to ${target}. Reason: ${why}`;
  if (verdict === 'pull-request') return `${branch} is protected: the rollback to ${target} waits in a pull request, ${result!.pullRequestUrl}. Reason: ${why}`;
  return `${branch} was not rolled back and is still on ${failing}: ${result?.reason ?? why}. A person is needed.`;
}
