import { describe, expect, it } from 'vitest';
import type { NotifyEvent } from '../../src/core/notify/event.js';
import { buildMessage } from '../../src/core/notify/message.js';

const event = (over: Partial<NotifyEvent> = {}): NotifyEvent => ({
  operation: 'open',
  fingerprint: 'ci/test',
  label: 'incident:0123456789ab',
  kind: 'rollback',
  status: 'ROLLED BACK',
  title: 'Incident: rollback on main (shop)',
  repository: 'acme/shop',
  repositoryUrl: 'https://github.com/acme/shop',
  branch: 'main',
  issue: { number: 7, url: 'https://github.com/acme/shop/issues/7' },
  runUrl: 'https://github.com/acme/shop/actions/runs/9',
  reason: '',
  what: '',
  commits: [],
  ...over,
});

const sha = (i: number) => i.toString(16).padStart(40, '0');

describe('Slack limits', () => {
  it('worst-case untrusted text (every character escaped) stays inside Slack\'s per-block limits', () => {
    const amp = '&'.repeat(5000);
    const commits = Array.from({ length: 25 }, (_, i) => ({ sha: sha(i + 1), url: `https://github.com/acme/shop/commit/${sha(i + 1)}`, role: 'undone' as const, subject: amp }));
    const body = buildMessage('slack', event({ title: amp, reason: amp, what: amp, branch: amp, commits })) as { text: string; blocks: Array<{ text?: { text: string }; fields?: Array<{ text: string }> }> };
    for (const block of body.blocks) {
      if (block.text) expect(block.text.text.length).toBeLessThanOrEqual(3000);
      for (const f of block.fields ?? []) expect(f.text.length).toBeLessThanOrEqual(2000);
    }
    expect(body.blocks.length).toBeLessThanOrEqual(50);
    const commitText = body.blocks[2]!.text!.text;
    expect(commitText).toMatch(/\n• … and \d+ more$/);
    // No escaped entity is cut in half.
    expect(JSON.stringify(body)).not.toMatch(/&(a|am|amp)?(?![a-z;])(?!amp;)/);
  });

  it('more than 10 commits: the first 10 and "… and N more"', () => {
    const commits = Array.from({ length: 13 }, (_, i) => ({ sha: sha(i + 1), url: `https://x/${i}`, role: 'undone' as const, subject: `change ${i}` }));
    const body = buildMessage('slack', event({ commits })) as { blocks: Array<{ text?: { text: string } }> };
    const lines = body.blocks[2]!.text!.text.split('\n');
    expect(lines).toHaveLength(12);
    expect(lines[10]).toBe(`• <https://x/9|\`${sha(10).slice(0, 7)}\`> undone: change 9`);
    expect(lines[11]).toBe('• … and 3 more');
  });

  it('no issue (a dry run that would create one): no issue link, and the rest of the message', () => {
    const { issue: _issue, ...rest } = event();
    const body = buildMessage('slack', rest) as { text: string };
    expect(body.text).toBe('🔴 Incident opened: Incident: rollback on main (shop)');
    const teams = buildMessage('teams', rest) as { attachments: Array<{ content: { actions: Array<{ title: string }> } }> };
    expect(teams.attachments[0]!.content.actions.map((a) => a.title)).toEqual(['Run 9']);
    expect((buildMessage('json', rest) as { issue: unknown }).issue).toBeNull();
  });
});
