import { describe, expect, it } from 'vitest';
import { atLeast, scoreChecks, type Scored } from '../../src/core/health/scoring.js';
import type { Verdict } from '../../src/core/health/types.js';

const T = { passScore: 80, marginalScore: 60 };
const c = (name: string, verdict: Verdict, extra: Partial<Scored> = {}): Scored => ({ name, verdict, criticalFailure: false, warnings: [], ...extra });
const six = (over: Record<string, Verdict | Scored> = {}): Scored[] =>
  ['connectivity', 'health', 'docs', 'response-time', 'status-code', 'root-content'].map((n) => {
    const o = over[n];
    return typeof o === 'object' ? o : c(n, o ?? 'PASS');
  });

describe('seed 002 scoring', () => {
  it('all pass: HEALTHY 100', () => {
    expect(scoreChecks(six(), T)).toMatchObject({ status: 'HEALTHY', score: 100, passed: 6, counted: 6 });
  });
  it('/docs failing alone: HEALTHY 83', () => {
    expect(scoreChecks(six({ docs: 'FAIL' }), T)).toMatchObject({ status: 'HEALTHY', score: 83 });
  });
  it('/docs and an empty root: DEGRADED 66 (66.67 %, the score rounded down)', () => {
    expect(scoreChecks(six({ docs: 'FAIL', 'root-content': 'FAIL' }), T)).toMatchObject({ status: 'DEGRADED', score: 66 });
  });
  it('three of six failing: UNHEALTHY 50', () => {
    expect(scoreChecks(six({ docs: 'FAIL', 'root-content': 'FAIL', 'response-time': 'FAIL' }), T)).toMatchObject({ status: 'UNHEALTHY', score: 50 });
  });
  it('a non-critical ERROR leaves the ratio (Kayenta NODATA): 3 of 5 counted is DEGRADED', () => {
    expect(scoreChecks(six({ docs: 'FAIL', 'root-content': 'FAIL', 'response-time': 'ERROR' }), T)).toMatchObject({ status: 'DEGRADED', score: 60, errored: 1, counted: 5 });
  });
  it('a critical failure: CRITICAL with score 0, whatever the ratio', () => {
    const s = scoreChecks(six({ health: c('health', 'FAIL', { criticalFailure: true }) }), T);
    expect(s).toMatchObject({ status: 'CRITICAL', score: 0, passed: 5, counted: 6 });
    expect(s.ratio).toBeCloseTo(83.33, 1);
    expect(s.reasons).toEqual(['critical check health ended FAIL']);
  });
  it('a critical ERROR (refused) is CRITICAL too', () => {
    expect(scoreChecks(six({ connectivity: c('connectivity', 'ERROR', { criticalFailure: true }) }), T).status).toBe('CRITICAL');
  });
  it('thresholds are inclusive', () => {
    const five = [c('a', 'PASS'), c('b', 'PASS'), c('c', 'PASS'), c('d', 'PASS'), c('e', 'FAIL')];
    expect(scoreChecks(five, T)).toMatchObject({ status: 'HEALTHY', score: 80 });
    expect(scoreChecks([c('a', 'PASS'), c('b', 'PASS'), c('c', 'PASS'), c('d', 'FAIL'), c('e', 'FAIL')], T)).toMatchObject({ status: 'DEGRADED', score: 60 });
    expect(scoreChecks(five, { passScore: 81, marginalScore: 80 })).toMatchObject({ status: 'DEGRADED' });
  });
  it('inconclusive checks are left out of the ratio; 50 % or more of them is UNHEALTHY', () => {
    expect(scoreChecks([c('a', 'PASS'), c('b', 'PASS'), c('c', 'INCONCLUSIVE')], T)).toMatchObject({ status: 'HEALTHY', score: 100, counted: 2, inconclusive: 1 });
    const half = scoreChecks([c('a', 'PASS'), c('b', 'INCONCLUSIVE')], T);
    expect(half).toMatchObject({ status: 'UNHEALTHY', score: 100 });
    expect(half.reasons[0]).toBe('1 of 2 checks could not be measured (inconclusive or errored, 50 % or more)');
    expect(half.inconclusiveOnly).toBe(true);
    expect(scoreChecks([c('a', 'INCONCLUSIVE')], T)).toMatchObject({ status: 'UNHEALTHY', score: 0, counted: 0, inconclusiveOnly: true });
    expect(scoreChecks([c('a', 'FAIL'), c('b', 'INCONCLUSIVE')], T)).toMatchObject({ status: 'UNHEALTHY', inconclusiveOnly: false });
  });
  it('a check over max-latency keeps the status at DEGRADED at best', () => {
    const s = scoreChecks([c('a', 'PASS', { warnings: ['slow'] }), c('b', 'PASS')], T);
    expect(s).toMatchObject({ status: 'DEGRADED', score: 100 });
    expect(scoreChecks([c('a', 'PASS', { warnings: ['slow'] }), c('b', 'FAIL'), c('c', 'FAIL')], T).status).toBe('UNHEALTHY');
  });
  it('a non-critical check that fails never makes it CRITICAL', () => {
    expect(scoreChecks([c('a', 'FAIL'), c('b', 'ERROR')], T)).toMatchObject({ status: 'UNHEALTHY', score: 0 });
  });
});

describe('fail-on and rollback-on thresholds', () => {
  const statuses = ['HEALTHY', 'DEGRADED', 'UNHEALTHY', 'CRITICAL'] as const;
  it.each([
    ['critical', [false, false, false, true]],
    ['unhealthy', [false, false, true, true]],
    ['degraded', [false, true, true, true]],
    ['never', [false, false, false, false]],
  ] as const)('%s', (threshold, expected) => {
    expect(statuses.map((s) => atLeast(s, threshold))).toEqual(expected);
  });
});
