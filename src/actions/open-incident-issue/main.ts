import type { RunContext } from '../../core/action/context.js';
import type { Logger } from '../../core/action/log.js';
import type { ActionResult } from '../../core/action/runner.js';
import { table } from '../../core/action/summary.js';
import type { IncidentApi } from '../../core/incident/api.js';
import { defaultFingerprint } from '../../core/incident/fingerprint.js';
import { parseHealthReport } from '../../core/incident/health-report.js';
import { type IncidentConfig, type IncidentResult, runIncident } from '../../core/incident/incident.js';
import { inline } from '../../core/incident/markdown.js';
import { incidentEvent } from '../../core/notify/incident-event.js';
import { type NotifyOutcome, notifyChat } from '../../core/notify/notify.js';
import type { SendDeps } from '../../core/notify/send.js';
import type { WebhookSettings } from '../../core/notify/settings.js';
import { KIND_PHRASE } from '../../core/incident/render.js';
import { DEFAULT_TITLE, renderTitle } from '../../core/incident/title.js';
import { formatDuration } from '../../core/util/duration.js';
import type { IncidentInputs } from './inputs.js';

export interface MainDeps {
  api: IncidentApi;
  log: Logger;
  now: () => number;
  /** Chat notifications: set when `webhook-url` is. */
  webhook?: { settings: WebhookSettings; send: SendDeps };
}

/** Turns the parsed inputs and the run's context into the incident's configuration: plain values only. */
export function configure(inputs: IncidentInputs, context: RunContext, log: Logger): IncidentConfig {
  const fingerprint = inputs.fingerprint ?? defaultFingerprint(context.workflow, context.job);
  const failingSha = inputs['failing-sha'] ?? (/^[0-9a-f]{40}$/.test(context.eventHeadSha) ? context.eventHeadSha : '');
  const health = parseHealthReport(inputs['health-report']);
  if (health.warning) log.warning(`Input "health-report": ${health.warning}`);
  const title = renderTitle(inputs.title ?? DEFAULT_TITLE, {
    kind: KIND_PHRASE[inputs.kind],
    branch: context.branch || 'the default branch',
    service: context.repo || 'service',
    repo: context.repository,
    owner: context.owner,
    workflow: context.workflow,
    job: context.job,
    sha: failingSha.slice(0, 7),
    fingerprint,
  });
  return {
    mode: inputs.mode,
    fingerprint,
    kind: inputs.kind,
    title,
    failingSha,
    restoredSha: inputs['restored-sha'] ?? '',
    runUrl: inputs['run-url'] ?? context.runUrl,
    ...(health.view ? { health: health.view } : {}),
    ...(inputs.details.trim() ? { details: inputs.details } : {}),
    labels: inputs.labels,
    assignees: inputs.assignees,
    repeatIntervalMs: inputs['repeat-interval'],
    reopenWindowMs: inputs['reopen-window'],
    place: {
      owner: context.owner,
      repo: context.repo,
      serverUrl: context.serverUrl,
      branch: context.branch,
      workflow: context.workflow,
      job: context.job,
    },
    dryRun: inputs['dry-run'],
  };
}

export async function main(inputs: IncidentInputs, context: RunContext, deps: MainDeps): Promise<ActionResult> {
  const config = configure(inputs, context, deps.log);
  const result = await runIncident(config, deps);
  // Chat is told after the issue work, which a webhook failure never undoes.
  const chat = deps.webhook ? await notifyChat(deps.webhook.settings, incidentEvent(config, result), config.dryRun, { ...deps.webhook.send, log: deps.log }) : undefined;
  const failure = [result.failure, chat?.failure].filter((f): f is string => !!f).join('; ');
  return {
    outputs: {
      'issue-number': result.issueNumber ?? '',
      'issue-url': result.issueUrl ?? '',
      operation: result.operation,
    },
    summary: summarise(config, result, chat),
    ...(failure ? { failure } : {}),
  };
}

const VERB: Record<IncidentResult['operation'], string> = {
  created: 'opened',
  updated: 'updated (no comment)',
  commented: 'updated and commented',
  reopened: 'reopened',
  closed: 'resolved and closed',
  none: 'nothing to do',
};

export function summarise(config: IncidentConfig, result: IncidentResult, chat?: NotifyOutcome): string {
  const issue = result.issueNumber ? `[#${result.issueNumber}](${result.issueUrl})` : '—';
  const head = `### ${result.operation === 'closed' ? '✅' : result.operation === 'none' ? '⚪' : '🔴'} Incident ${issue}: ${VERB[result.operation]}${result.dryRun ? ' (dry run)' : ''}`;
  const rows = [
    ['operation', result.operation],
    ['why', result.reason],
    ['status', result.status],
    ['kind', config.kind],
    ['failing commit', config.failingSha.slice(0, 7) || '—'],
    ['restored commit', config.restoredSha.slice(0, 7) || '—'],
    ['fingerprint', `${result.label} (${config.fingerprint})`],
    ['repeat-interval', formatDuration(config.repeatIntervalMs)],
  ];
  if (result.previous) rows.push(['previous incident', `#${result.previous}`]);
  if (result.duplicatesClosed.length) rows.push(['duplicates closed', result.duplicatesClosed.map((n) => `#${n}`).join(', ')]);
  const parts = [head, '', table(['', ''], rows)];
  if (result.steps.length) parts.push('', ...result.steps.map((s) => `- ${inline(s, 500)}`));
  if (chat) parts.push('', `**Webhook:** ${inline(chat.line, 600)}`);
  if (result.failure) parts.push('', `**Failed:** ${inline(result.failure, 1000)}`);
  return parts.join('\n');
}
