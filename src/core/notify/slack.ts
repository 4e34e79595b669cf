import { cap, slackText, slackUrl } from './escape.js';
import { EMOJI, HEADLINE, MAX_COMMITS, type NotifyCommit, type NotifyEvent } from './event.js';
import { runName } from './words.js';

/**
 * A Slack incoming-webhook message: `text` (the notification and the fallback) plus Block Kit `blocks` (what
 * happened, the facts, the commits, the run and the issue). Discord's Slack-compatible endpoint
 * (`…/slack`) takes the same body. Untrusted text goes through slackText(); URLs through slackUrl().
 * Slack's limits: a section's text at most 3,000 characters, a field 2,000, at most 10 fields.
 */
export function slackMessage(e: NotifyEvent): Record<string, unknown> {
  const title = slackText(cap(e.title, 300));
  const issue = e.issue ? `<${slackUrl(e.issue.url)}|#${e.issue.number}>` : '';
  const head = `${EMOJI[e.operation]} *${HEADLINE[e.operation]}*${issue ? ` ${issue}` : ''}: ${title}`;
  const lines = [head];
  if (e.reason) lines.push(slackText(cap(e.reason, 1000)));
  if (e.what) lines.push(slackText(cap(e.what, 1000)));

  const blocks: Array<Record<string, unknown>> = [
    { type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Status*\n${slackText(cap(e.status, 100))}` },
        { type: 'mrkdwn', text: `*Branch*\n${slackText(cap(e.branch, 200)) || '—'}` },
        { type: 'mrkdwn', text: `*Repository*\n<${slackUrl(e.repositoryUrl)}|${slackText(e.repository)}>` },
        { type: 'mrkdwn', text: `*Kind*\n${e.kind}` },
      ],
    },
  ];
  if (e.commits.length) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: ['*Commits*', ...commitLines(e.commits)].join('\n') } });
  const context = [e.runUrl ? `<${slackUrl(e.runUrl)}|${runName(e.runUrl)}>` : '', e.issue ? `issue ${issue}` : '', `\`${e.label}\``].filter(Boolean);
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: context.join(' · ') }] });

  const text = `${EMOJI[e.operation]} ${HEADLINE[e.operation]}${e.issue ? ` #${e.issue.number}` : ''}: ${title}${e.reason ? ` — ${slackText(cap(e.reason, 300))}` : ''}`;
  return { text, blocks };
}

function commitLines(commits: NotifyCommit[]): string[] {
  const lines = commits.slice(0, MAX_COMMITS).map((c) => {
    const subject = c.subject ? ` ${slackText(cap(c.subject, 150))}` : '';
    return `• <${slackUrl(c.url)}|\`${c.sha.slice(0, 7)}\`> ${c.role}${subject ? ':' : ''}${subject}`;
  });
  if (commits.length > MAX_COMMITS) lines.push(`• … and ${commits.length - MAX_COMMITS} more`);
  return lines;
}
