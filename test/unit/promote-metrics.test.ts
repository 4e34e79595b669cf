import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/core/action/errors.js';
import { checkRegressions, parseMaxRegression, parseMetrics, parseRegressionGate } from '../../src/actions/promote-to-stable/metrics.js';

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigurationError');
}

describe('parseMetrics', () => {
  it('reads name=value pairs, comma or newline separated', () => {
    expect(parseMetrics('accuracy=0.913, rmse=0.121')).toEqual({ accuracy: 0.913, rmse: 0.121 });
    expect(parseMetrics('accuracy = 0.913\nval.loss=1e-3\n')).toEqual({ accuracy: 0.913, 'val.loss': 0.001 });
    expect(parseMetrics('')).toEqual({});
  });

  it('reads a flat JSON object (a metrics.json passed through a step output)', () => {
    expect(parseMetrics('{"accuracy": 0.913, "rmse": "0.121"}')).toEqual({ accuracy: 0.913, rmse: 0.121 });
    expect(parseMetrics('  {\n  "f1_macro": 0.8\n}\n')).toEqual({ f1_macro: 0.8 });
  });

  it.each([
    ['accuracy=high', /"accuracy=high" is not name=number/],
    ['accuracy=0.9, accuracy=0.8', /accuracy is given twice/],
    ['{"accuracy": 0.9', /looks like JSON but is not valid JSON/],
    ['{"accuracy": "high"}', /"accuracy": "high" is not name: number/],
    ['{"nested": {"a": 1}}', /"nested": \{"a":1\} is not name: number/],
    ['{"accuracy": null}', /"accuracy": null is not name: number/],
    ['{"bad name": 1}', /"bad name": 1 is not name: number/],
  ])('%j is refused in one line naming the input', (text, message) => {
    const m = refusal(() => parseMetrics(text));
    expect(m).toMatch(/^Input "metrics": /);
    expect(m).toMatch(message);
    expect(m).not.toContain('\n');
  });

  it('metrics and fractions are decimal numbers only: 0x10, 0b1, Infinity, 1_000 are refused', () => {
    for (const bad of ['accuracy=0x10', 'accuracy=0b1', 'accuracy=0o7', 'accuracy=Infinity', 'accuracy=1_000', 'accuracy=NaN']) {
      expect(refusal(() => parseMetrics(bad))).toMatch(/^Input "metrics": .* is not name=number/);
    }
    expect(refusal(() => parseMetrics('{"accuracy": "0x10"}'))).toMatch(/^Input "metrics": /);
    expect(refusal(() => parseMetrics('{"accuracy": ""}'))).toMatch(/^Input "metrics": /);
    expect(parseMetrics('a=-2, b=.5, c=1e-3, d=+3.')).toEqual({ a: -2, b: 0.5, c: 0.001, d: 3 });
    expect(refusal(() => parseMaxRegression('accuracy:higher=0x1'))).toMatch(/decimal number/);
  });
});

describe('parseMaxRegression and checkRegressions', () => {
  it('needs a direction, and judges worsening relative to the baseline', () => {
    expect(refusal(() => parseMaxRegression('accuracy=0.02'))).toMatch(/needs a direction: accuracy:higher=0.02/);
    const limits = parseMaxRegression('accuracy:higher=0.02, rmse:lower=0.05');
    const verdicts = checkRegressions(limits, { accuracy: 0.88, rmse: 0.125 }, { accuracy: 0.9, rmse: 0.121 });
    expect(verdicts.map((v) => [v.metric, v.ok])).toEqual([
      ['accuracy', false],
      ['rmse', true],
    ]);
    expect(verdicts[0]!.worsening).toBeCloseTo(0.02 / 0.9, 10);
  });

  it('a gated metric the baseline lacks fails unless on-missing says otherwise; no baseline at all judges nothing', () => {
    const limits = parseMaxRegression('accuracy:higher=0');
    expect(checkRegressions(limits, { accuracy: 0.1 }, undefined)).toEqual([]);
    expect(checkRegressions(limits, { accuracy: 0.1 }, {})).toEqual([expect.objectContaining({ metric: 'accuracy', ok: false, missing: 'fail' })]);
    expect(checkRegressions(limits, { accuracy: 0.1 }, {}, 'warn')).toEqual([expect.objectContaining({ ok: true, missing: 'warn' })]);
    expect(checkRegressions(limits, { accuracy: 0.1 }, {}, 'skip')).toEqual([expect.objectContaining({ ok: true, missing: 'skip' })]);
    expect(parseRegressionGate('accuracy:higher=0.02, on-missing: warn')).toEqual({ limits: [{ metric: 'accuracy', better: 'higher', fraction: 0.02 }], onMissing: 'warn' });
    expect(parseRegressionGate('accuracy:higher=0.02\non-missing=skip').onMissing).toBe('skip');
    expect(parseRegressionGate('accuracy:higher=0.02').onMissing).toBe('fail');
    expect(refusal(() => parseRegressionGate('accuracy:higher=0.02, on-missing: maybe'))).toMatch(/^Input "max-regression": on-missing must be fail, warn or skip/);
    expect(refusal(() => parseRegressionGate('on-missing: warn'))).toMatch(/no metric is gated/);
    expect(refusal(() => checkRegressions(parseMaxRegression('f1:higher=0'), { accuracy: 0.1 }, {}))).toMatch(/metric f1 has no value/);
  });

  it('metrics and fractions are decimal numbers only: 0x10, 0b1, Infinity, 1_000 are refused', () => {
    for (const bad of ['accuracy=0x10', 'accuracy=0b1', 'accuracy=0o7', 'accuracy=Infinity', 'accuracy=1_000', 'accuracy=NaN']) {
      expect(refusal(() => parseMetrics(bad))).toMatch(/^Input "metrics": .* is not name=number/);
    }
    expect(refusal(() => parseMetrics('{"accuracy": "0x10"}'))).toMatch(/^Input "metrics": /);
    expect(refusal(() => parseMetrics('{"accuracy": ""}'))).toMatch(/^Input "metrics": /);
    expect(parseMetrics('a=-2, b=.5, c=1e-3, d=+3.')).toEqual({ a: -2, b: 0.5, c: 0.001, d: 3 });
    expect(refusal(() => parseMaxRegression('accuracy:higher=0x1'))).toMatch(/decimal number/);
  });
});
