import { describe, expect, it } from 'vitest';
import { evaluateSamples } from '../../src/core/health/aggregate.js';
import { parseCondition } from '../../src/core/health/condition.js';
import type { Aggregate, Fallback, PrometheusCheck, Sample } from '../../src/core/health/types.js';

const cond = (t: string) => {
  const r = parseCondition(t);
  if (!r.ok) throw new Error(r.error);
  return r.value;
};
const check = (over: { success?: string; fail?: string; aggregate?: Aggregate; onEmpty?: Fallback; onNaN?: Fallback } = {}): Pick<PrometheusCheck, 'success' | 'fail' | 'aggregate' | 'onEmpty' | 'onNaN'> => ({
  success: over.success ? cond(over.success) : undefined,
  fail: over.fail ? cond(over.fail) : undefined,
  aggregate: over.aggregate ?? 'all',
  onEmpty: over.onEmpty ?? 'inconclusive',
  onNaN: over.onNaN ?? 'inconclusive',
});
const s = (value: number, labels: Record<string, string> = {}): Sample => ({ labels, value });
const series = [s(0.001, { app: 'good' }), s(0.05, { app: 'bad' })];

describe('evaluateSamples', () => {
  it('one sample against fail-if', () => {
    expect(evaluateSamples(check({ fail: '> 0.01' }), [s(0.05)])).toEqual({ outcome: 'FAIL', reason: 'fail-if', message: '0.05 matches fail-if "> 0.01"', value: 0.05 });
    expect(evaluateSamples(check({ fail: '> 0.01' }), [s(0.001)])).toMatchObject({ outcome: 'PASS', reason: 'ok' });
  });

  it('success-if not met is FAIL with reason success-if', () => {
    expect(evaluateSamples(check({ success: '>= 0.99' }), [s(0.95)])).toMatchObject({ outcome: 'FAIL', reason: 'success-if', message: '0.95 does not match success-if ">= 0.99"' });
  });

  it.each([
    ['all', 'FAIL', 0.05],
    ['any', 'PASS', 0.001],
    ['min', 'PASS', 0.001],
    ['max', 'FAIL', 0.05],
    ['first', 'PASS', 0.001],
  ] as const)('aggregate %s over two series', (aggregate, outcome, value) => {
    expect(evaluateSamples(check({ fail: '> 0.01', aggregate }), series)).toMatchObject({ outcome, value });
  });

  it('names the series that decided', () => {
    expect(evaluateSamples(check({ fail: '> 0.01' }), series).message).toBe('{app="bad"}: 0.05 matches fail-if "> 0.01" (aggregate all)');
    expect(evaluateSamples(check({ fail: '> 0.01', aggregate: 'max' }), series).message).toBe('max of 2 series {app="bad"}: 0.05 matches fail-if "> 0.01"');
  });

  it('an empty result follows on-empty (inconclusive by default)', () => {
    expect(evaluateSamples(check({ fail: '> 0.01' }), [])).toMatchObject({ outcome: 'INCONCLUSIVE', reason: 'empty' });
    expect(evaluateSamples(check({ fail: '> 0.01', onEmpty: 'pass' }), [])).toMatchObject({ outcome: 'PASS', reason: 'empty' });
    expect(evaluateSamples(check({ fail: '> 0.01', onEmpty: 'fail' }), [])).toMatchObject({ outcome: 'FAIL', reason: 'empty' });
  });

  it('NaN follows on-nan, before any condition', () => {
    expect(evaluateSamples(check({ success: '!= 5' }), [s(NaN)])).toMatchObject({ outcome: 'INCONCLUSIVE', reason: 'nan', value: 'NaN' });
    expect(evaluateSamples(check({ fail: '> 0.01', onNaN: 'fail' }), [s(NaN)])).toMatchObject({ outcome: 'FAIL', reason: 'nan' });
    expect(evaluateSamples(check({ fail: '> 0.01', onNaN: 'pass' }), [s(NaN)])).toMatchObject({ outcome: 'PASS', reason: 'nan' });
  });

  it('min and max ignore NaN unless every value is NaN (as PromQL does)', () => {
    const mixed = [s(NaN, { i: 'a' }), s(0.5, { i: 'b' }), s(0.2, { i: 'c' })];
    expect(evaluateSamples(check({ fail: '> 0.3', aggregate: 'max' }), mixed)).toMatchObject({ outcome: 'FAIL', value: 0.5 });
    expect(evaluateSamples(check({ fail: '> 0.3', aggregate: 'min' }), mixed)).toMatchObject({ outcome: 'PASS', value: 0.2 });
    expect(evaluateSamples(check({ fail: '> 0.3', aggregate: 'min', onNaN: 'fail' }), [s(NaN), s(NaN)])).toMatchObject({ outcome: 'FAIL', reason: 'nan' });
  });

  it('all: a NaN series counts as on-nan; any: one passing series is enough', () => {
    const withNaN = [s(0.001, { i: 'a' }), s(NaN, { i: 'b' })];
    expect(evaluateSamples(check({ fail: '> 0.01' }), withNaN)).toMatchObject({ outcome: 'INCONCLUSIVE', reason: 'nan' });
    expect(evaluateSamples(check({ fail: '> 0.01', onNaN: 'pass' }), withNaN)).toMatchObject({ outcome: 'PASS' });
    expect(evaluateSamples(check({ fail: '> 0.01', aggregate: 'any' }), withNaN)).toMatchObject({ outcome: 'PASS' });
    expect(evaluateSamples(check({ fail: '> 0.01', aggregate: 'any' }), [s(0.5), s(0.7)])).toMatchObject({ outcome: 'FAIL' });
  });

  it('infinities compare as numbers and are reported as Prometheus writes them', () => {
    expect(evaluateSamples(check({ fail: '> 0.01' }), [s(Infinity)])).toMatchObject({ outcome: 'FAIL', value: '+Inf', message: '+Inf matches fail-if "> 0.01"' });
    expect(evaluateSamples(check({ success: '>= 0.99' }), [s(-Infinity)])).toMatchObject({ outcome: 'FAIL', value: '-Inf' });
  });

  it('both conditions and neither holds: INCONCLUSIVE', () => {
    expect(evaluateSamples(check({ success: '>= 0.99', fail: '< 0.9' }), [s(0.95)])).toMatchObject({
      outcome: 'INCONCLUSIVE',
      reason: 'inconclusive',
      message: '0.95 matches neither success-if ">= 0.99" nor fail-if "< 0.9"',
    });
  });
});
