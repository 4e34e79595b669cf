import { capEscaped, slackText, slackUrl } from './escape.js';
import { EMOJI, HEADLINE, MAX_COMMITS, type NotifyCommit, type NotifyEvent } from './event.js';
import { runName } from './words.js';

/**
 * A Slack incoming-webhook message: `text` (the notification and the fallback) plus Block Kit `blocks` (what
 * happened, the facts, the commits, the run and the issue). Discord's Slack-compatible endpoint
 * (`…/slack`) takes the same body. Untrusted text goes through slackText(); URLs through slackUrl().
 * Slack's limits: a section's text at most 3,000 characters, a field 2,000, at most 10 fields.
 */
export function slackMessage(e: NotifyEvent): Record<string, unknown> {
  const esc = (t: string, max: number) => capEscaped(t, max, slackText);
  const title = esc(e.title, 300);
  const issue = e.issue ? `<${slackUrl(e.issue.url)}|#${e.issue.number}>` : '';
  const head = `${EMOJI[e.operation]} *${HEADLINE[e.operation]}*${issue ? ` ${issue}` : ''}: ${title}`;
  const lines = [head];
  if (e.reason) lines.push(esc(e.reason, 1000));
  if (e.what) lines.push(esc(e.what, 1000));

  const blocks: Array<Record<string, unknown>> = [
    { type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Status*\n${esc(e.status, 100)}` },
        { type: 'mrkdwn', text: `*Branch*\n${esc(e.branch, 300) || '—'}` },
        { type: 'mrkdwn', text: `*Repository*\n<${slackUrl(e.repositoryUrl)}|${esc(e.repository, 300)}>` },
        { type: 'mrkdwn', text: `*Kind*\n${e.kind}` },
      ],
    },
  ];
  if (e.commits.length) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: ['*Commits*', ...commitLines(e.commits)].join('\n') } });
  const context = [e.runUrl ? `<${slackUrl(e.runUrl)}|${runName(e.runUrl)}>` : '', e.issue ? `issue ${issue}` : '', `\`${e.label}\``].filter(Boolean);
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: context.join(' · ') }] });

  const text = `${EMOJI[e.operation]} ${HEADLINE[e.operation]}${e.issue ? ` #${e.issue.number}` : ''}: ${title}${e.reason ? ` — ${esc(e.reason, 300)}` : ''}`;
  return { text, blocks };
}

/** Slack refuses a section whose text is over 3,000 characters: commits are listed while they fit. */
const SECTION_BUDGET = 2_900;

function commitLines(commits: NotifyCommit[]): string[] {
  const lines: string[] = [];
  let used = '*Commits*'.length;
  for (const c of commits.slice(0, MAX_COMMITS)) {
    const subject = c.subject ? `: ${capEscaped(c.subject, 200, slackText)}` : '';
    const line = `• <${slackUrl(c.url)}|\`${c.sha.slice(0, 7)}\`> ${c.role}${subject}`;
    if (used + line.length + 40 > SECTION_BUDGET) break;
    lines.push(line);
    used += line.length + 1;
  }
  if (commits.length > lines.length) lines.push(`• … and ${commits.length - lines.length} more`);
  return lines;
}
