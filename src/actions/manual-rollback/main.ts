import type { RunContext } from '../../core/action/context.js';
import { ConfigurationError, describeError } from '../../core/action/errors.js';
import type { Logger } from '../../core/action/log.js';
import type { ActionResult } from '../../core/action/runner.js';
import type { IncidentApi } from '../../core/incident/api.js';
import type { IncidentResult } from '../../core/incident/incident.js';
import { autoRevert, type RevertConfig, type RevertDeps, type RevertResult } from '../../core/lastgood/revert.js';
import { parseLedger } from '../../core/ledger/parse.js';
import type { SendDeps } from '../../core/notify/send.js';
import type { WebhookSettings } from '../../core/notify/settings.js';
import { cell } from '../../core/util/text.js';
import { revertSummary, tellAuthor } from '../auto-revert/main.js';
import { fileIncident } from '../open-incident-issue/file.js';
import type { IncidentInputs } from '../open-incident-issue/inputs.js';
import { configure } from '../open-incident-issue/main.js';
import { promote, type PromoteConfig, type PromoteDeps, type PromoteResult } from '../promote-to-stable/main.js';
import { renderSummary } from '../promote-to-stable/summary.js';
import { checkUnambiguous, type Target, type What } from './target.js';

export interface ManualRollbackConfig {
  what: What;
  /** `to` as given, for the incident and the summary. */
  to: string;
  target: Target;
  reason: string;
  /** Who dispatched the rollback (GITHUB_ACTOR). */
  actor: string;
  /** promote-to-stable's config for the dry run that resolves `to` in the ledger; undefined when not needed. */
  resolve?: PromoteConfig;
  /** promote-to-stable's config that moves the tags back (source and expected digest are the resolved build). */
  restore?: PromoteConfig;
  /** auto-revert's config for main (targetSha filled in from `to`); undefined for what: image. */
  revert?: RevertConfig;
  /** open-incident-issue's inputs (mode open, kind rollback); undefined with `incident: false`. */
  incident?: IncidentInputs;
  /** The `details` input, appended to what greenline writes. */
  details: string;
  dryRun: boolean;
  context: RunContext;
}

export interface ManualRollbackDeps {
  /** Set when config.resolve or config.restore is. */
  promote?: PromoteDeps;
  /** Set when config.revert is. */
  revert?: RevertDeps;
  /** Set when config.incident is. */
  issues?: IncidentApi;
  webhook?: { settings: WebhookSettings; send: SendDeps };
  /** Registry failures named by input (promote-to-stable's blameInput, with `source` called `to`). */
  blame: <T>(fn: () => Promise<T>) => Promise<T>;
  log: Logger;
  now: () => number;
}

export interface ManualRollbackOutcome extends ActionResult {
  resolved?: PromoteResult;
  restored?: PromoteResult;
  revert?: RevertResult;
  incident?: IncidentResult;
}

/**
 * The manual rollback in one step, in rollback.yml's order: resolve `to` to one ledger entry (a dry run of
 * promote-to-stable: its digest and commit) → main (auto-revert to that build's tree, before :stable, whose
 * ledger commit would otherwise move main under the revert's compare-and-swap) → :stable (promote-to-stable
 * to the resolved digest, ⏪ Restored) → the rollback incident. A `to` that names nothing, or a mistake in the
 * inputs, stops before anything changes; once main moved, a failure of :stable is reported after the incident.
 */
