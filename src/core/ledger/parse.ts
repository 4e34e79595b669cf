import {
  cleanValue,
  extractSha,
  extractUrl,
  headingText,
  headingTimestamp,
  isBoundary,
  matchField,
  metricName,
  numericValue,
  parseMetrics,
  splitDeploy,
  splitImage,
  splitTags,
  type FieldKey,
} from './fields.js';
import { classifyStatus } from './status.js';
import { isDelimiterRow, splitRow, tableColumns } from './table.js';
import type { LedgerEntry, LedgerWarning, ParsedLedger } from './types.js';

/**
 * Lines longer than this are read only this far: no ledger value is that long, and it keeps the parser's
 * work bounded on hostile input (a 50 MB line of random bytes).
 */
const MAX_LINE = 16_384;

interface Draft {
  start: number;
  /** Keys set so far: a key seen twice starts the next block. */
  seen: Set<string>;
  heading?: string;
  commit?: { value: string; line: number };
  status?: { value: string; line: number };
  timestamp?: string;
  image?: string;
  digest?: string;
  tags?: string[];
  run?: string;
  metrics: Record<string, number>;
  version?: string;
  reason?: string;
  replaced?: string;
  deploy?: { branch: string; commit: string };
}

/**
 * Reads a ledger: greenline's blocks, seed 000's `Commit:`/`Status:` lines, hand-written `**Commit:**`,
 * list items and tables. Never throws; a block that names a commit or a status but cannot be read becomes a
 * warning with its line number.
 */
export function parseLedger(text: string): ParsedLedger {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  return parseLines(body.split('\n'), 1);
}

/**
 * Parses consecutive lines, the first being line `firstLine` (negative when counted from the end of the
 * file). Blocks never span a heading or a thematic break, so the tail reader can parse the text between
 * two such lines on its own and get exactly what a full parse would.
 */
export function parseLines(lines: readonly string[], firstLine: number): ParsedLedger {
  const out: ParsedLedger = { entries: [], warnings: [] };
  let draft: Draft | undefined;
  const flush = () => {
    if (draft) finish(draft, out);
    draft = undefined;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = clip(lines[i] ?? '');
    const lineNo = firstLine + i;
    if (isBoundary(line)) {
      flush();
      const heading = headingText(line);
      if (heading !== undefined) draft = { start: lineNo, seen: new Set(), heading, metrics: {} };
      continue;
    }
    if (line.includes('|') && i + 1 < lines.length && isDelimiterRow(clip(lines[i + 1] ?? '')) && !isDelimiterRow(line)) {
      flush();
      i = readTable(lines, i, firstLine, out);
      continue;
    }
    const field = matchField(line);
    if (!field) continue;
    const numeric = field.key === undefined ? numericValue(field.value) : undefined;
    if (field.key === undefined && numeric === undefined) continue;
    // A key seen twice is the next block (lists and hand-written blocks without headings).
    const name = field.key ?? `metric:${metricName(field.name)}`;
    if (draft?.seen.has(name)) flush();
    draft ??= { start: lineNo, seen: new Set(), metrics: {} };
    draft.seen.add(name);
    if (field.key) apply(draft, field.key, field.value, lineNo);
    else if (numeric !== undefined) setMetric(draft.metrics, metricName(field.name), numeric);
  }
  flush();
  return out;
}

/** A line as the parser sees it: at most MAX_LINE characters, without its CR. */
export function clip(line: string): string {
  const l = line.length > MAX_LINE ? line.slice(0, MAX_LINE) : line;
  return l.endsWith('\r') ? l.slice(0, -1) : l;
}

/** Reads a table whose header is at `index`; returns the index of its last row. */
function readTable(lines: readonly string[], index: number, firstLine: number, out: ParsedLedger): number {
  const { columns, hasCommit, hasStatus } = tableColumns(clip(lines[index] ?? ''));
  let i = index + 2;
  const rows: number[] = [];
  for (; i < lines.length; i++) {
    const row = clip(lines[i] ?? '');
    if (!row.includes('|') || row.trim() === '' || isBoundary(row)) break;
    rows.push(i);
  }
  if (hasCommit !== hasStatus) {
    const missing = hasCommit ? 'Status' : 'Commit';
    out.warnings.push({
      line: firstLine + index,
      message: `table has a ${hasCommit ? 'Commit' : 'Status'} column but no ${missing} column: its ${rows.length} row(s) are not read as ledger entries`,
    });
  }
  if (hasCommit && hasStatus) {
    for (const r of rows) {
      const lineNo = firstLine + r;
      const draft: Draft = { start: lineNo, seen: new Set(), metrics: {} };
      splitRow(clip(lines[r] ?? '')).forEach((cell, k) => {
        const column = columns[k];
        const value = cleanValue(cell);
        if (!column || value === '') return;
        if ('key' in column) apply(draft, column.key, value, lineNo);
        else {
          const n = numericValue(value);
          if (n !== undefined) setMetric(draft.metrics, column.metric, n);
        }
      });
      finish(draft, out);
    }
  }
  return i - 1;
}

