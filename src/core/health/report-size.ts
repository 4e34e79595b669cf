import type { HealthReport } from './report.js';
import type { CheckResult } from './types.js';

/**
 * The `report` output is meant to be handed on (`health-report: ${{ needs.gate.outputs.report }}`), and the
 * runner passes an input to a JavaScript action as an environment variable: Linux refuses to start a process
 * with one environment string over 128 KiB (MAX_ARG_STRLEN, "Argument list too long"), so an oversized report
 * would stop the incident step itself. 64 KiB leaves room for the variable's name and for the other inputs.
 */
export const REPORT_MAX_BYTES = 64 * 1024;

export interface Trimmed {
  /** The size of the whole report, in UTF-8 bytes. */
  fullBytes: number;
  limitBytes: number;
  /** Attempts left out (the newest of each check are kept); each check says how many of its own. */
  attemptsOmitted: number;
  /** Prometheus series left out of attempts (the last attempt of a check keeps its samples longest). */
  samplesOmitted: number;
  /** Whole checks left out, passing ones first, when even their summaries do not fit. */
  checksOmitted: number;
}

const size = (r: HealthReport) => Buffer.byteLength(JSON.stringify(r), 'utf8');

/**
 * The report unchanged when it fits in `maxBytes`; otherwise the same report with detail dropped, least useful
 * first, until it fits: samples of older attempts, then older attempts (keeping the newest 10, 3, 1, 0 of each
 * check), then long messages, then whole passing checks. Every check keeps its verdict, reason and tally, and
 * the report says what was dropped (`trimmed`).
 */
export function fitReport(report: HealthReport, maxBytes = REPORT_MAX_BYTES): HealthReport {
  const fullBytes = size(report);
  if (fullBytes <= maxBytes) return report;
  const trimmed: Trimmed = { fullBytes, limitBytes: maxBytes, attemptsOmitted: 0, samplesOmitted: 0, checksOmitted: 0 };
  let checks = report.checks.map((c) => ({ ...c, attempts: [...c.attempts] }));
  const build = (): HealthReport => ({ ...report, checks, trimmed: { ...trimmed } });

  // 1. Samples (up to 20 series with their labels) of every attempt but each check's last.
  checks = checks.map((c) => ({
    ...c,
    attempts: c.attempts.map((a, i) => {
      if (i === c.attempts.length - 1 || !a.samples?.length) return a;
      trimmed.samplesOmitted += a.samples.length;
      const { samples: _samples, ...rest } = a;
      return rest;
    }),
  }));
  if (size(build()) <= maxBytes) return build();

  // 2. Older attempts: the newest ones show how the check ended.
  for (const keep of [10, 3, 1, 0]) {
    checks = checks.map((c) => keepNewest(c, keep, trimmed));
    if (size(build()) <= maxBytes) return build();
  }

  // 3. Long texts (a check's message can quote a body or a PromQL error).
  checks = checks.map((c) => ({ ...c, message: cap(c.message, 300), ...(c.query !== undefined ? { query: cap(c.query, 500) } : {}) }));
  if (size(build()) <= maxBytes) return build();

  // 4. Hundreds of checks: drop whole checks from the end, passing ones before the rest.
  for (const passing of [true, false]) {
    for (let i = checks.length - 1; i >= 0 && size(build()) > maxBytes; i--) {
      if ((checks[i]!.verdict === 'PASS') !== passing) continue;
      checks = [...checks.slice(0, i), ...checks.slice(i + 1)];
      trimmed.checksOmitted += 1;
    }
  }
  return build();
}

function keepNewest(c: CheckResult, keep: number, trimmed: Trimmed): CheckResult {
  const drop = c.attempts.length - keep;
  if (drop <= 0) return c;
  trimmed.attemptsOmitted += drop;
  return { ...c, attempts: c.attempts.slice(drop), attemptsOmitted: (c.attemptsOmitted ?? 0) + drop };
}

function cap(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1; // never half an emoji
  return `${text.slice(0, end)}…`;
}
