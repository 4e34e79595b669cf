import { formatDuration } from '../util/duration.js';
import { neutralise } from '../util/text.js';

/**
 * Markdown helpers for text that goes into an incident issue. Untrusted text (commit messages, `details`,
 * health-report values, branch names) passes through `untrusted()`: the suite's `neutralise()` plus the gaps
 * an issue body needs closed as well:
 * - `&` is escaped first, so `&#64;user` or `&#35;1` cannot turn back into a mention or a reference;
 * - every `#<digit>` is broken, including `owner/repo#1` (neutralise() leaves a `#` after a word character);
 * - links to GitHub issues, pull requests and discussions are broken (they create back-references);
 * - control characters other than tab and newline are dropped.
 * The zero-width space (U+200B) is invisible when rendered, so the text still reads the same.
 */
export function untrusted(text: string): string {
  const cleaned = text
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '');
  // neutralise() escapes & itself (entities first): escaping here too showed a literal & as "&amp;".
  return neutralise(cleaned)
    .replace(/#(?=\d)/g, '#\u200b')
    .replace(/\/(issues|pull|pulls|discussions)\/(?=\d)/gi, '/$1/\u200b');
}

/** One line of untrusted text, for a table cell or a list item: no newlines, pipes escaped, capped. */
export function inline(text: string, max = 200): string {
  const t = untrusted(text).replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|').trim();
  return capChars(t, max);
}

/** Cuts to at most `max` UTF-16 units without splitting a surrogate pair, ending with an ellipsis. */
export function capChars(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}

/**
 * Untrusted markdown (the `details` input) rendered inside its own section: neutralised, headings demoted to
 * text, every line quoted so nothing in it can close the quote, open a section or end the layout.
 */
export function quoted(markdown: string, max: number): string {
  const text = capChars(untrusted(markdown).trim(), max);
  return text
    .split('\n')
    .map((line) => {
      const escaped = line.replace(/^(\s{0,3})(#{1,6})(?=\s|$)/, (_m, sp: string, hashes: string) => `${sp}\\${hashes}`);
      return escaped.trim() === '' ? '>' : `> ${escaped}`;
    })
    .join('\n');
}

/**
 * A fenced code block for text that is shown as-is (an unreadable health report). The fence is longer than
 * any run of backticks inside, and HTML comment delimiters are broken so the text cannot imitate the
 * section markers of the issue body. Mentions and references do not render inside code blocks.
 */
export function fenced(text: string, max: number, lang = ''): string {
  const body = capChars(
    text
      .replace(/\r\n?/g, '\n')
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '')
      .replace(/<!--/g, '<\u200b!--')
      .replace(/--!?>/g, (m) => `${m.slice(0, -1)}\u200b>`)
      .replace(/@(?=[A-Za-z0-9])/g, '@\u200b')
      .replace(/#(?=\d)/g, '#\u200b'),
    max,
  );
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${lang}\n${body}\n${fence}`;
}

/**
 * A URL usable as a markdown link target: http(s) only, normalised by WHATWG URL (spaces and angle brackets
 * percent-encoded), parentheses and brackets encoded too. Anything else gives undefined.
 */
export function safeUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined;
  return parsed.href.replace(/[()[\]<>"'`\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** `[text](url)` with a neutralised text, or just the text when the URL is not usable. */
export function link(text: string, url: string | undefined): string {
  const label = inline(text, 120).replace(/[[\]]/g, (c) => `\\${c}`);
  const target = safeUrl(url);
  return target ? `[${label}](${target})` : label;
}

/** The run id at the end of an Actions run URL, for a short link text. */
export function runLabel(runUrl: string | undefined): string {
  const m = /\/actions\/runs\/(\d+)/.exec(runUrl ?? '');
  return m ? `run ${m[1]}` : 'run';
}

export function shortSha(sha: string | undefined): string {
  return sha ? sha.slice(0, 7) : '';
}

/** `YYYY-MM-DD HH:MM:SS UTC`. */
export function utc(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** A duration for people: minutes once it is over an hour ("1h 30m", not "1h 30m 2s"). */
export function humanDuration(ms: number): string {
  const t = Math.max(0, ms);
  return formatDuration(t >= 3_600_000 ? Math.round(t / 60_000) * 60_000 : t);
}
