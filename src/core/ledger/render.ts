import { validateEntry, type NewLedgerEntry } from './schema.js';
import { STATUS_EMOJI, STATUS_TEXT } from './status.js';

/**
 * The block layout, and why the seed's one-liner
 *   grep -B 3 "Status: ✅ Tests Passed" FILE | grep "Commit:" | tail -1 | awk '{print $2}'
 * keeps answering like the parser on every ledger greenline writes:
 *
 *   (blank line)                          ← appendToLedger puts one before every block
 *   ### ✅ 611b29b · 2024-12-22T10:15:00Z
 *   Commit: 611b29b362b480a8e6a56848f453ab8a2091e683
 *   Status: ✅ Tests Passed               ← always the third line of a block
 *   Image / Tags / Run / Metrics / Version / Reason / Replaced / Deploy (each optional, in this order)
 *
 * The three lines grep -B 3 shows before a Status are the blank line, the heading and the block's own
 * Commit line, never a line of the previous block, so no rolled-back or restored block's Commit can be
 * picked up. Every value that is free text is put on one line and has `Commit:`/`Status:` broken up
 * (`Commit :`), so no other line can match either grep.
 */

export const LEDGER_TITLE = '# ML experiment results';

/** Starts a new ledger. Contains neither grep pattern. */
export const LEDGER_HEADER = [
  LEDGER_TITLE,
  '',
  'Build ledger kept by greenline: one block per event, newest last. ✅ tests passed and the image was promoted,',
  '⛔ rolled back (skipped from then on), ⏪ `:stable` restored to an earlier build.',
].join('\n');

/** One line of free text that can match neither of the one-liner's patterns. */
export function neutraliseValue(text: string): string {
  return text
    .replace(/[\r\n\v\f\u0085\u2028\u2029]+/g, ' ')
    .replace(/(commit|status):/gi, '$1 :')
    .trim();
}

function token(text: string): string {
  return neutraliseValue(text).replace(/\s+/g, '');
}

export function metricKey(name: string): string {
  const n = name.replace(/[^A-Za-z0-9_./-]+/g, '_');
  return /^[A-Za-z_]/.test(n) ? n : `_${n}`;
}

/** The text greenline writes after `Status: ` for this entry. */
export function renderedStatusText(entry: Pick<NewLedgerEntry, 'status' | 'statusText'>): string {
  if (entry.status !== 'unknown') return STATUS_TEXT[entry.status];
  const text = neutraliseValue(entry.statusText ?? '');
  if (text === '') return STATUS_TEXT.unknown;
  // Read back, a leading ❔/❓ keeps the status unknown whatever words follow.
  return /^(❔|❓)/u.test(text) ? text : `${STATUS_EMOJI.unknown} ${text}`;
}

/** The block for one entry, lines joined with `\n`, no trailing newline. */
export function renderEntry(entry: NewLedgerEntry): string {
  const e = validateEntry(entry);
  const commit = e.commit.toLowerCase();
  const timestamp = e.timestamp !== undefined ? neutraliseValue(e.timestamp) : '';
  const lines = [
    `### ${STATUS_EMOJI[e.status]} ${commit.slice(0, 7)}${timestamp ? ` · ${timestamp}` : ''}`,
    `Commit: ${commit}`,
    `Status: ${renderedStatusText(e)}`,
  ];
  const image = e.image !== undefined ? token(e.image) : '';
  const digest = e.digest?.toLowerCase();
  if (image && digest) lines.push(`Image: ${image}@${digest}`);
  else if (image) lines.push(`Image: ${image}`);
  else if (digest) lines.push(`Digest: ${digest}`);
  const tags = (e.tags ?? []).map((t) => token(t).replace(/,/g, '')).filter(Boolean);
  if (tags.length) lines.push(`Tags: ${tags.join(', ')}`);
  const run = e.run !== undefined ? token(e.run) : '';
  if (run) lines.push(`Run: ${run}`);
  const metrics = Object.entries(e.metrics ?? {}).map(([k, v]) => `${metricKey(k)}=${String(v)}`);
  if (metrics.length) lines.push(`Metrics: ${metrics.join(', ')}`);
  const version = e.version !== undefined ? neutraliseValue(e.version) : '';
  if (version) lines.push(`Version: ${version}`);
  const reason = e.reason !== undefined ? neutraliseValue(e.reason) : '';
  if (reason) lines.push(`Reason: ${reason}`);
  // A rollback names the build it rolled away from: ledger:previous never goes back to it.
  const replaced = e.replaced?.toLowerCase();
  if (replaced) lines.push(`Replaced: ${replaced}`);
  // The deploy branch's commit for this build: its tree is the build's, its history keeps every earlier tip.
  const deployBranch = e.deploy ? token(e.deploy.branch) : '';
  if (deployBranch && e.deploy) lines.push(`Deploy: ${deployBranch}@${e.deploy.commit.toLowerCase()}`);
  return lines.join('\n');
}
