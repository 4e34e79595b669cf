/**
 * Neutralises untrusted text before it is put into an issue or a summary: no live @mentions, no
 * cross-references that notify (#123, owner/repo#1, GH-1), no closing keywords acting on issues, and no
 * markdown able to break out of its section (headings, HTML, fences) when rendered inline.
 */
export function neutralise(text: string): string {
  return (
    text
      .replace(/\r\n?/g, '\n')
      // Entities first: `&#64;user` would otherwise render as a live @mention.
      .replace(/&/g, '&amp;')
      .replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;'))
      .replace(/@(?=[A-Za-z0-9])/g, '@\u200b')
      // Every `#<digit>`, also in `owner/repo#1`: an issue reference notifies and cross-links.
      .replace(/#(?=\d)/g, '#\u200b')
      .replace(/\b(GH)-(?=\d)/gi, '$1-\u200b')
      // Links to issues and pull requests create back-references too.
      .replace(/\/(issues|pull|discussions)\/(?=\d)/gi, '/$1\u200b/')
      .replace(/\b(close[sd]?|fix(?:e[sd])?|resolve[sd]?)\b(?=\s*:?\s*(?:[\w.-]+\/[\w.-]+)?#)/gi, (m) => `${m[0]}\u200b${m.slice(1)}`)
      .replace(/`/g, 'ˋ')
  );
}

/**
 * Text for a commit message that must not link or close issues: a commit that lands on the default branch
 * closes `fixes #12` (also `fixes owner/repo#12` and `fixes https://…/issues/12`) and cross-links every `#12`.
 * Only the references are broken (a zero-width space after `#`, `GH-` and `/issues/`): nothing else in a
 * commit message is rendered.
 */
export function inertIssueReferences(text: string): string {
  return text
    .replace(/#(?=\d)/g, '#\u200b')
    .replace(/\b(GH)-(?=\d)/gi, '$1-\u200b')
    .replace(/\/(issues|pull|pulls|discussions)\/(?=\d)/gi, '/$1/\u200b');
}

/** One table cell: neutralised, single line, pipes escaped, length-capped. */
export function cell(text: string, max = 200): string {
  const t = neutralise(text).replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/**
 * Text for the log (core.info) that the runner cannot take as a workflow command. The runner reads `::name::`
 * at the start of a line after leading whitespace (TryParseV2 trims first), and the legacy `##[name]`
 * anywhere in a line (TryParse uses IndexOf). It splits lines on `\r` as well as `\n`. A zero-width space
 * breaks both forms and is invisible in the log. core.debug/warning/error escape their own data.
 */
export function inertCommands(text: string): string {
  return text.replace(/(^|[\r\n\u2028\u2029\u0085])([\s\u0085\u180e]*)::/g, '$1$2\u200b::').replace(/##\[/g, '#\u200b#[');
}

export function shortSha(sha: string): string {
  return sha.slice(0, 7);
}
