import { cap, teamsText } from './escape.js';
import { EMOJI, HEADLINE, MAX_COMMITS, type NotifyEvent } from './event.js';
import { runName } from './words.js';

/**
 * A Microsoft Teams workflow webhook message (Power Automate "Post to a channel when a webhook request is
 * received", which replaced the Office 365 connectors): one Adaptive Card 1.4 attachment. Untrusted text goes
 * through teamsText(); links are greenline's own (the issue, the run, the commits) as card actions or
 * Markdown links with percent-encoded parentheses.
 */
export function teamsMessage(e: NotifyEvent): Record<string, unknown> {
  const body: Array<Record<string, unknown>> = [
    {
      type: 'TextBlock',
      text: `${EMOJI[e.operation]} ${HEADLINE[e.operation]}${e.issue ? ` #${e.issue.number}` : ''}`,
      size: 'Medium',
      weight: 'Bolder',
      color: e.operation === 'resolve' ? 'Good' : 'Attention',
      wrap: true,
    },
    { type: 'TextBlock', text: teamsText(cap(e.title, 300)), wrap: true },
  ];
  if (e.reason) body.push({ type: 'TextBlock', text: teamsText(cap(e.reason, 1000)), wrap: true });
  if (e.what) body.push({ type: 'TextBlock', text: teamsText(cap(e.what, 1000)), wrap: true });
  body.push({
    type: 'FactSet',
    facts: [
      { title: 'Status', value: teamsText(cap(e.status, 100)) },
      { title: 'Branch', value: teamsText(cap(e.branch, 200)) || '—' },
      { title: 'Repository', value: teamsText(e.repository) },
      { title: 'Kind', value: e.kind },
      { title: 'Fingerprint', value: e.label },
    ],
  });
  if (e.commits.length) {
    const lines = e.commits.slice(0, MAX_COMMITS).map((c) => `- [${c.sha.slice(0, 7)}](${markdownUrl(c.url)}) ${c.role}${c.subject ? `: ${teamsText(cap(c.subject, 150))}` : ''}`);
    if (e.commits.length > MAX_COMMITS) lines.push(`- … and ${e.commits.length - MAX_COMMITS} more`);
    body.push({ type: 'TextBlock', text: 'Commits', weight: 'Bolder', wrap: true }, { type: 'TextBlock', text: lines.join('\n'), wrap: true });
  }
  const actions: Array<Record<string, unknown>> = [];
  if (e.issue) actions.push({ type: 'Action.OpenUrl', title: `Issue #${e.issue.number}`, url: e.issue.url });
  if (e.runUrl) actions.push({ type: 'Action.OpenUrl', title: capitalise(runName(e.runUrl)), url: e.runUrl });
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body,
          ...(actions.length ? { actions } : {}),
          msteams: { width: 'Full' },
        },
      },
    ],
  };
}

/** A URL inside a Markdown link: parentheses and spaces percent-encoded so they cannot end it. */
function markdownUrl(url: string): string {
  return url.replace(/\(/g, '%28').replace(/\)/g, '%29').replace(/\s/g, '%20');
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
