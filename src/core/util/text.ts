/**
 * Neutralises untrusted text before it is put into an issue or a summary: no live @mentions, no
 * cross-references that notify (#123, owner/repo#1, GH-1), no closing keywords acting on issues, and no
 * markdown able to break out of its section (headings, HTML, fences) when rendered inline.
 */
export function neutralise(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;'))
    .replace(/@(?=[A-Za-z0-9])/g, '@\u200b')
    .replace(/(^|[^\w&])#(?=\d)/g, '$1#\u200b')
    .replace(/\b(GH)-(?=\d)/gi, '$1-\u200b')
    .replace(/\b(close[sd]?|fix(?:e[sd])?|resolve[sd]?)\b(?=\s*:?\s*(?:[\w.-]+\/[\w.-]+)?#)/gi, (m) => `${m[0]}\u200b${m.slice(1)}`)
    .replace(/`/g, 'ˋ');
}

/** One table cell: neutralised, single line, pipes escaped, length-capped. */
export function cell(text: string, max = 200): string {
  const t = neutralise(text).replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

export function shortSha(sha: string): string {
  return sha.slice(0, 7);
}