export async function main(config: ManualRollbackConfig, deps: ManualRollbackDeps): Promise<ManualRollbackOutcome> {
  const { log } = deps;
  const resolved = config.resolve ? await resolveTarget(config, config.resolve, deps) : undefined;
  if (resolved) log.info(`\`to\` ${config.to}: build ${resolved.entry.commit.slice(0, 7)}, ${resolved.digest}`);

  let revert: RevertResult | undefined;
  let mainCrash: string | undefined;
  if (config.revert) {
    const targetSha = config.target.kind === 'sha' ? config.target.sha : resolved?.entry.commit;
    const revertConfig: RevertConfig = { ...config.revert, ...(targetSha ? { targetSha } : {}) };
    try {
      revert = await autoRevert(revertConfig, deps.revert!);
      if (revert.warning) log.warning(revert.warning);
      else log.info(revert.reason);
      await tellAuthor(revert, revertConfig, deps.revert!);
    } catch (error) {
      if (error instanceof ConfigurationError) throw error;
      log.debug(error instanceof Error ? (error.stack ?? error.message) : String(error));
      mainCrash = describeError(error);
    }
  }

  let restored: PromoteResult | undefined;
  let stableCrash: string | undefined;
  if (config.what !== 'main' && resolved && config.restore) {
    if (config.dryRun) restored = resolved;
    else {
      const digest = resolved.digest;
      const restore: PromoteConfig = { ...config.restore, source: { kind: 'digest', digest }, sourceText: digest, expectedDigest: digest, rollback: true, dryRun: false };
      try {
        restored = await deps.blame(() => promote(restore, deps.promote!));
        for (const step of restored.steps) log.info(step);
      } catch (error) {
        // Nothing moved yet (what: image, or main not moved): the user's mistake stops the step as is.
        if (error instanceof ConfigurationError && !revert?.revertSha) throw error;
        log.debug(error instanceof Error ? (error.stack ?? error.message) : String(error));
        stableCrash = describeError(error);
      }
    }
  }

  const restoredSha = restoredBuild(revert, stableCrash ? undefined : restored);
  let incident: IncidentResult | undefined;
  let incidentSummary = config.incident ? '' : '⚪ No incident issue: incident: false.';
  const failures: string[] = [];
  if (mainCrash) failures.push(`Moving ${config.revert!.branch} back failed: ${mainCrash}`);
  else if (revert?.failure) failures.push(revert.failure);
  if (stableCrash) failures.push(`Moving :stable back failed: ${stableCrash}`);
  else if (restored?.failure) failures.push(restored.failure);
  if (config.incident) {
    const inputs: IncidentInputs = { ...config.incident, mode: 'open', kind: 'rollback', 'restored-sha': restoredSha || undefined, details: incidentDetails(config, { restored, stableCrash, revert, mainCrash }) };
    const incidentConfig = configure(inputs, config.context, log);
    const filed = await fileIncident(incidentConfig, { what: `Manual rollback of ${config.what} to ${config.to}: ${config.reason}` }, { api: deps.issues!, log, now: deps.now, ...(deps.webhook ? { webhook: deps.webhook } : {}) }, config.dryRun);
    incident = filed.incident;
    incidentSummary = filed.summary;
    if (filed.failure) failures.push(filed.failure);
    if (filed.chat?.failure) failures.push(filed.chat.failure);
  }

  const outputs: Record<string, string> = {
    'stable-digest': restored && !stableCrash ? restored.digest : '',
    'stable-commit': restored && !stableCrash ? restored.entry.commit : '',
    'previous-digest': restored?.previousDigest ?? '',
    tags: restored?.moved.join(',') ?? '',
    'ledger-entry': restored ? JSON.stringify(restored.entry) : '',
    'main-outcome': !config.revert ? 'skipped' : (revert?.outcome ?? 'failed'),
    reverted: String(revert?.reverted ?? false),
    'revert-sha': revert?.revertSha ?? '',
    'target-sha': revert?.targetSha ?? '',
    'pull-request-url': revert?.pullRequestUrl ?? '',
    'restored-sha': restoredSha,
    reason: mainLine(config, { revert, mainCrash }) ?? stableLine(config, { restored, stableCrash }) ?? '',
    'issue-number': incident?.issueNumber !== undefined ? String(incident.issueNumber) : '',
    'issue-url': incident?.issueUrl ?? '',
    operation: incident?.operation ?? 'none',
  };
  if (config.what === 'both') outputs.reason = [mainLine(config, { revert, mainCrash }), stableLine(config, { restored, stableCrash })].join(' ');

  const parts = [`### ⏪ Manual rollback of ${cell(config.what)} to \`${cell(config.to)}\``, '', `**Reason:** ${cell(config.reason, 2000)}`, ''];
  if (revert) parts.push(revertSummary(revert, config.revert!).trimEnd(), '');
  else if (mainCrash) parts.push(`**${cell(config.revert!.branch)}:** ❌ ${cell(mainCrash, 2000)}`, '');
  if (restored) parts.push(renderSummary(restored).trimEnd(), '');
  else if (stableCrash) parts.push(`**:stable:** ❌ ${cell(stableCrash, 2000)}`, '');
  parts.push(incidentSummary, '');
  return {
    outputs,
    summary: parts.join('\n'),
    ...(failures.length ? { failure: failures.join('; ') } : {}),
    ...(resolved ? { resolved } : {}),
    ...(restored ? { restored } : {}),
    ...(revert ? { revert } : {}),
    ...(incident ? { incident } : {}),
  };
}

