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

// What a status line says, in the order it is decided. A pass is the one verdict that lets greenline restore a
// build, so it must be unanimous: any negative marker anywhere in the line (⛔, ❌, a struck-through pass,
// "rolled back", "failing", a failure count above zero, a negated pass word) makes the line not a pass, wherever
// it stands ("✅ Tests Passed (later rolled back)", "✅ build ❌ tests", "118 passing, 2 failing").

// A leading ❔ or ⏪ decides before anything else: what greenline writes for an unclassified status must stay
// unknown when read back, and a restore is an event, never a pass.
const LEADING: readonly [RegExp, LedgerStatus][] = [
  [/^(❔|❓)/u, 'unknown'],
  [/^(⏪|♻️?)/u, 'restored'],
];

// Struck-through text (Markdown ~~…~~, HTML <s>/<del>/<strike>) was withdrawn by whoever struck it.
const STRUCK = /~~[^~]*~~|<(s|del|strike)\b[^>]*>.*?<\/\1\s*>/g;

// "0 failed", "no failures", "failures: 0": a count of zero names no failure ("0 failed, 120 passed" is a pass).
const ZERO_FAILURES = /\b(?:0|zero|no)\s+(?:fail(?:ed|ures?|ing|s)?|errors?)\b|\b(?:fail(?:ed|ures?|ing|s)?|errors?)\s*[:=]\s*0\b(?!\.\d)/g;

// A pass word that is negated or answered "no" is a failure: counting "did not pass" or "Not OK" (TAP) as a
// pass would hand find-last-good-commit a broken build.
const NEGATED_PASS =
  /\b(?:not|never|no longer|did ?n['’]?t|does ?n['’]?t|do ?n['’]?t|is ?n['’]?t|was ?n['’]?t|has ?n['’]?t|have ?n['’]?t|can ?n?['’]?t|wo ?n['’]?t)\s+(?:(?:yet|all|fully|be|been|have|quite)\s+)?(?:pass(?:ed|ing|es)?|ok|okay|succe(?:ss|ssful|eded|ed)|green|good)\b/;
const PASS_ANSWERED_NO = /\b(?:pass(?:ed|ing)?|ok|okay|success(?:ful)?|succeeded|green)\s*[:=]\s*(?:no|false|0|n)\b/;

const ROLLED_BACK: readonly RegExp[] = [
  /⛔|🚫|↩️?|🔙/u,
  /\b(?:rolled[\s_-]*back|roll[\s_-]*back|rollback|reverted|revoked|withdrawn|bad in production|broken in production)\b/,
];
const FAILED: readonly RegExp[] = [
  /❌|✖️?|✗|🔴|🟥|💥/u,
  PASS_ANSWERED_NO,
  NEGATED_PASS,
  /\b(?:fail(?:ed|ure|ures|ing|s)?|error(?:ed|s)?|broken|red|unsuccessful|unstable)\b/,
];
const RESTORED = /\b(?:restored?|re-?promoted)\b/;
const PASSED = /✅|✔️?|☑️?|🟢|🟩|\b(?:pass(?:ed|ing|es)?|success(?:ful)?|succeeded|ok|okay|green|good|stable|promoted)\b/u;

/** A status and the marker that decided it (`⛔`, `failing`, `strike-through`…), for reasons people read. */
export interface StatusVerdict {
  status: LedgerStatus;
  /** The word or symbol that decided; empty for `unknown`. */
  word: string;
}

/** Classifies a status as written by greenline or by hand, and says which marker decided. */
export function statusVerdict(text: string): StatusVerdict {
  // A status is a few words; a longer value is read in its first 500 characters (bounded time on any file).
  const lowered = text.trim().slice(0, 500).toLowerCase();
  const start = lowered.replace(/^[*_`\s]+/, '');
  for (const [re, status] of LEADING) {
    const m = re.exec(start);
    if (m) return { status, word: m[0] };
  }
  const struck = STRUCK.test(lowered);
  STRUCK.lastIndex = 0;
  const t = lowered.replace(STRUCK, ' ').replace(ZERO_FAILURES, ' ');
  const first = (res: readonly RegExp[]) => {
    let best: RegExpExecArray | undefined;
    for (const re of res) {
      const m = re.exec(t);
      if (m && (best === undefined || m.index < best.index)) best = m;
    }
    return best?.[0];
  };
  const rolled = first(ROLLED_BACK);
  if (rolled) return { status: 'rolled-back', word: rolled.trim() };
  const failed = first(FAILED);
  if (failed) return { status: 'failed', word: failed.trim() };
  if (struck) return { status: 'failed', word: 'strike-through' };
  const restored = RESTORED.exec(t);
  if (restored) return { status: 'restored', word: restored[0] };
  const passed = PASSED.exec(t);
  if (passed) return { status: 'passed', word: passed[0] };
  return { status: 'unknown', word: '' };
}

/** Classifies a status as written by greenline or by hand; `unknown` when nothing is recognisable. */
export function classifyStatus(text: string): LedgerStatus {
  return statusVerdict(text).status;
}
