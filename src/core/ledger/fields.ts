/**
 * Recognising the lines of a ledger block, whoever wrote them: `Commit: …` (greenline, seed 000),
 * `**Commit:** …`, `**Commit**: …`, `- Commit: …`, `* **Status**: …`, and values decorated with backticks,
 * bold or links.
 */

export type FieldKey = 'commit' | 'status' | 'timestamp' | 'image' | 'digest' | 'tags' | 'run' | 'metrics' | 'version' | 'reason' | 'replaced' | 'deploy';

const ALIASES: Readonly<Record<string, FieldKey>> = {
  // Few aliases for commit and status on purpose: a second commit/status key starts a new block, so an
  // alias that also appears inside ordinary blocks (e.g. "Tests: 120 passed") would split them.
  commit: 'commit', 'commit sha': 'commit', 'commit hash': 'commit', sha: 'commit', 'git sha': 'commit', 'git commit': 'commit', revision: 'commit',
  status: 'status', 'build status': 'status', 'test status': 'status', 'tests status': 'status', 'ci status': 'status',
  'test result': 'status', 'test results': 'status', 'tests result': 'status', 'build result': 'status', 'ci result': 'status',
  timestamp: 'timestamp', date: 'timestamp', time: 'timestamp', datetime: 'timestamp', when: 'timestamp', 'promoted at': 'timestamp', 'built at': 'timestamp',
  image: 'image', 'docker image': 'image', 'container image': 'image',
  digest: 'digest', 'image digest': 'digest',
  tags: 'tags', tag: 'tags', 'image tags': 'tags',
  run: 'run', 'run url': 'run', 'workflow run': 'run', 'build url': 'run', 'ci run': 'run', 'actions run': 'run',
  metrics: 'metrics',
  version: 'version', 'model version': 'version', release: 'version',
  reason: 'reason', notes: 'reason', note: 'reason', cause: 'reason',
  replaced: 'replaced', 'rolled back from': 'replaced', 'restored from': 'replaced',
  deploy: 'deploy', 'deploy branch': 'deploy', 'deploy commit': 'deploy',
};

/** `Commit SHA`, `**commit_sha**`, `Commit-Hash` → `commit sha`, … */
export function normaliseName(name: string): string {
  return name
    .replace(/[*_`]+/g, ' ')
    .replace(/[\s-]+/g, ' ')
    .trim()
    .toLowerCase();
}

export function fieldKey(name: string): FieldKey | undefined {
  return ALIASES[normaliseName(name)];
}

// In a table header a column name cannot split a block, so looser names for the status are safe there.
const TABLE_ALIASES: Readonly<Record<string, FieldKey>> = {
  result: 'status', outcome: 'status', state: 'status', tests: 'status', ci: 'status', build: 'status',
};

export function columnKey(name: string): FieldKey | undefined {
  return fieldKey(name) ?? TABLE_ALIASES[normaliseName(name)];
}

export interface FieldLine {
  /** The key as written (without decoration). */
  name: string;
  key: FieldKey | undefined;
  value: string;
}

const LIST_PREFIX = /^\s*(?:>\s*)*(?:(?:[-*+]|\d{1,9}[.)])\s+)?/;
const FIELD = /^(?:\*\*|__)?[ \t]*([A-Za-z][A-Za-z0-9 _./-]{0,40}?)[ \t]*(?:(?:\*\*|__)[ \t]*)?:(?:\*\*|__)?(?!\/\/)(.*)$/;

/** A `Key: value` line, or undefined for prose, tables, headings. */
export function matchField(line: string): FieldLine | undefined {
  const rest = line.replace(LIST_PREFIX, '');
  const m = FIELD.exec(rest);
  if (!m) return undefined;
  const name = (m[1] ?? '').trim();
  const value = cleanValue(m[2] ?? '');
  return { name, key: fieldKey(name), value };
}

/**
 * Drops Markdown decoration around a whole value: bold markers, hard-break backslash. Written without
 * regexes that backtrack, because a line can be anything (the parser must stay linear on hostile input).
 */
export function cleanValue(value: string): string {
  let v = value.trim();
  if (v.endsWith('\\')) v = v.slice(0, -1).trimEnd();
  for (let i = 0; i < 3; i++) {
    const before = v;
    // Not `__`: underscores are ordinary characters of tags, names and versions.
    if (v.startsWith('**')) v = v.slice(2).trimStart();
    if (v.endsWith('**')) v = v.slice(0, -2).trimEnd();
    if (v === before) break;
  }
  return v;
}

const SHA = /^[0-9a-f]{7,40}$/i;

/**
 * The commit in a value: `611b29b`, `611b29b…`, `` `611b29b` ``, `[611b29b](…/commit/611b29b…)`, `611b29b (main)`, or a
 * commit URL pasted as it is.
 */
export function extractSha(value: string): string | undefined {
  const link = /^\[([^\]]*)\]\(([^)\s]*)[^)]*\)/.exec(value.trim());
  if (link) {
    const text = stripTicks(link[1] ?? '').toLowerCase();
    const inUrl = /\/commits?\/([0-9a-f]{7,40})(?![0-9a-z])/i.exec(link[2] ?? '')?.[1]?.toLowerCase();
    // `[611b29b](…/commit/611b29b362…)`: the full SHA of the URL says more than the short text.
    if (SHA.test(text)) return inUrl?.startsWith(text) ? inUrl : text;
    return inUrl;
  }
  const token = value.trim().split(/\s/, 1)[0] ?? '';
  // A pasted commit URL, bare or as an autolink: `https://github.com/o/r/commit/611b29b…`, `<…/commit/…>`.
  if (token.length <= 2048 && /^<?https?:\/\//i.test(stripTicks(token))) {
    return /\/commits?\/([0-9a-f]{7,40})(?![0-9a-z])/i.exec(token)?.[1]?.toLowerCase();
  }
  if (token.length > 64) return undefined;
  // `611b29b…` and `611b29b...`: an abbreviation marked as such.
  const first = stripTicks(token).replace(/^[([{<*_]+/, '').replace(/[)\]}>.,;:!*_…]+$/u, '');
  return SHA.test(first) ? first.toLowerCase() : undefined;
}

function stripTicks(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && s[a] === '`') a++;
  while (b > a && s[b - 1] === '`') b--;
  return s.slice(a, b).trim();
}

/** A link's URL, else the value without backticks or angle brackets. */
export function extractUrl(value: string): string {
  const link = /^\[[^\]]*\]\(([^)\s]+)[^)]*\)/.exec(value);
  if (link?.[1]) return link[1];
  const v = stripTicks(value);
  return v.startsWith('<') && v.endsWith('>') ? v.slice(1, -1) : v;
}

