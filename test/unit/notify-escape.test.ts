import { describe, expect, it } from 'vitest';
import { inertAtMentions, inertMarkdownLinks, oneLineText, slackText, slackUrl, teamsText } from '../../src/core/notify/escape.js';
import { parseRetryAfter } from '../../src/core/notify/send.js';
import { checkWebhookUrl, webhookSecrets } from '../../src/core/notify/url.js';

const ZWJ = '\u200d';
const ZWSP = '\u200b';

describe('slackText', () => {
  it.each([
    ['<!channel> deploy', `&lt;!channel&gt; deploy`],
    ['<!here|here>', '&lt;!here|here&gt;'],
    ['ping <@U123ABC> and <#C123|ops>', `ping &lt;@${ZWJ}U123ABC&gt; and &lt;#C123|ops&gt;`],
    ['<http://evil.example|Click here>', '&lt;http://evil.example|Click here&gt;'],
    ['@here @channel @everyone @octocat', `@${ZWJ}here @${ZWJ}channel @${ZWJ}everyone @${ZWJ}octocat`],
    ['[click](https://evil)', `[click]${ZWSP}(https://evil)`],
    ['R&D &amp; &lt;b&gt;', 'R&amp;D &amp;amp; &amp;lt;b&amp;gt;'],
    ['line one\nline two\r\n\tthree', 'line one line two three'],
    ['mail me at dev@example.com', `mail me at dev@${ZWJ}example.com`],
  ])('%j → %j', (input, expected) => {
    expect(slackText(input)).toBe(expected);
  });

  it('no output of any input holds <, > or a live @word', () => {
    const nasty = ['<', '>', '@', 'here', '&', '[', ']', '(', ')', '|', '!', 'x', ' ', '\n', 'channel'];
    let seed = 7;
    for (let n = 0; n < 500; n++) {
      let s = '';
      for (let i = 0; i < 12; i++) {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        s += nasty[seed % nasty.length];
      }
      const out = slackText(s);
      expect(out).not.toMatch(/[<>]/);
      expect(out).not.toMatch(/@[A-Za-z0-9]/);
      expect(out).not.toMatch(/\]\(/);
    }
  });
});

describe('slackUrl', () => {
  it('cannot end the <url|label> early', () => {
    expect(slackUrl('https://x.example/a?b=1&c=<2>|label')).toBe('https://x.example/a?b=1&amp;c=%3C2%3E%7Clabel');
  });
});

describe('teamsText', () => {
  it.each([
    ['<at>Boss</at> look', `<${ZWJ}at>Boss<${ZWJ}/at> look`],
    ['[click](https://evil) and [x][1]', `[click]${ZWSP}(https://evil) and [x]${ZWSP}[1]${ZWSP}`],
    ['<https://evil>', `<${ZWJ}https://evil>`],
    ['<@U1> @here', `<${ZWJ}@${ZWJ}U1> @${ZWJ}here`],
    ['a < b and 3 > 2', 'a < b and 3 > 2'],
  ])('%j → %j', (input, expected) => {
    expect(teamsText(input)).toBe(expected);
  });
});

describe('helpers', () => {
  it('oneLineText drops control characters and folds whitespace', () => {
    expect(oneLineText(' a\u0000b\u001b[31m \n c ')).toBe('ab[31m c');
  });
  it('inertAtMentions leaves a lone @ alone; inertMarkdownLinks only touches ]', () => {
    expect(inertAtMentions('a @ b @@x')).toBe(`a @ b @@${ZWJ}x`);
    expect(inertMarkdownLinks('no links (here)')).toBe('no links (here)');
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-12-02T06:00:00Z');
  it.each([
    ['1', 1000],
    ['0', 0],
    [' 120 ', 120_000],
    ['Wed, 02 Dec 2026 06:00:30 GMT', 30_000],
    ['Wed, 02 Dec 2026 05:59:00 GMT', 0],
    ['soon', undefined],
    ['-5', undefined],
    ['1.5', undefined],
  ])('%j → %s ms', (value, ms) => {
    expect(parseRetryAfter(value, now)).toBe(ms);
  });
  it('absent → undefined', () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

describe('webhook-url', () => {
  it.each([
    ['https://hooks.slack.com/services/T0/B0/x', {}],
    ['http://127.0.0.1:8080/hook', {}],
    ['http://localhost/hook', {}],
    ['http://[::1]:9/hook', {}],
  ])('%s is accepted silently', (url, expected) => {
    expect(checkWebhookUrl(url)).toEqual(expected);
  });
  it('plain http to another host: accepted with a warning naming the host only', () => {
    const check = checkWebhookUrl('http://chat.corp/hooks/secretsecretsecret');
    expect(check.problem).toBeUndefined();
    expect(check.warning).toContain('chat.corp');
    expect(check.warning).not.toContain('secretsecretsecret');
  });
  it.each(['hooks.slack.com/services/x', 'ftp://x/y', 'javascript:alert(1)', 'https://exa mple.com/x'])('%s is refused without quoting it', (url) => {
    const { problem } = checkWebhookUrl(url);
    expect(problem).toBeDefined();
    expect(problem).not.toContain(url);
  });
  it('the secrets of a Slack, a Discord and a Teams URL: the URL, its path and query, the long tokens', () => {
    expect(webhookSecrets('https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX')).toEqual([
      'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX',
      '/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX',
      'XXXXXXXXXXXXXXXXXXXXXXXX',
    ]);
    const discord = webhookSecrets('https://discord.com/api/webhooks/123456789012345678/abcdefghijklmnopqrstuvwxyz0123456789/slack');
    expect(discord).toContain('abcdefghijklmnopqrstuvwxyz0123456789');
    expect(discord).toContain('123456789012345678');
    expect(discord).not.toContain('slack');
    const teams = webhookSecrets('https://prod-12.westeurope.logic.azure.com:443/workflows/0123456789abcdef0123456789abcdef/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCd');
    expect(teams).toContain('AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCd');
    expect(teams).toContain('0123456789abcdef0123456789abcdef');
    expect(teams.some((t) => t === 'manual' || t === 'workflows' || t === '1.0')).toBe(false);
  });
});
