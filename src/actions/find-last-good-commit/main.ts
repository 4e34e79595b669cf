import { ConfigurationError } from '../../core/action/errors.js';
import type { Logger } from '../../core/action/log.js';
import type { ActionResult } from '../../core/action/runner.js';
import { table } from '../../core/action/summary.js';
import { findLastGood } from '../../core/lastgood/find.js';
import type { LastGoodSetup } from '../../core/lastgood/setup.js';
import type { FindResult } from '../../core/lastgood/types.js';
import { stableLine, stableOutputs, tagServes } from '../../core/ledger/stable-serves.js';
import { cell, shortSha } from '../../core/util/text.js';

export interface FindActionConfig {
  /** The `head` input, when given. */
  head?: string;
  /** The `branch` input, when given: its tip is the head when `head` is not. */
  branch?: string;
  /** The event's commit: the triggering run's head for workflow_run, else GITHUB_SHA. */
  eventHead: string;
  eventBranch: string;
  ledgerPath: string;
  requireChecks: readonly string[];
}

/** Which commit the answer must be an ancestor of: `head`, else the tip of an explicit `branch`, else the event's. */
export async function resolveHead(config: FindActionConfig, setup: LastGoodSetup): Promise<string> {
  let head = config.head;
  let input = 'head';
  if (!head && config.branch) {
    head = await setup.branchTip(config.branch);
    input = 'branch';
    if (!head) throw new ConfigurationError(`Input "branch": there is no branch ${JSON.stringify(config.branch)} in the repository`);
  }
  if (!head) head = /^[0-9a-f]{40}$/.test(config.eventHead) && !/^0+$/.test(config.eventHead) ? config.eventHead : undefined;
  if (!head) throw new ConfigurationError('Input "head": not given and the event has no commit SHA; set head to a full commit SHA');
  const full = await setup.resolveCommit(head);
  if (!full) throw new ConfigurationError(`Input "${input}": commit ${head} does not exist in the repository`);
  return full;
}

export async function main(config: FindActionConfig, setup: LastGoodSetup, log: Logger): Promise<ActionResult & { result: FindResult; head: string }> {
  const head = await resolveHead(config, setup);
  log.info(`Looking for the last good commit below ${head} (${setup.describe})`);
  const result = await findLastGood(await setup.ledgerInput(head), { head, ledgerPath: config.ledgerPath, requireChecks: config.requireChecks }, {
    history: setup.history,
    ...(setup.checks ? { checks: setup.checks } : {}),
    log,
  });
  log.info(result.found ? `Found ${result.sha}: ${result.reason}` : `Not found: ${result.reason}`);
  return { outputs: findOutputs(result), summary: findSummary(result, head, config), result, head };
}

export function findOutputs(result: FindResult): Record<string, string> {
  const e = result.entry;
  return {
    found: String(result.found),
    sha: result.sha ?? '',
    'short-sha': result.sha ? shortSha(result.sha) : '',
    image: e?.image ?? '',
    digest: e?.digest ?? '',
    version: e?.version ?? '',
    entry: e ? JSON.stringify(e) : '',
    reason: result.reason,
    candidates: JSON.stringify(result.candidates),
    ...stableOutputs(stableOf(result)),
  };
}

/** What :stable serves by the ledger the answer was read from, for the image of the answer. */
export function stableOf(result: FindResult): ReturnType<typeof tagServes> {
  return result.entries ? tagServes(result.entries, result.entry?.image ? { image: result.entry.image } : {}) : undefined;
}

export function findSummary(result: FindResult, head: string, config: FindActionConfig): string {
  const lines: string[] = [];
  if (result.found && result.sha) {
    lines.push(`### ✅ Last good commit: \`${shortSha(result.sha)}\``, '');
    const rows: [string, string][] = [
      ['Commit', `\`${result.sha}\``],
      ['Below head', `\`${head}\``],
    ];
    if (result.goodSha && result.goodSha !== result.sha) rows.push(['Same tree as ✅', `\`${result.goodSha}\``]);
    if (result.entry?.image || result.entry?.digest) rows.push(['Image', cell(`${result.entry.image ?? ''}${result.entry.digest ? `@${result.entry.digest}` : ''}`).replace(/@\u200b(?=[a-z0-9]+:[0-9a-f]{32,})/gi, '@')]);
    if (result.entry?.version) rows.push(['Version', cell(result.entry.version)]);
    lines.push(['|  |  |', '| --- | --- |', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n'), '');
  } else {
    lines.push('### ❔ No last good commit found', '');
  }
  lines.push(`**Why:** ${cell(result.reason, 2000)}`, '');
  if (result.entries) lines.push(stableLine(stableOf(result), config.ledgerPath), '');
  if (result.candidates.length) {
    lines.push(
      table(
        ['candidate', 'ledger line', 'verdict', 'reason'],
        result.candidates.slice(0, 30).map((c) => [shortSha(c.sha), c.line === undefined ? '' : String(c.line), c.verdict, c.reason]),
      ),
      '',
    );
  }
  if (result.warnings.length) {
    lines.push(`⚠️ ${result.warnings.length} unreadable ledger block(s) in ${cell(config.ledgerPath)}: ${result.warnings.slice(0, 5).map((w) => `line ${w.line}`).join(', ')}`, '');
  }
  return lines.join('\n');
}