/**
 * What the incident names as restored: main's new tree only when main was reverted (a daily cap or a revert
 * pull request restores nothing yet), else the build :stable now serves; empty when neither moved.
 */
export function restoredBuild(revert: Pick<RevertResult, 'reverted' | 'targetSha'> | undefined, restored: Pick<PromoteResult, 'failure' | 'entry'> | undefined): string {
  if (revert?.reverted) return revert.targetSha;
  return restored && !restored.failure ? restored.entry.commit : '';
}

/** The dry run that finds the build `to` names: the ledger's words for `source` are the user's `to`. */
async function resolveTarget(config: ManualRollbackConfig, resolve: PromoteConfig, deps: ManualRollbackDeps): Promise<PromoteResult> {
  try {
    if (config.target.kind === 'short-sha') {
      const text = await deps.promote!.ledger?.read();
      checkUnambiguous(config.target, text === undefined ? [] : parseLedger(text).entries, resolve.image);
    }
    return await deps.blame(() => promote({ ...resolve, dryRun: true }, deps.promote!));
  } catch (error) {
    if (error instanceof ConfigurationError && error.message.startsWith('Input "source":')) {
      throw new ConfigurationError(`Input "to": ${error.message.slice('Input "source":'.length).trim()}`);
    }
    throw error;
  }
}

interface Moves {
  restored?: PromoteResult;
  stableCrash?: string;
  revert?: RevertResult;
  mainCrash?: string;
}

function stableLine(config: ManualRollbackConfig, { restored, stableCrash }: Moves): string | undefined {
  if (config.what === 'main') return undefined;
  if (stableCrash || !restored) return `Moving :stable back: **failure** (${stableCrash ?? 'not attempted'}), see the run.`;
  if (restored.failure) return `Moving :stable back: **failure** (${restored.failure}), see the run.`;
  const verb = config.dryRun ? 'would move' : 'moved';
  return `:stable ${verb} from \`${restored.previousDigest || 'nothing'}\` to \`${restored.digest}\` (⏪ Restored in the ledger).`;
}

function mainLine(config: ManualRollbackConfig, { revert, mainCrash }: Moves): string | undefined {
  if (config.what === 'image') return undefined;
  const branch = config.revert!.branch;
  if (mainCrash || !revert) return `Moving ${branch} back: **failure** (${mainCrash ?? 'not attempted'}), see the run.`;
  if (revert.reverted) return `${branch} reverted: \`${revert.revertSha}\`.`;
  if (revert.pullRequestUrl) return `${branch} is protected: revert pull request ${revert.pullRequestUrl}.`;
  return `${branch} not reverted: ${revert.reason}`;
}

/** What was done, for the incident's details section (neutralised there: the reason is untrusted). */
export function incidentDetails(config: ManualRollbackConfig, moves: Moves): string {
  const lines = [`Manual rollback of **${config.what}** to \`${config.to}\`, requested by ${config.actor || 'someone'}.`, '', `Reason: ${config.reason}`, ''];
  const stable = stableLine(config, moves);
  const branch = mainLine(config, moves);
  if (stable) lines.push(`- ${stable}`);
  if (branch) lines.push(`- ${branch}`);
  if (config.details.trim()) lines.push('', config.details.trim());
  return lines.join('\n');
}
