import { inertAtMentions, oneLineText } from './escape.js';
import { HEADLINE, type NotifyEvent } from './event.js';

/** Version of the `webhook-format: json` body; bumped only when a field changes meaning or goes away. */
export const JSON_FORMAT_VERSION = 1;

/**
 * greenline's own JSON body (`webhook-format: json`), for a receiver of your own (a bot, a pager, a Zapier or
 * n8n flow). Values are data, not markup: `title`, `reason`, `what`, `branch` and `commits[].subject` arrive
 * as written (the receiver escapes them for wherever it shows them); `text` is a ready one-line summary whose
 * @-words are made inert (a zero-width joiner after `@`), for receivers that post it to a chat as it is.
 */
export function jsonMessage(e: NotifyEvent): Record<string, unknown> {
  const text = inertAtMentions(
    oneLineText(`${HEADLINE[e.operation]}${e.issue ? ` #${e.issue.number}` : ''}: ${e.title}${e.reason ? ` — ${e.reason}` : ''}${e.issue ? ` ${e.issue.url}` : ''}`),
  );
  return {
    version: JSON_FORMAT_VERSION,
    source: 'greenline',
    operation: e.operation,
    status: e.status,
    kind: e.kind,
    fingerprint: e.fingerprint,
    label: e.label,
    title: e.title,
    repository: e.repository,
    branch: e.branch,
    issue: e.issue ? { number: e.issue.number, url: e.issue.url } : null,
    runUrl: e.runUrl,
    reason: e.reason,
    what: e.what,
    commits: e.commits.map((c) => ({ sha: c.sha, role: c.role, url: c.url, subject: c.subject ?? null })),
    text,
  };
}
