import { displayNumber, evaluateCondition, jsonNumber } from './condition.js';
import { evaluateMeasurement } from './limits.js';
import type { Fallback, Outcome, PrometheusCheck, Sample } from './types.js';

export interface Evaluation {
  outcome: Outcome;
  /** ok, fail-if, success-if, inconclusive, empty, nan */
  reason: string;
  message: string;
  value?: number | string;
}

const FALLBACK: Record<Fallback, Outcome> = { pass: 'PASS', fail: 'FAIL', inconclusive: 'INCONCLUSIVE' };

export function formatLabels(labels: Record<string, string>): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return '{}';
  return `{${entries.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}}`;
}

/**
 * Evaluates one query result against a check's conditions. Vectors with several series are folded by
 * `aggregate`: `all` (every series must pass), `any` (one passing series is enough), `min`/`max` (the
 * conditions see the smallest/largest value; NaN ignored as PromQL's min/max do), `first` (Argo's result[0]).
 * An empty result is `on-empty`, a NaN value `on-nan` (Argo crashes or silently fails on both).
 */
export function evaluateSamples(check: Pick<PrometheusCheck, 'success' | 'fail' | 'aggregate' | 'onEmpty' | 'onNaN'>, samples: readonly Sample[]): Evaluation {
  if (samples.length === 0) {
    return { outcome: FALLBACK[check.onEmpty], reason: 'empty', message: `the query returned no series (on-empty: ${check.onEmpty})` };
  }
  const one = (s: Sample, prefix = ''): Evaluation => {
    if (Number.isNaN(s.value)) {
      return { outcome: FALLBACK[check.onNaN], reason: 'nan', message: `${prefix}the value is NaN (on-nan: ${check.onNaN})`, value: 'NaN' };
    }
    const j = judge(check, s.value);
    return { ...j, message: `${prefix}${j.message}` };
  };
  const where = (s: Sample) => (samples.length > 1 ? `${formatLabels(s.labels)}: ` : '');

  switch (check.aggregate) {
    case 'first':
      return one(samples[0]!, where(samples[0]!));
    case 'min':
    case 'max': {
      const numbers = samples.filter((s) => !Number.isNaN(s.value));
      if (numbers.length === 0) return one({ labels: {}, value: Number.NaN }, samples.length > 1 ? `all ${samples.length} series: ` : '');
      let pick = numbers[0]!;
      for (const s of numbers) if (check.aggregate === 'min' ? s.value < pick.value : s.value > pick.value) pick = s;
      return one(pick, samples.length > 1 ? `${check.aggregate} of ${samples.length} series ${formatLabels(pick.labels)}: ` : '');
    }
    case 'all': {
      const results = samples.map((s) => one(s, where(s)));
      const firstOf = (o: Outcome) => results.find((r) => r.outcome === o);
      const decisive = firstOf('FAIL') ?? firstOf('INCONCLUSIVE') ?? firstOf('ERROR');
      if (decisive) return samples.length > 1 ? { ...decisive, message: `${decisive.message} (aggregate all)` } : decisive;
      return samples.length > 1 ? { ...results[0]!, message: `all ${samples.length} series pass; ${results[0]!.message}` } : results[0]!;
    }
    case 'any': {
      const results = samples.map((s) => one(s, where(s)));
      const pass = results.find((r) => r.outcome === 'PASS');
      if (pass) return samples.length > 1 ? { ...pass, message: `${pass.message} (aggregate any)` } : pass;
      const decisive = results.find((r) => r.outcome === 'INCONCLUSIVE') ?? results[0]!;
      return samples.length > 1 ? { ...decisive, message: `no series passes; ${decisive.message}` } : decisive;
    }
  }
}

/** One number against success-if / fail-if, with a message a person can read. */
export function judge(check: Pick<PrometheusCheck, 'success' | 'fail'>, value: number): Evaluation {
  const v = displayNumber(value);
  const outcome = evaluateMeasurement(value, check.success, check.fail);
  const s = check.success;
  const f = check.fail;
  const base = { outcome, value: jsonNumber(value) };
  if (outcome === 'FAIL') {
    if (f && evaluateCondition(f, value)) return { ...base, reason: 'fail-if', message: `${v} matches fail-if "${f.text}"` };
    return { ...base, reason: 'success-if', message: `${v} does not match success-if "${s?.text ?? ''}"` };
  }
  if (outcome === 'PASS') {
    if (s) return { ...base, reason: 'ok', message: `${v} matches success-if "${s.text}"` };
    return { ...base, reason: 'ok', message: `${v} does not match fail-if "${f?.text ?? ''}"` };
  }
  return { ...base, reason: 'inconclusive', message: `${v} matches neither success-if "${s?.text ?? ''}" nor fail-if "${f?.text ?? ''}"` };
}
