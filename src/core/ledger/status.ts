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

// A pass word that is negated or answered "no" is a failure: counting "did not pass" or "Not OK" (TAP) as a
// pass would hand find-last-good-commit a broken build. Listed first so they win over the bare pass word.
const NEGATED_PASS =
  /\b(?:not|never|no longer|did ?n['’]?t|does ?n['’]?t|do ?n['’]?t|is ?n['’]?t|was ?n['’]?t|has ?n['’]?t|have ?n['’]?t|can ?n?['’]?t|wo ?n['’]?t)\s+(?:(?:yet|all|fully|be|been|have|quite)\s+)?(?:pass(?:ed|ing|es)?|ok|okay|succe(?:ss|ssful|eded|ed)|green|good)\b/;
const PASS_ANSWERED_NO = /\b(?:pass(?:ed|ing)?|ok|okay|success(?:ful)?|succeeded|green)\s*[:=]\s*(?:no|false|0|n)\b/;
// "0 failed", "no failures": a count of zero names no failure ("0 failed, 120 passed" is a pass).
const ZERO_FAILURES = /\b(?:0|zero|no)\s+(?:fail(?:ed|ures?|s)?|errors?)\b/g;

// Otherwise the first status word in the text decides ("Tests passed (0 failed)" is a pass).
const WORDS: readonly [RegExp, LedgerStatus][] = [
  [PASS_ANSWERED_NO, 'failed'],
  [NEGATED_PASS, 'failed'],
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
    .toLowerCase()
    .replace(ZERO_FAILURES, ' ');
  for (const [re, status] of LEADING) if (re.test(t)) return status;
  let best: { index: number; status: LedgerStatus } | undefined;
  for (const [re, status] of WORDS) {
    const m = re.exec(t);
    if (m && (best === undefined || m.index < best.index)) best = { index: m.index, status };
  }
  return best?.status ?? 'unknown';
}
