import { evaluateCondition, type Condition } from './condition.js';
import type { Limits, Outcome, Verdict } from './types.js';

export const DEFAULT_LIMITS = { failureLimit: 0, inconclusiveLimit: 0, consecutiveErrorLimit: 4 } as const;

/**
 * One measurement against the conditions, as Argo Rollouts' `evaluate.EvaluateResult`: with only a success
 * condition, not-success is FAIL; with only a failure condition, not-failure is PASS; with both, a failure
 * wins, then a success, and neither holding is INCONCLUSIVE. (With neither condition Argo passes; greenline
 * refuses that configuration up front.)
 */
export function evaluateMeasurement(value: number, success: Condition | undefined, fail: Condition | undefined): Outcome {
  let failed = fail ? evaluateCondition(fail, value) : false;
  let succeeded = success ? evaluateCondition(success, value) : false;
  if (success && !fail) failed = !succeeded;
  else if (!success && fail) succeeded = !failed;
  else if (!success && !fail) return 'PASS';
  if (failed) return 'FAIL';
  if (succeeded) return 'PASS';
  return 'INCONCLUSIVE';
}

export interface Tally {
  pass: number;
  fail: number;
  inconclusive: number;
  error: number;
  consecutiveErrors: number;
}

export const emptyTally = (): Tally => ({ pass: 0, fail: 0, inconclusive: 0, error: 0, consecutiveErrors: 0 });

export function addOutcome(t: Tally, outcome: Outcome): Tally {
  switch (outcome) {
    case 'PASS':
      return { ...t, pass: t.pass + 1, consecutiveErrors: 0 };
    case 'FAIL':
      return { ...t, fail: t.fail + 1, consecutiveErrors: 0 };
    case 'INCONCLUSIVE':
      return { ...t, inconclusive: t.inconclusive + 1, consecutiveErrors: 0 };
    case 'ERROR':
      return { ...t, error: t.error + 1, consecutiveErrors: t.consecutiveErrors + 1 };
  }
}

export type Assessment = { done: false } | { done: true; verdict: Verdict; decidedBy: 'failure-limit' | 'inconclusive-limit' | 'consecutive-error-limit' | 'count' };

/**
 * Argo Rollouts' `assessMetricStatus`, checked after every attempt: more failures than failure-limit is FAIL,
 * more inconclusive than inconclusive-limit is INCONCLUSIVE, more errors in a row than
 * consecutive-error-limit is ERROR; otherwise `count` measurements make a PASS. As in Argo, an ERROR does not
 * use up `count`: the check measures again, until the consecutive-error limit says stop.
 */
export function assess(t: Tally, limits: Limits): Assessment {
  if (t.fail > limits.failureLimit) return { done: true, verdict: 'FAIL', decidedBy: 'failure-limit' };
  if (t.inconclusive > limits.inconclusiveLimit) return { done: true, verdict: 'INCONCLUSIVE', decidedBy: 'inconclusive-limit' };
  if (t.consecutiveErrors > limits.consecutiveErrorLimit) return { done: true, verdict: 'ERROR', decidedBy: 'consecutive-error-limit' };
  if (t.pass + t.fail + t.inconclusive >= limits.count) return { done: true, verdict: 'PASS', decidedBy: 'count' };
  return { done: false };
}

/** The verdict of a finished series of outcomes (used by tests and by the report to explain itself). */
export function verdictOf(outcomes: readonly Outcome[], limits: Limits): Assessment & { attemptsUsed: number } {
  let t = emptyTally();
  for (let i = 0; i < outcomes.length; i++) {
    t = addOutcome(t, outcomes[i]!);
    const a = assess(t, limits);
    if (a.done) return { ...a, attemptsUsed: i + 1 };
  }
  return { done: false, attemptsUsed: outcomes.length };
}
