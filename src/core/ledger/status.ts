import type { LedgerStatus } from './types.js';

/** What greenline writes after `Status: `; the passed text is what the seed's grep one-liner looks for. */
export const STATUS_TEXT: Readonly<Record<LedgerStatus, string>> = {
  passed: '✅ Tests Passed',
  'rolled-back': '⛔ Rolled back',
  restored: '⏪ Restored',
  failed: '❌ Tests Failed',
  unknown: '❔ Unknown',
};

export const STATUS_EMOJI: Readonly<Record<LedgerStatus, string>> = {
  passed: '✅',
  'rolled-back': '⛔',
  restored: '⏪',
  failed: '❌',
  unknown: '❔',
};

// A leading symbol decides first: it is what people scan for and what greenline writes.
const LEADING: readonly [RegExp, LedgerStatus][] = [
  [/^(✅|✔️?|☑️?|🟢|🟩)/u, 'passed'],
  [/^(⛔|🚫|↩️?|🔙)/u, 'rolled-back'],
  [/^(⏪|♻️?)/u, 'restored'],
  [/^(❌|✖️?|✗|🔴|🟥|💥)/u, 'failed'],
  // What greenline writes for a status it could not classify must stay unknown when read back.
  [/^(❔|❓)/u, 'unknown'],
];

// Otherwise the first status word in the text decides ("Tests passed (0 failed)" is a pass).
const WORDS: readonly [RegExp, LedgerStatus][] = [
  [/\b(rolled[\s_-]*back|roll[\s_-]*back|rollback|reverted|revoked|bad in production|broken in production)\b/, 'rolled-back'],
  [/\b(restored?|re-?promoted)\b/, 'restored'],
  [/\b(fail(ed|ure|ing|s)?|error(ed)?|broken|red|not passed|unsuccessful)\b/, 'failed'],
  [/\b(pass(ed|ing|es)?|success(ful)?|succeeded|ok|okay|green|good|stable|promoted)\b/, 'passed'],
];

/** Classifies a status as written by greenline or by hand; `unknown` when nothing is recognisable. */
export function classifyStatus(text: string): LedgerStatus {
  const t = text
    .trim()
    .replace(/^[*_`~\s]+/, '')
    .toLowerCase();
  for (const [re, status] of LEADING) if (re.test(t)) return status;
  let best: { index: number; status: LedgerStatus } | undefined;
  for (const [re, status] of WORDS) {
    const m = re.exec(t);
    if (m && (best === undefined || m.index < best.index)) best = { index: m.index, status };
  }
  return best?.status ?? 'unknown';
}