export function splitImage(value: string): { image?: string; digest?: string } {
  const v = stripTicks(value);
  if (v === '') return {};
  const at = v.lastIndexOf('@');
  if (at > 0 && /^[a-z0-9]+:[0-9a-f]+$/i.test(v.slice(at + 1))) return { image: v.slice(0, at), digest: v.slice(at + 1).toLowerCase() };
  if (/^sha256:[0-9a-f]+$/i.test(v)) return { digest: v.toLowerCase() };
  return { image: v };
}

/** `stable@<40 hex>`: the deploy branch and the commit it was set to (the branch name may hold an `@`). */
export function splitDeploy(value: string): { branch: string; commit: string } | undefined {
  const m = /^(.+)@([0-9a-f]{40})$/i.exec(stripTicks(value));
  return m?.[1] && m[2] ? { branch: m[1], commit: m[2].toLowerCase() } : undefined;
}

export function splitTags(value: string): string[] {
  return value
    .split(/[,\s]+/)
    .map((t) => stripTicks(t).replace(/^:/, ''))
    .filter((t) => t !== '');
}

const NUMBER = String.raw`[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?`;
const METRIC = new RegExp(String.raw`^\s*([A-Za-z_][\w.\/-]*)\s*[=:]\s*(${NUMBER})\s*(?:%\s*)?$`);
const WHOLE_NUMBER = new RegExp(String.raw`^(${NUMBER})\s*%?$`);

/** `accuracy=0.913, rmse=0.121` (also `accuracy: 0.913; rmse: 0.121` or space-separated `a=1 b=2`). */
export function parseMetrics(value: string): Record<string, number> {
  const metrics: Record<string, number> = {};
  const parts = stripTicks(value)
    .split(/[,;]/)
    .flatMap((p) => ((p.match(/[=:]/g)?.length ?? 0) > 1 ? p.trim().split(/\s+/) : [p]));
  for (const part of parts) {
    const m = METRIC.exec(part);
    const n = Number(m?.[2]);
    if (m?.[1] && m[1] !== '__proto__' && Number.isFinite(n)) metrics[m[1]] = n;
  }
  return metrics;
}

/** A value that is just a number (a hand-written `**Accuracy:** 0.91` becomes metric `accuracy`). */
export function numericValue(value: string): number | undefined {
  const m = WHOLE_NUMBER.exec(stripTicks(value));
  if (!m) return undefined;
  const n = Number(m[1]);
  return Number.isFinite(n) ? n : undefined;
}

export function metricName(name: string): string {
  return normaliseName(name).replace(/[^a-z0-9_./-]+/g, '_');
}

const DATE = /\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s?(?:Z|UTC|GMT|[+-]\d{2}:?\d{2}))?)?/;

/** A heading greenline wrote (`✅ 611b29b · <timestamp>`) or a hand-written one with a date in it. */
export function headingTimestamp(heading: string): string | undefined {
  const ours = /^\S+\s+[0-9a-f]{7,40}\s+·\s+(.+)$/u.exec(heading);
  if (ours?.[1]) return ours[1].trim();
  return DATE.exec(heading)?.[0];
}

const HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*))?$/;
const HR = /^ {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$/;

/** ATX heading text (closing #s removed), or undefined. */
export function headingText(line: string): string | undefined {
  const m = HEADING.exec(line);
  if (!m) return undefined;
  let t = (m[2] ?? '').trim();
  let j = t.length;
  while (j > 0 && t[j - 1] === '#') j--;
  if (j === 0) t = '';
  else if (j < t.length && (t[j - 1] === ' ' || t[j - 1] === '\t')) t = t.slice(0, j).trimEnd();
  return t;
}

/** Headings and thematic breaks end a block whatever came before: the tail reader splits on them. */
export function isBoundary(line: string): boolean {
  return HEADING.test(line) || HR.test(line);
}

export function isRule(line: string): boolean {
  return HR.test(line);
}
