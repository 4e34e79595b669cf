import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addOutcome, assess, emptyTally, verdictOf } from '../../src/core/health/limits.js';
import type { Limits, Outcome } from '../../src/core/health/types.js';

const L = (count: number, failureLimit = 0, inconclusiveLimit = 0, consecutiveErrorLimit = 4): Limits => ({ count, failureLimit, inconclusiveLimit, consecutiveErrorLimit });
const seq = (s: string): Outcome[] => [...s].map((c) => ({ P: 'PASS', F: 'FAIL', I: 'INCONCLUSIVE', E: 'ERROR' })[c] as Outcome);

describe('limits (Argo assessMetricStatus)', () => {
  it.each([
    // outcomes, limits, verdict, decided by, attempts used
    ['PPP', L(3), 'PASS', 'count', 3],
    ['PF', L(3), 'FAIL', 'failure-limit', 2],
    ['PFPF', L(4, 1), 'FAIL', 'failure-limit', 4],
    ['PFPF', L(4, 2), 'PASS', 'count', 4],
    ['FFF', L(3, 3), 'PASS', 'count', 3],
    ['PI', L(3), 'INCONCLUSIVE', 'inconclusive-limit', 2],
    ['PIP', L(3, 0, 1), 'PASS', 'count', 3],
    ['EEEEE', L(3), 'ERROR', 'consecutive-error-limit', 5],
    ['E', L(3, 0, 0, 0), 'ERROR', 'consecutive-error-limit', 1],
    // errors do not use up count: two errors, then three measurements
    ['EPEPP', L(3), 'PASS', 'count', 5],
    // a measurement resets the consecutive errors
    ['EEEEPEEEEP', L(2), 'PASS', 'count', 10],
    // failure limit is checked before the inconclusive limit
    ['IF', L(3, 0, 5), 'FAIL', 'failure-limit', 2],
  ] as const)('%s with %o → %s by %s', (outcomes, limits, verdict, decidedBy, used) => {
    expect(verdictOf(seq(outcomes), limits)).toEqual({ done: true, verdict, decidedBy, attemptsUsed: used });
  });

  it('is not done before count measurements', () => {
    expect(verdictOf(seq('PP'), L(3))).toEqual({ done: false, attemptsUsed: 2 });
    expect(verdictOf(seq('EEEE'), L(3))).toEqual({ done: false, attemptsUsed: 4 });
  });

  it('tallies consecutive errors and resets them on any measurement', () => {
    let t = emptyTally();
    for (const o of seq('EEIE')) t = addOutcome(t, o);
    expect(t).toEqual({ pass: 0, fail: 0, inconclusive: 1, error: 3, consecutiveErrors: 1 });
    expect(assess(t, L(5, 0, 1))).toEqual({ done: false });
  });

  it('always ends: count measurements or too many errors, never more than count × (limit + 1) + limit + 1 attempts', () => {
    const outcome = fc.constantFrom<Outcome>('PASS', 'FAIL', 'INCONCLUSIVE', 'ERROR');
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 4 }), fc.array(outcome, { minLength: 60, maxLength: 60 }), (count, fl, il, el, outcomes) => {
        const r = verdictOf(outcomes, L(count, fl, il, el));
        if (!r.done) return false;
        const used = outcomes.slice(0, r.attemptsUsed);
        const measured = used.filter((o) => o !== 'ERROR').length;
        if (r.verdict === 'PASS') return measured === count && used.filter((o) => o === 'FAIL').length <= fl;
        if (r.verdict === 'FAIL') return used.filter((o) => o === 'FAIL').length === fl + 1;
        return r.attemptsUsed <= count * (el + 1) + el + 1;
      }),
    );
  });
});
