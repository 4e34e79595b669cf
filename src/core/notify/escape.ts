/**
 * Untrusted text (commit subjects, the `reason` input, service answers, branch names) made inert for a chat
 * message: it cannot mention people, ping a channel or hide a link behind other words. Each target has its own
 * syntax, so each has its own function; all of them work on one line (chat messages are built line by line).
 *
 * Characters added are invisible when rendered: U+200D (zero-width joiner) after `@` and `<`, U+200B
 * (zero-width space) after `]`, so the text still reads the same.
 */

const ZWJ = '\u200d';
const ZWSP = '\u200b';

/** Collapses whitespace (newlines included) and drops control characters: one line of text. */
export function oneLineText(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is being dropped
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '').replace(/\s+/g, ' ').trim();
}

/** `@here`, `@channel`, `@everyone`, `@user`: an `@` directly followed by a word character gets a joiner. */
export function inertAtMentions(text: string): string {
  return text.replace(/@(?=[\p{L}\p{N}_])/gu, `@${ZWJ}`);
}

/**
 * Markdown link syntax broken: `[x](y)`, `[x][ref]` and `[x]: y` need `]` right before `(`, `[` or `:`;
 * a zero-width space after every `]` keeps the brackets visible and the link from forming. (Discord renders
 * `[x](y)` in webhook messages, also through its Slack-compatible endpoint.)
 */
export function inertMarkdownLinks(text: string): string {
  return text.replace(/\]/g, `]${ZWSP}`);
}

/**
 * Slack mrkdwn (and Discord through `/slack`): `&`, `<`, `>` escaped as Slack asks (that makes `<!channel>`,
 * `<@U123>`, `<#C123>` and `<http://x|y>` plain text), then `@here`-style words and Markdown links inert.
 */
export function slackText(text: string): string {
  const escaped = oneLineText(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return inertMarkdownLinks(inertAtMentions(escaped));
}

/**
 * A URL inside Slack's `<url|label>`: `&`, `<`, `>` escaped as in text, and `|` percent-encoded so the URL
 * cannot end early and take over the label.
 */
export function slackUrl(url: string): string {
  return url.replace(/&/g, '&amp;').replace(/</g, '%3C').replace(/>/g, '%3E').replace(/\|/g, '%7C');
}

/**
 * An Adaptive Card TextBlock (Teams renders a Markdown subset in it): links `[x](y)` and autolinks `<https://…>`
 * broken, `<at>…</at>` (a Teams mention) and any other tag opened by `<` made plain text (a joiner after `<`:
 * Teams shows `&lt;` literally, so the entity escape Slack wants would be visible here), and `@` inert.
 */
export function teamsText(text: string): string {
  const t = oneLineText(text).replace(/<(?=[\p{L}/!?@#])/gu, `<${ZWJ}`);
  return inertMarkdownLinks(inertAtMentions(t));
}

/** Cuts to at most `max` UTF-16 units without splitting a surrogate pair, ending with an ellipsis. */
export function cap(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}

/**
 * `escape(text)` at most `max` characters long: escaping can make text several times longer (`&` → `&amp;`),
 * and Slack refuses a block whose text is over its limit. The raw text is cut (never the escaped one, which
 * could end in half an entity) until the escaped text fits.
 */
export function capEscaped(text: string, max: number, escape: (t: string) => string): string {
  let n = Math.min(text.length, max);
  let out = escape(cap(text, n));
  while (out.length > max && n > 1) {
    n = Math.floor(n * 0.8);
    out = escape(cap(text, n));
  }
  return out;
}