function apply(d: Draft, key: FieldKey, value: string, line: number): void {
  switch (key) {
    case 'commit':
      d.commit = { value, line };
      break;
    case 'status':
      d.status = { value, line };
      break;
    case 'timestamp':
      if (value) d.timestamp = value;
      break;
    case 'image': {
      const { image, digest } = splitImage(value);
      if (image) d.image = image;
      if (digest) d.digest = digest;
      break;
    }
    case 'digest': {
      const v = value.replace(/`/g, '').trim().toLowerCase();
      if (v) d.digest = v;
      break;
    }
    case 'tags':
      d.tags = splitTags(value);
      break;
    case 'run':
      if (value) d.run = extractUrl(value);
      break;
    case 'metrics':
      for (const [k, n] of Object.entries(parseMetrics(value))) setMetric(d.metrics, k, n);
      break;
    case 'version':
      if (value) d.version = value;
      break;
    case 'reason':
      if (value) d.reason = value;
      break;
    case 'replaced': {
      const digest = /sha256:[0-9a-f]{64}/i.exec(value)?.[0];
      if (digest) d.replaced = digest.toLowerCase();
      break;
    }
    case 'deploy': {
      const deploy = splitDeploy(value);
      if (deploy) d.deploy = deploy;
      break;
    }
  }
}

/** `__proto__` as a metric name would set the object's prototype instead of a key. */
function setMetric(metrics: Record<string, number>, name: string, value: number): void {
  if (name !== '' && name !== '__proto__') metrics[name] = value;
}

function quote(s: string): string {
  return JSON.stringify(s.length > 60 ? `${s.slice(0, 57)}...` : s);
}

function finish(d: Draft, out: ParsedLedger): void {
  const { commit, status } = d;
  const warn = (line: number, message: string) => void out.warnings.push({ line, message } satisfies LedgerWarning);
  if (!commit) {
    if (status) warn(status.line, `Status ${quote(status.value)} has no Commit line: block ignored`);
    else if (d.heading !== undefined) warnHeadingOnly(d.heading, d.start, warn);
    return;
  }
  const sha = extractSha(commit.value);
  if (!sha) {
    warn(commit.line, commit.value === '' ? 'Commit line has no value: block ignored' : `Commit ${quote(commit.value)} is not a commit SHA (7 to 40 hex digits): block ignored`);
    return;
  }
  if (!status) {
    warn(commit.line, `Commit ${sha} has no Status line: block ignored`);
    return;
  }
  const kind = classifyStatus(status.value);
  if (kind === 'unknown') {
    warn(status.line, `Status ${quote(status.value)} of commit ${sha.slice(0, 7)} is not recognised: kept as unknown, never counted as passed`);
  }
  const entry: LedgerEntry = { status: kind, statusText: status.value, commit: sha, tags: d.tags ?? [], metrics: d.metrics, line: d.start };
  const timestamp = d.timestamp ?? (d.heading !== undefined ? headingTimestamp(d.heading) : undefined);
  if (timestamp) entry.timestamp = timestamp;
  if (d.image) entry.image = d.image;
  if (d.digest) entry.digest = d.digest;
  if (d.run) entry.run = d.run;
  if (d.version) entry.version = d.version;
  if (d.reason) entry.reason = d.reason;
  if (d.replaced) entry.replaced = d.replaced;
  if (d.deploy) entry.deploy = d.deploy;
  out.entries.push(entry);
}

/**
 * `## 611b29b ✅ Passed` with nothing under it: a build written as a heading alone. It is not read as an
 * entry (a heading is also where prose goes), but it must not vanish silently either: a warning says how to
 * write it. Only a heading holding both a commit-like token and a recognisable status is reported.
 */
function warnHeadingOnly(heading: string, line: number, warn: (line: number, message: string) => void): void {
  const sha = /(?<![0-9a-z])(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{7,40}(?![0-9a-z])/i.exec(heading)?.[0];
  if (!sha || classifyStatus(heading.replace(sha, ' ')) === 'unknown') return;
  warn(line, `heading ${quote(heading)} names commit ${sha.slice(0, 7)} but the block has no Commit and Status lines: not read as an entry (write "Commit: ${sha}" and "Status: …" under it)`);
}
